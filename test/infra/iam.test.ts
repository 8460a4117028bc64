/**
 * No function's IAM policy grants on `Resource: "*"`, except the two grants AWS only authorizes on
 * `*`: `sns:Publish` for SMS sent straight to a phone number (no topic, so no ARN to name) on the
 * functions whose manifest entry says `sms`, and X-Ray's `PutTraceSegments`/`PutTelemetryRecords`
 * (active tracing; X-Ray supports no resource-level permissions). Everything else names its resource.
 */
import { describe, expect, it } from 'vitest';
import { accessProfile, accessRoleId } from '#infra/constructs/access-role.ts';
import { authorizers, emailFeedbackFunction, jobs, manifest, type RouteAccess } from '#shared/http/manifest.ts';
import { futureRoutes } from './fixtures.ts';
import { actionsOf, arnOf, logicalId, portcullisFunctions, resourcesOf, statementsOf, synthesize, type CfnResource, type Statement } from './synth.ts';

/** The only actions a function may hold on `*`, and why. */
const WILDCARD_ALLOWED: Record<string, string> = {
  'sns:Publish': 'SMS to a phone number (Publish with PhoneNumber) is authorized on Resource "*" only',
  'xray:PutTraceSegments': 'X-Ray has no resource-level permissions',
  'xray:PutTelemetryRecords': 'X-Ray has no resource-level permissions',
};

const isWildcard = (resource: unknown): boolean => resource === '*';

describe('IAM policies of the functions', () => {
  const { template } = synthesize({ stage: 'prod' });
  const functions = portcullisFunctions(template);
  const smsFunctions = new Set(manifest.filter((route) => route.access.sms).map((route) => route.id));

  it('covers every route and authorizer of the manifest, the key function and the e-mail feedback function', () => {
    expect(jobs.map((job) => job.id)).toEqual(['rotateKeys', 'handleEmailFeedback']);
    expect([...functions.keys()].sort()).toEqual(
      [...manifest.map((route) => route.id), ...Object.values(authorizers).map((authorizer) => authorizer.id), ...jobs.map((job) => job.id)].sort(),
    );
  });

  it('grant on "*" only sns:Publish (functions that send SMS) and the X-Ray tracing actions', () => {
    const offending: string[] = [];
    for (const [id, { resource }] of functions) {
      for (const statement of statementsOf(template, resource)) {
        if (statement.Effect !== 'Allow' || !resourcesOf(statement).some(isWildcard)) continue;
        for (const action of actionsOf(statement)) {
          const allowed = action in WILDCARD_ALLOWED && (action !== 'sns:Publish' || smsFunctions.has(id));
          if (!allowed) offending.push(`${id}: ${action} on "*"`);
        }
      }
    }
    expect(offending).toEqual([]);
  });

  it('give sns:Publish only to the functions whose manifest entry sends SMS', () => {
    const publishers = [...functions]
      .filter(([, { resource }]) => statementsOf(template, resource).some((statement) => actionsOf(statement).includes('sns:Publish')))
      .map(([id]) => id)
      .sort();
    expect(publishers).toEqual([...smsFunctions].sort());
    expect(publishers.length).toBeGreaterThan(0);
  });

  it('never grant a wildcard action', () => {
    const wildcardActions = [...functions].flatMap(([id, { resource }]) =>
      statementsOf(template, resource)
        .flatMap(actionsOf)
        .filter((action) => action === '*' || action.endsWith(':*'))
        .map((action) => `${id}: ${action}`),
    );
    expect(wildcardActions).toEqual([]);
  });
});

type Condition = Record<string, Record<string, string | string[]>>;
type Context = Record<string, string[]>;

/** IAM's string match with `*` and `?` wildcards, as StringLike does it. */
const like = (pattern: string, value: string): boolean =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(value);

/** The condition operators the functions' policies use, evaluated the way IAM does. */
function conditionHolds(condition: Condition | undefined, context: Context): boolean {
  return Object.entries(condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => {
      const patterns = Array.isArray(expected) ? expected : [expected];
      const values = context[key];
      switch (operator) {
        case 'StringEquals':
          return values?.length === 1 && patterns.includes(values[0] ?? '');
        case 'StringLike':
          return values?.length === 1 && patterns.some((pattern) => like(pattern, values[0] ?? ''));
        case 'ForAnyValue:StringLike':
          return (values ?? []).some((value) => patterns.some((pattern) => like(pattern, value)));
        case 'ForAllValues:StringLike':
          return (values ?? []).every((value) => patterns.some((pattern) => like(pattern, value)));
        case 'Null':
          return (values === undefined) === (patterns[0] === 'true');
        default:
          throw new Error(`the test evaluator does not know ${operator}`);
      }
    }),
  );
}

/** Whether the statements allow a request: an explicit Deny wins, else any Allow. */
function isAllowed(statements: readonly Statement[], action: string, resource: unknown, context: Context): boolean {
  const applies = (statement: Statement) =>
    actionsOf(statement).includes(action) &&
    resourcesOf(statement).some((candidate) => JSON.stringify(candidate) === JSON.stringify(resource)) &&
    conditionHolds((statement as Statement & { Condition?: Condition }).Condition, context);
  if (statements.some((statement) => statement.Effect === 'Deny' && applies(statement))) return false;
  return statements.some((statement) => statement.Effect === 'Allow' && applies(statement));
}

const TABLE_WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
/** The one function that creates and rotates keyrings (manifest `keyFunction`). */
const KEY_FUNCTION = 'rotateKeys';

describe('who may write keyrings and unwrap which key', () => {
  const { stack, template } = synthesize({ stage: 'prod' });
  const functions = portcullisFunctions(template);
  const tableArn = arnOf(logicalId(stack, stack.portcullis.table));
  const signingKeyArn = arnOf(logicalId(stack, stack.portcullis.keys.signingKey));
  const dataKeyArn = arnOf(logicalId(stack, stack.portcullis.keys.dataKey));
  const policyOf = (id: string) => {
    const fn = functions.get(id);
    if (!fn) throw new Error(`no function ${id}`);
    return statementsOf(template, fn.resource);
  };
  const writers = manifest.filter((route) => route.access.table === 'write').map((route) => route.id);
  const definitions = [...manifest, ...Object.values(authorizers)];

  it('no function but the key function may write a KEYRING# item, alone, in a transaction or in a batch', () => {
    const planted: string[] = [];
    for (const id of functions.keys()) {
      for (const action of TABLE_WRITES) {
        for (const leadingKeys of [['KEYRING#token-signing'], ['KEYRING#token-signing.7'], ['KEYRING#pin-hmac'], ['USER#u1', 'KEYRING#totp-secrets']]) {
          if (isAllowed(policyOf(id), action, tableArn, { 'dynamodb:LeadingKeys': leadingKeys })) planted.push(`${id}: ${action} ${leadingKeys.join(',')}`);
        }
      }
    }
    expect(planted.filter((entry) => !entry.startsWith(`${KEY_FUNCTION}: dynamodb:PutItem KEYRING#`))).toEqual([]);
    // The other functions still write their own items (the evaluator is not denying everything).
    expect(writers.length).toBeGreaterThan(10);
    for (const id of writers) expect(isAllowed(policyOf(id), 'dynamodb:PutItem', tableArn, { 'dynamodb:LeadingKeys': ['USER#u1'] }), id).toBe(true);
  });

  it('the key function reads and creates keyrings and touches nothing else of the table', () => {
    const policy = policyOf(KEY_FUNCTION);
    expect(isAllowed(policy, 'dynamodb:PutItem', tableArn, { 'dynamodb:LeadingKeys': ['KEYRING#token-signing.3'] })).toBe(true);
    expect(isAllowed(policy, 'dynamodb:GetItem', tableArn, { 'dynamodb:LeadingKeys': ['KEYRING#pin-hmac'] })).toBe(true);
    for (const action of [...TABLE_WRITES, 'dynamodb:GetItem', 'dynamodb:Query']) {
      expect(isAllowed(policy, action, tableArn, { 'dynamodb:LeadingKeys': ['USER#u1'] }), action).toBe(false);
      expect(isAllowed(policy, action, tableArn, { 'dynamodb:LeadingKeys': ['KEYRING#pin-hmac', 'USER#u1'] }), action).toBe(false);
    }
    expect(isAllowed(policy, 'dynamodb:UpdateItem', tableArn, { 'dynamodb:LeadingKeys': ['KEYRING#pin-hmac'] })).toBe(false);
    expect(isAllowed(policy, 'dynamodb:DeleteItem', tableArn, { 'dynamodb:LeadingKeys': ['KEYRING#pin-hmac'] })).toBe(false);
  });

  it('each function may unwrap only the key purposes its manifest entry names, and only the key function creates keys', () => {
    const purposeOf = (purpose: string) => ({ 'kms:EncryptionContext:purpose': [purpose] });
    for (const { id, access } of definitions) {
      const policy = policyOf(id);
      expect(isAllowed(policy, 'kms:Decrypt', signingKeyArn, purposeOf('token-signing')), `${id} token-signing`).toBe(access.signingKey === true);
      for (const purpose of ['totp-secrets', 'pin-hmac'] as const) {
        expect(isAllowed(policy, 'kms:Decrypt', dataKeyArn, purposeOf(purpose)), `${id} ${purpose}`).toBe(access.encryptionKey?.includes(purpose) ?? false);
      }
      // Without the purpose context (or another key's purpose) nothing is unwrapped.
      expect(isAllowed(policy, 'kms:Decrypt', dataKeyArn, {}), id).toBe(false);
      expect(isAllowed(policy, 'kms:Decrypt', dataKeyArn, purposeOf('token-signing')), id).toBe(false);
      for (const [key, purpose] of [[signingKeyArn, 'token-signing'], [dataKeyArn, 'pin-hmac'], [dataKeyArn, 'totp-secrets']] as const) {
        expect(isAllowed(policy, 'kms:GenerateDataKey', key, purposeOf(purpose)), `${id} creates ${purpose}`).toBe(false);
      }
    }
    // The finding: a function that may unwrap TOTP secrets may not unwrap the PIN key.
    expect(isAllowed(policyOf('completeMfaLogin'), 'kms:Decrypt', dataKeyArn, purposeOf('totp-secrets'))).toBe(true);
    expect(isAllowed(policyOf('completeMfaLogin'), 'kms:Decrypt', dataKeyArn, purposeOf('pin-hmac'))).toBe(false);
    expect(isAllowed(policyOf('startAuthentication'), 'kms:Decrypt', dataKeyArn, purposeOf('totp-secrets'))).toBe(false);
  });

  it('the key function creates data keys for their own purposes only and unwraps none', () => {
    const policy = policyOf(KEY_FUNCTION);
    const purposeOf = (purpose: string) => ({ 'kms:EncryptionContext:purpose': [purpose] });
    expect(isAllowed(policy, 'kms:GenerateDataKey', signingKeyArn, purposeOf('token-signing'))).toBe(true);
    expect(isAllowed(policy, 'kms:GenerateDataKey', dataKeyArn, purposeOf('pin-hmac'))).toBe(true);
    expect(isAllowed(policy, 'kms:GenerateDataKey', dataKeyArn, purposeOf('totp-secrets'))).toBe(true);
    expect(isAllowed(policy, 'kms:GenerateDataKey', signingKeyArn, purposeOf('pin-hmac'))).toBe(false);
    expect(isAllowed(policy, 'kms:GenerateDataKey', dataKeyArn, purposeOf('token-signing'))).toBe(false);
    for (const purpose of ['token-signing', 'pin-hmac', 'totp-secrets']) {
      expect(isAllowed(policy, 'kms:Decrypt', signingKeyArn, purposeOf(purpose))).toBe(false);
      expect(isAllowed(policy, 'kms:Decrypt', dataKeyArn, purposeOf(purpose))).toBe(false);
    }
  });
});

describe('execution roles', () => {
  const routes = [...manifest, ...futureRoutes];
  const { template, templates } = synthesize({ stage: 'prod', smsSenderId: 'Portcullis' }, { props: { routes } });
  const functions = portcullisFunctions(template);
  const definitions = new Map([...routes, ...Object.values(authorizers), ...jobs].map((definition) => [definition.id, definition]));
  const roleOf = (resource: CfnResource) => (resource.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

  it('are shared only by functions of one access profile in one stack, with one role per profile and stack', () => {
    const byRole = new Map<string, string[]>();
    for (const [id, { resource }] of functions) byRole.set(roleOf(resource), [...(byRole.get(roleOf(resource)) ?? []), id]);
    for (const [role, ids] of byRole) {
      const profiles = new Set(ids.map((id) => JSON.stringify(accessProfile(definitions.get(id)?.access ?? {}))));
      expect(profiles.size, `${role}: ${ids.join(', ')}`).toBe(1);
      const homes = new Set(ids.map((id) => templates.find((t) => (functions.get(id)?.logicalId ?? '') in t.json.Resources)?.path));
      expect([...homes], role).toEqual([templates.find((t) => role in t.json.Resources)?.path]);
    }
    for (const { path, json } of templates) {
      const roles = Object.entries(json.Resources).filter(([, resource]) => resource.Type === 'AWS::IAM::Role').map(([id]) => id);
      const profiles = roles.map((role) => JSON.stringify(accessProfile(definitions.get(byRole.get(role)?.[0] ?? '')?.access ?? {})));
      expect(new Set(profiles).size, path).toBe(roles.length);
    }
    // Sharing is the rule, not an accident of this manifest: the 13 directory routes share one role.
    expect(byRole.size).toBeLessThan(functions.size / 2);
  });

  it('compare accesses by what they grant: absent and false alike, purposes in any order, nothing unknown', () => {
    expect(accessProfile({ table: 'read', sms: false, signingKey: false })).toEqual(accessProfile({ table: 'read' }));
    expect(accessProfile({ encryptionKey: ['totp-secrets', 'pin-hmac'] })).toEqual(accessProfile({ encryptionKey: ['pin-hmac', 'totp-secrets'] }));
    expect(accessProfile({ table: 'read' })).not.toEqual(accessProfile({ table: 'write' }));
    // `email` is granted since the SES grant exists (issue 17); a field no grant knows is still refused.
    expect(() => accessProfile({ table: 'read', pigeons: true } as RouteAccess)).toThrow(/fields the roles do not grant: pigeons/);
    expect(() => accessProfile({ encryptionKey: [] })).toThrow(/at least one purpose/);
    const profiles = [...definitions.values()].map((definition) => definition.access);
    const ids = new Map(profiles.map((access) => [JSON.stringify(accessProfile(access)), accessRoleId(access)]));
    expect(new Set(ids.values()).size).toBe(ids.size);
    expect(accessRoleId({ table: 'write', sms: true, signingKey: true, encryptionKey: ['totp-secrets', 'pin-hmac'] })).toBe('TableWriteSigningKeyDataKeyPinHmacTotpSecretsSmsRole');
    expect(accessRoleId({})).toBe('NoDataRole');
  });
});

describe('who may send e-mail, and as whom', () => {
  const routes = [...manifest, ...futureRoutes];
  const { stack, template } = synthesize({ stage: 'prod', emailReplyTo: 'support@example.test' }, { props: { routes } });
  const functions = portcullisFunctions(template);
  const configurationSet = logicalId(stack, stack.portcullis.email.configurationSet);
  const senders = routes.filter((route) => route.access.email).map((route) => route.id);
  const sesArn = (resource: string) => ({
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}`]],
  });
  const sesStatementsOf = (resource: CfnResource) => statementsOf(template, resource).filter((statement) => actionsOf(statement).some((action) => action.startsWith('ses:')));

  it('grants ses:SendEmail on exactly the identity and the configuration set, with the sender as the only From', () => {
    expect(senders).toContain('testSendEmail');
    for (const id of senders) {
      const fn = functions.get(id);
      if (!fn) throw new Error(`no function ${id}`);
      expect(sesStatementsOf(fn.resource), id).toEqual([
        {
          Effect: 'Allow',
          Action: 'ses:SendEmail',
          Resource: [
            sesArn('identity/auth.example.test'),
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':configuration-set/', { Ref: configurationSet }]] },
          ],
          Condition: { StringEquals: { 'ses:FromAddress': 'no-reply@auth.example.test' } },
        },
      ]);
      expect(fn.resource.Properties.Environment, id).toMatchObject({
        Variables: { EMAIL_PROVIDER: 'ses', EMAIL_FROM: 'Portcullis <no-reply@auth.example.test>', EMAIL_CONFIGURATION_SET: { Ref: configurationSet }, EMAIL_REPLY_TO: 'support@example.test' },
      });
    }
  });

  it('gives no SES action to a function whose entry does not send e-mail, and ses:SendRawEmail to none', () => {
    for (const [id, { resource }] of functions) {
      const actions = sesStatementsOf(resource).flatMap(actionsOf);
      expect(actions, id).toEqual(senders.includes(id) ? ['ses:SendEmail'] : []);
      // The SES settings only (the daily e-mail caps are deployment limits every function reads, like the SMS ones).
      const sesSettings = ['EMAIL_PROVIDER', 'EMAIL_FROM', 'EMAIL_REPLY_TO', 'EMAIL_CONFIGURATION_SET'];
      if (!senders.includes(id)) expect(Object.keys((resource.Properties.Environment as { Variables: Record<string, unknown> }).Variables).filter((name) => sesSettings.includes(name)), id).toEqual([]);
    }
  });

  it('sends as the identity given, when it is the domain above the sender or the address itself', () => {
    const parent = synthesize({ stage: 'dev', emailFrom: 'no-reply@mail.example.test', emailIdentity: 'example.test' }, { props: { routes } });
    const own = synthesize({ stage: 'dev', emailFrom: 'ops@example.test', emailIdentity: 'ops@example.test' }, { props: { routes } });
    for (const [{ template: synthesized }, identity, from] of [[parent, 'example.test', 'no-reply@mail.example.test'], [own, 'ops@example.test', 'ops@example.test']] as const) {
      const fn = portcullisFunctions(synthesized).get('testSendEmail');
      if (!fn) throw new Error('no testSendEmail');
      const [statement] = statementsOf(synthesized, fn.resource).filter((candidate) => actionsOf(candidate).includes('ses:SendEmail'));
      expect(resourcesOf(statement as Statement)[0]).toEqual(sesArn(`identity/${identity}`));
      expect((statement as Statement & { Condition: unknown }).Condition).toEqual({ StringEquals: { 'ses:FromAddress': from } });
    }
  });
});

describe('the e-mail feedback function', () => {
  const { stack, template } = synthesize({ stage: 'prod' });
  const fn = portcullisFunctions(template).get(emailFeedbackFunction.id);
  if (!fn) throw new Error('no e-mail feedback function');
  const policy = statementsOf(template, fn.resource);
  const tableArn = arnOf(logicalId(stack, stack.portcullis.table));

  it('may put e-mail suppressions and nothing else of the table', () => {
    expect(isAllowed(policy, 'dynamodb:PutItem', tableArn, { 'dynamodb:LeadingKeys': ['EMAILSUPPRESSION#someone@example.test'] })).toBe(true);
    for (const leadingKeys of [['USER#u1'], ['KEYRING#token-signing'], ['EMAIL#someone@example.test'], ['EMAILSUPPRESSION#a@example.test', 'USER#u1']]) {
      for (const action of [...TABLE_WRITES, 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem']) {
        expect(isAllowed(policy, action, tableArn, { 'dynamodb:LeadingKeys': leadingKeys }), `${action} ${leadingKeys.join(',')}`).toBe(false);
      }
    }
    // A suppression is created once and lifted by an operator: never updated or deleted by the function.
    for (const action of ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem']) {
      expect(isAllowed(policy, action, tableArn, { 'dynamodb:LeadingKeys': ['EMAILSUPPRESSION#someone@example.test'] }), action).toBe(false);
    }
    expect(isAllowed(policy, 'dynamodb:PutItem', tableArn, {})).toBe(false);
  });

  it('holds exactly its log, table and tracing statements: no key, SMS or e-mail grant', () => {
    expect(policy.flatMap(actionsOf).sort()).toEqual(['dynamodb:PutItem', 'logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    expect(policy.find((statement) => actionsOf(statement).includes('dynamodb:PutItem'))).toEqual({
      Effect: 'Allow',
      Action: 'dynamodb:PutItem',
      Resource: tableArn,
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['EMAILSUPPRESSION#*'] }, Null: { 'dynamodb:LeadingKeys': 'false' } },
    });
  });

  it('refuses to share its role with any other access', () => {
    expect(accessRoleId(emailFeedbackFunction.access)).toBe('EmailSuppressionsRole');
    expect(() => synthesize({ stage: 'dev' }, { props: { routes: [{ ...futureRoutes[0], id: 'greedy', path: '/v2/greedy', access: { table: 'write', writesEmailSuppressions: true } } as (typeof futureRoutes)[number]] } })).toThrow(
      /writesEmailSuppressions excludes every other access/,
    );
  });
});
