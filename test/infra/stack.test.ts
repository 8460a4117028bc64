import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DataTable, type DataTableProps } from '#infra/constructs/data-table.ts';
import { authorizers, jobs, manifest, type RouteDefinition } from '#shared/http/manifest.ts';
import { futureRoutes } from './fixtures.ts';
import {
  actionsOf,
  arnOf,
  logicalId,
  portcullisFunctions,
  resourcesOf,
  resourcesOfType,
  statementsOf,
  synthesize,
  TEST_SMS_COUNTRIES,
  type Synthesized,
} from './synth.ts';

const TABLE_READ = ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:Query'];
const TABLE_WRITE = ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
/** The write actions in the order the construct lists them (its Deny statement). */
const TABLE_WRITE_ORDER = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

const dev = synthesize({ stage: 'dev', issuer: 'https://auth.example.com', smsSenderId: 'Portcullis' });
const extended = synthesize({ stage: 'dev', smsSenderId: 'Portcullis' }, { props: { routes: [...manifest, ...futureRoutes] } });
const prod = synthesize({ stage: 'prod' });

const definitionsOf = (routes: readonly RouteDefinition[]) => [...routes, ...Object.values(authorizers), ...jobs];

describe.each([
  { name: 'the manifest', synth: dev, routes: manifest },
  { name: 'the manifest plus sms, encryption-key and e-mail routes', synth: extended, routes: [...manifest, ...futureRoutes] },
])('stack built from $name', ({ synth, routes }: { synth: Synthesized; routes: readonly RouteDefinition[] }) => {
  const { stack, template } = synth;
  const functions = portcullisFunctions(template);
  const functionOf = (id: string) => {
    const fn = functions.get(id);
    if (!fn) throw new Error(`no function tagged ${id}`);
    return fn;
  };

  it('has exactly one function per route plus one per authorizer, the key function and the e-mail feedback function', () => {
    expect([...functions.keys()].sort()).toEqual(definitionsOf(routes).map((definition) => definition.id).sort());
  });

  it('has exactly one route per entry, with the entry method and path, integrated with its own function', () => {
    const httpRoutes = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route'));
    expect(httpRoutes).toHaveLength(routes.length);
    const integrations = resourcesOfType(template, 'AWS::ApiGatewayV2::Integration');
    for (const route of routes) {
      const matching = httpRoutes.filter((candidate) => candidate.Properties.RouteKey === `${route.method} ${route.path}`);
      expect(matching, route.id).toHaveLength(1);
      const target = JSON.stringify(matching[0]?.Properties.Target);
      const integration = Object.entries(integrations).find(([id]) => target.includes(`"${id}"`))?.[1];
      expect(integration?.Properties.IntegrationUri, route.id).toEqual(arnOf(functionOf(route.id).logicalId));
    }
  });

  it('puts bearer and apikey routes behind their authorizers and leaves the others to their functions', () => {
    for (const route of routes) {
      const authorizer = route.auth === 'bearer' || route.auth === 'apikey' ? authorizers[route.auth] : undefined;
      const expected = authorizer
        ? { AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: logicalId(stack, stack.portcullis.api.node.findChild(authorizer.id)) } }
        : { AuthorizationType: 'NONE', AuthorizerId: Match.absent() };
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: `${route.method} ${route.path}`, ...expected });
    }
  });

  it('runs every function on Node.js 22, arm64, with the memory its entry asks for', () => {
    for (const definition of definitionsOf(routes)) {
      const { Properties } = functionOf(definition.id).resource;
      expect(Properties.Runtime, definition.id).toBe('nodejs22.x');
      expect(Properties.Architectures, definition.id).toEqual(['arm64']);
      expect(Properties.MemorySize, definition.id).toBe(('memoryMb' in definition ? definition.memoryMb : undefined) ?? 256);
      expect(Properties.Timeout, definition.id).toBe(10);
      expect(Properties.TracingConfig, definition.id).toEqual({ Mode: 'Active' });
      expect(Properties.LoggingConfig, definition.id).toEqual({ LogGroup: { Ref: expect.any(String) as string } });
    }
  });

  it('grants each function only what its entry allows, and sets the matching environment', () => {
    const tableArn = arnOf(logicalId(stack, stack.portcullis.table));
    const signingKeyArn = arnOf(logicalId(stack, stack.portcullis.keys.signingKey));
    const dataKeyArn = arnOf(logicalId(stack, stack.portcullis.keys.dataKey));
    for (const { id, access } of definitionsOf(routes)) {
      const { resource } = functionOf(id);
      const statements = statementsOf(template, resource);
      const withPrefix = (prefix: string) => statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith(prefix)));
      const env = (resource.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

      // The one Deny: writes to keyring items, on every function that has the table (iam.test.ts).
      expect(statements.filter((statement) => statement.Effect !== 'Allow').map((statement) => [statement.Effect, ...actionsOf(statement)]), id).toEqual(
        access.table ? [['Deny', ...TABLE_WRITE_ORDER]] : [],
      );
      // Logs and tracing for every function; anything else only through a binding below.
      expect(statements.flatMap(actionsOf).filter((action) => !/^(logs|xray|dynamodb|kms|sns|ses):[A-Za-z]+$/.test(action)), id).toEqual([]);

      const table = withPrefix('dynamodb:').filter((statement) => statement.Effect === 'Allow');
      const tableActions = [...new Set(table.flatMap(actionsOf))].sort();
      const expectedTableActions = access.writesKeyrings
        ? ['dynamodb:GetItem', 'dynamodb:PutItem']
        : access.writesEmailSuppressions
          ? ['dynamodb:PutItem']
          : access.table === 'write'
            ? [...TABLE_READ, ...TABLE_WRITE].sort()
            : access.table === 'read'
              ? TABLE_READ
              : [];
      expect(tableActions, id).toEqual(expectedTableActions);
      for (const arn of table.flatMap(resourcesOf)) expect(JSON.stringify(arn), id).toContain(JSON.stringify(tableArn));
      expect(env.TABLE_NAME !== undefined, id).toBe(access.table !== undefined || access.writesKeyrings === true || access.writesEmailSuppressions === true);

      // Functions unwrap (Decrypt) and never create keys; the key function creates (GenerateDataKey)
      // and never unwraps. Each grant is conditioned on the purposes (iam.test.ts evaluates them).
      const kms = withPrefix('kms:');
      expect([...new Set(kms.flatMap(actionsOf))].sort(), id).toEqual(kms.length ? [access.writesKeyrings ? 'kms:GenerateDataKey' : 'kms:Decrypt'] : []);
      for (const statement of kms) expect(Object.keys((statement as { Condition?: object }).Condition ?? {}), id).toEqual(['StringEquals']);
      const keys = kms.flatMap(resourcesOf);
      const usesSigningKey = access.signingKey === true || access.writesKeyrings === true;
      const usesDataKey = access.encryptionKey !== undefined || access.writesKeyrings === true;
      expect(keys, id).toEqual([...(usesSigningKey ? [signingKeyArn] : []), ...(usesDataKey ? [dataKeyArn] : [])]);
      expect(env.SIGNING_KMS_KEY_ID, id).toEqual(usesSigningKey ? signingKeyArn : undefined);
      expect(env.DATA_KMS_KEY_ID, id).toEqual(usesDataKey ? dataKeyArn : undefined);

      const sns = withPrefix('sns:');
      expect(sns.flatMap(actionsOf), id).toEqual(access.sms ? ['sns:Publish'] : []);
      expect(env.SMS_PROVIDER, id).toBe(access.sms ? 'sns' : undefined);
      expect(env.SMS_SENDER_ID, id).toBe(access.sms ? 'Portcullis' : undefined);

      // SES: the exact statement is iam.test.ts's.
      expect(withPrefix('ses:').flatMap(actionsOf), id).toEqual(access.email ? ['ses:SendEmail'] : []);
      expect(env.EMAIL_PROVIDER, id).toBe(access.email ? 'ses' : undefined);
    }
  });
});

describe('stack wiring', () => {
  it('configures each authorizer from the manifest: simple responses, its header, cached', () => {
    const identitySources = { bearer: '$request.header.Authorization', apikey: '$request.header.apikey' };
    const functions = portcullisFunctions(extended.template);
    for (const [kind, authorizer] of Object.entries(authorizers)) {
      extended.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        Name: kind,
        AuthorizerType: 'REQUEST',
        AuthorizerPayloadFormatVersion: '2.0',
        EnableSimpleResponses: true,
        IdentitySource: [identitySources[kind as keyof typeof identitySources]],
        AuthorizerResultTtlInSeconds: authorizer.cacheTtlSeconds,
        AuthorizerUri: { 'Fn::Join': ['', Match.arrayWith([arnOf(functions.get(authorizer.id)?.logicalId ?? 'missing')])] },
      });
    }
  });

  it('throttles the default stage and writes JSON access logs without headers or raw paths', () => {
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
    const [stage] = Object.values(resourcesOfType(dev.template, 'AWS::ApiGatewayV2::Stage'));
    const format = (stage?.Properties.AccessLogSettings as { Format: string }).Format;
    expect(Object.keys(JSON.parse(format) as object)).toEqual(
      expect.arrayContaining(['requestId', 'ip', 'routeKey', 'status', 'latency', 'integrationError']),
    );
    // Paths such as /v2/mfa/enroll/{token} carry secrets; headers carry credentials.
    expect(format).not.toMatch(/\$context\.path|header|authorization/i);
  });

  it('passes the issuer, stage and audit retention to every function and outputs the API URL', () => {
    for (const { resource } of portcullisFunctions(dev.template).values()) {
      expect(resource.Properties.Environment).toMatchObject({
        Variables: { STAGE: 'dev', TOKEN_ISSUER: 'https://auth.example.com', AUDIT_RETENTION_DAYS: '400', NODE_OPTIONS: '--enable-source-maps' },
      });
    }
    dev.template.hasOutput('ApiUrl', {});
  });

  it('takes the audit retention from the context and refuses a nonsensical one', () => {
    const { template } = synthesize({ stage: 'dev', auditRetentionDays: '30' });
    for (const { resource } of portcullisFunctions(template).values()) {
      expect(resource.Properties.Environment).toMatchObject({ Variables: { AUDIT_RETENTION_DAYS: '30' } });
    }
    expect(() => synthesize({ stage: 'dev', auditRetentionDays: '0' })).toThrow(/auditRetentionDays/);
    expect(() => synthesize({ stage: 'dev', auditRetentionDays: 'forever' })).toThrow(/auditRetentionDays/);
  });

  it('passes every function the API base URL, without the console built from the API id, region and URL suffix (the organizations\' issuers)', () => {
    // With the console (the default) it is the distribution's URL: test/infra/console.test.ts.
    const apiOnly = synthesize({ stage: 'dev', console: 'false' });
    const [apiId] = Object.keys(resourcesOfType(apiOnly.template, 'AWS::ApiGatewayV2::Api'));
    const executeApiUrl = { 'Fn::Join': ['', ['https://', { Ref: apiId }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] };
    for (const [id, { resource }] of portcullisFunctions(apiOnly.template)) {
      expect((resource.Properties.Environment as { Variables: Record<string, unknown> }).Variables.API_BASE, id).toEqual(executeApiUrl);
    }
  });

  it('takes the API base URL from the context (a custom domain) and refuses one that is not an https base URL', () => {
    const { template } = synthesize({ stage: 'dev', apiBase: 'https://auth.example.com' });
    for (const [id, { resource }] of portcullisFunctions(template)) {
      expect(resource.Properties.Environment, id).toMatchObject({ Variables: { API_BASE: 'https://auth.example.com' } });
    }
    for (const bad of ['http://auth.example.com', 'auth.example.com', 'https://auth.example.com/', 'https://auth.example.com/?a=1', 'https://auth.example.com/#x']) {
      expect(() => synthesize({ stage: 'dev', apiBase: bad }), bad).toThrow(/apiBase/);
    }
  });

  it('has no dependency cycle between its resources (CloudFormation would refuse the template)', () => {
    for (const { template, templates } of [dev, prod]) {
      // Each template alone (a cycle through a nested stack's parameters and outputs shows there), and
      // all of them merged (a cycle through the resources of several templates).
      for (const { path, json } of templates) expect(dependencyCycle(json), path).toBeUndefined();
      expect(dependencyCycle(template.toJSON() as TemplateJson)).toBeUndefined();
    }
  });

  it("refuses to synthesize without the deployment's SMS countries, or with a code that is not one", () => {
    expect(() => synthesize({ stage: 'dev', smsAllowedCountries: undefined })).toThrow(/Context smsAllowedCountries is required/);
    expect(() => synthesize({ stage: 'dev', smsAllowedCountries: 'FR,XX' })).toThrow(/smsAllowedCountries: XX is not an upper-case ISO 3166-1 alpha-2 country code/);
    expect(() => synthesize({ stage: 'dev', smsAllowedCountries: ',' })).toThrow(/smsAllowedCountries must name at least one country/);
    expect(() => synthesize({ stage: 'dev', smsAccountDailyLimit: '0' })).toThrow(/smsAccountDailyLimit must be a whole number/);
    expect(() => synthesize({ stage: 'dev', emailAccountDailyLimit: '0' })).toThrow(/emailAccountDailyLimit must be a whole number/);
  });

  it("gives every function that reads the config (those with a table) the deployment's limits, from the context (cdk.json lists too) or the defaults", () => {
    const variablesOf = (synth: Synthesized) =>
      [...portcullisFunctions(synth.template).values()]
        .map(({ resource }) => (resource.Properties.Environment as { Variables: Record<string, unknown> }).Variables)
        .filter((variables) => variables.TABLE_NAME !== undefined);
    expect(variablesOf(dev).length).toBeGreaterThan(40);
    for (const variables of variablesOf(dev)) {
      expect(variables).toMatchObject({
        SMS_ALLOWED_COUNTRIES: TEST_SMS_COUNTRIES,
        SMS_DEPLOYMENT_DAILY_LIMIT: '10000',
        SMS_ACCOUNT_DAILY_LIMIT: '1000',
        EMAIL_DEPLOYMENT_DAILY_LIMIT: '10000',
        EMAIL_ACCOUNT_DAILY_LIMIT: '1000',
        ORGANIZATIONS_PER_ACCOUNT: '1000',
      });
    }
    const tuned = synthesize({
      stage: 'dev',
      smsAllowedCountries: ['BE', 'NL'],
      smsDeploymentDailyLimit: '500',
      smsAccountDailyLimit: '50',
      emailDeploymentDailyLimit: '700',
      emailAccountDailyLimit: '70',
      organizationsPerAccount: '20',
    });
    for (const variables of variablesOf(tuned)) {
      expect(variables).toMatchObject({
        SMS_ALLOWED_COUNTRIES: 'BE,NL',
        SMS_DEPLOYMENT_DAILY_LIMIT: '500',
        SMS_ACCOUNT_DAILY_LIMIT: '50',
        EMAIL_DEPLOYMENT_DAILY_LIMIT: '700',
        EMAIL_ACCOUNT_DAILY_LIMIT: '70',
        ORGANIZATIONS_PER_ACCOUNT: '20',
      });
    }
  });

  it('builds the table from the shared definition: on demand, TTL, PITR, gsi1', () => {
    dev.template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'gsi1' })],
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
    });
  });

  it('pre-warms the table for 1,000 sign-ins/s from day one, and takes other warm throughput as props', () => {
    // ≈ 15 write units per PIN sign-in × 1,000/s, over the 4,000 a new on-demand table starts with.
    dev.template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      WarmThroughput: { WriteUnitsPerSecond: 16_000, ReadUnitsPerSecond: 12_000 },
    });
    const tableOf = (props: DataTableProps) => {
      const stack = new Stack();
      new DataTable(stack, 'Data', props);
      return Template.fromStack(stack);
    };
    tableOf({ warmWriteUnitsPerSecond: 40_000, warmReadUnitsPerSecond: 30_000 }).hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      WarmThroughput: { WriteUnitsPerSecond: 40_000, ReadUnitsPerSecond: 30_000 },
    });
    expect(() => tableOf({ warmWriteUnitsPerSecond: 1_000 })).toThrow(/writeUnitsPerSecond must be a whole number ≥ 4000/);
    expect(() => tableOf({ warmReadUnitsPerSecond: 5_000 })).toThrow(/readUnitsPerSecond must be a whole number ≥ 12000/);
    expect(() => tableOf({ warmWriteUnitsPerSecond: 4_000.5 })).toThrow(/writeUnitsPerSecond/);
  });

});

describe('stateful resources by stage', () => {
  it('retains the table in prod, with deletion protection and point-in-time recovery', () => {
    prod.template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        Replicas: [
          Match.objectLike({ DeletionProtectionEnabled: true, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
        ],
      }),
    });
  });

  it('retains the KMS keys and log groups in prod, keeping logs for a year', () => {
    for (const key of Object.values(resourcesOfType(prod.template, 'AWS::KMS::Key'))) {
      expect(key).toMatchObject({ DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
    }
    for (const group of Object.values(resourcesOfType(prod.template, 'AWS::Logs::LogGroup'))) {
      expect(group).toMatchObject({ DeletionPolicy: 'Retain', Properties: { RetentionInDays: 365 } });
    }
  });

  it('lets a dev stack be deleted whole', () => {
    dev.template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })] }),
    });
    for (const type of ['AWS::KMS::Key', 'AWS::Logs::LogGroup']) {
      for (const resource of Object.values(resourcesOfType(dev.template, type))) expect(resource.DeletionPolicy, type).toBe('Delete');
    }
    for (const group of Object.values(resourcesOfType(dev.template, 'AWS::Logs::LogGroup'))) {
      expect(group.Properties.RetentionInDays).toBe(30);
    }
  });
});

interface TemplateJson {
  Resources: Record<string, { DependsOn?: string | string[]; Properties?: unknown }>;
}

/** The logical ids a resource refers to (`Ref`, `Fn::GetAtt`, `Fn::Sub`) or depends on (`DependsOn`). */
function dependenciesOf(resource: TemplateJson['Resources'][string], ids: Set<string>): Set<string> {
  const found = new Set<string>([resource.DependsOn ?? []].flat());
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') found.add(inner);
      if (key === 'Fn::GetAtt') found.add(Array.isArray(inner) ? String(inner[0]) : String(inner).split('.')[0] ?? '');
      if (key === 'Fn::Sub') {
        const text = Array.isArray(inner) ? String(inner[0]) : String(inner);
        for (const [, name] of text.matchAll(/\$\{([^}.!]+)/g)) found.add(name ?? '');
      }
      visit(inner);
    }
  };
  visit(resource.Properties);
  return new Set([...found].filter((id) => ids.has(id)));
}

/** A dependency cycle among the template's resources, as the list of ids around it, or undefined. */
function dependencyCycle(template: TemplateJson): string[] | undefined {
  const ids = new Set(Object.keys(template.Resources));
  const edges = new Map([...ids].map((id) => [id, dependenciesOf(template.Resources[id] ?? {}, ids)]));
  const state = new Map<string, 'open' | 'done'>();
  const walk = (id: string, path: string[]): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'open');
    for (const next of edges.get(id) ?? []) {
      const cycle = walk(next, [...path, id]);
      if (cycle) return cycle;
    }
    state.set(id, 'done');
    return undefined;
  };
  for (const id of ids) {
    const cycle = walk(id, []);
    if (cycle) return cycle;
  }
  return undefined;
}
