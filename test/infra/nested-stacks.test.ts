/**
 * The routes are split by business area into nested stacks (infra/areas.ts), so that no template
 * nears CloudFormation's 500-resource limit as routes are added, while the construct stays one
 * `Portcullis` and the stateful resources stay in the stack it is placed in, under their old ids.
 */
import { readdirSync } from 'node:fs';
import { App, Stack, Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { areaConstructId, areaOf, AREAS } from '#infra/areas.ts';
import { Portcullis } from '#infra/portcullis.ts';
import { authorizers, jobs, manifest, type RouteDefinition } from '#shared/http/manifest.ts';
import { futureRoutes } from './fixtures.ts';
import {
  cdkJsonContext,
  logicalId,
  portcullisFunctions,
  RESOURCE_BUDGET,
  resourcesOfType,
  stackTemplates,
  synthesize,
  TEST_EMAIL,
  type StackTemplate,
} from './synth.ts';


/**
 * The logical ids of the stateful resources (and of everything prod retains) as the one flat stack
 * had them before the split: a new id would make CloudFormation replace the table or a key.
 */
const STATEFUL_IDS = {
  // The repository's stack: the construct's id is "Default", which CDK leaves out of logical ids.
  repository: {
    DataTableFDBAD0F2: 'AWS::DynamoDB::GlobalTable',
    KeysSigningKeyADF32206: 'AWS::KMS::Key',
    KeysDataKey8F3FE3A4: 'AWS::KMS::Key',
    AccessLogs8B620ECA: 'AWS::Logs::LogGroup',
    FunctionLogsAE28C13D: 'AWS::Logs::LogGroup',
  },
  repositoryAlarmTopic: { AlarmTopicKeyBA1A4AA7: 'AWS::KMS::Key', AlarmTopicC2164170: 'AWS::SNS::Topic' },
  // `new Portcullis(stack, 'Auth', …)` in a stack of your own.
  embedded: {
    AuthDataTableC7782396: 'AWS::DynamoDB::GlobalTable',
    AuthKeysSigningKey8B06EE58: 'AWS::KMS::Key',
    AuthKeysDataKeyC94F6C62: 'AWS::KMS::Key',
    AuthAccessLogs1DD8A01F: 'AWS::Logs::LogGroup',
    AuthFunctionLogs9669E5A6: 'AWS::Logs::LogGroup',
    AuthAlarmTopicKey483F7394: 'AWS::KMS::Key',
    AuthAlarmTopicBB8CC557: 'AWS::SNS::Topic',
  },
} as const;

/** The README's embedding: your app, your stack, Portcullis as one construct in it. */
function embedded() {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'ShopStack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const portcullis = new Portcullis(stack, 'Auth', { stage: 'prod', smsAllowedCountries: ['FR'], email: TEST_EMAIL, createAlarmTopic: true, routes: [...manifest, ...futureRoutes] });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack, portcullis, templates: stackTemplates(stack) };
}

const dev = synthesize({ stage: 'dev' });
const prod = synthesize({ stage: 'prod', createAlarmTopic: 'true' });
const extended = synthesize({ stage: 'dev' }, { props: { routes: [...manifest, ...futureRoutes] } });
const behindWaf = synthesize({ stage: 'prod' }, { props: { env: { region: 'us-east-1' }, waf: {} } });
const own = embedded();

const variants: { name: string; stack: Stack; portcullis: Portcullis; templates: StackTemplate[]; routes: readonly RouteDefinition[] }[] = [
  { name: 'dev', stack: dev.stack, portcullis: dev.stack.portcullis, templates: dev.templates, routes: manifest },
  { name: 'prod with an alarm topic', stack: prod.stack, portcullis: prod.stack.portcullis, templates: prod.templates, routes: manifest },
  { name: 'dev with the future routes', stack: extended.stack, portcullis: extended.stack.portcullis, templates: extended.templates, routes: [...manifest, ...futureRoutes] },
  { name: 'prod behind WAF', stack: behindWaf.stack, portcullis: behindWaf.stack.portcullis, templates: behindWaf.templates, routes: manifest },
  { name: 'the construct embedded in a stack of your own', stack: own.stack, portcullis: own.portcullis, templates: own.templates, routes: [...manifest, ...futureRoutes] },
];

const resourceCount = (template: StackTemplate) => Object.keys(template.json.Resources).length;
const assemblyOf = (stack: Stack) => {
  const stage = Stage.of(stack);
  if (!stage) throw new Error('no app');
  return stage.synth();
};
const split = (templates: readonly StackTemplate[]) => {
  const [root, ...nested] = templates;
  if (!root || root.nestedStackResource) throw new Error('the root template comes first');
  return { root, nested };
};

describe('areas', () => {
  it('puts every route of the manifest in the area its entry names, which is its handler folder', () => {
    for (const route of manifest) {
      expect(areaOf(route), route.id).toBe(route.area);
      expect(route.handler.split('/')[1], route.id).toBe(route.area);
    }
  });

  it('refuses a route whose handler is not in its area folder, or whose area is unknown', () => {
    for (const area of AREAS) expect(areaOf({ id: 'x', handler: `functions/${area}/x.ts`, area })).toBe(area);
    for (const [handler, area] of [['functions/tenancy/x.ts', 'sessions'], ['functions/nowhere/x.ts', 'nowhere'], ['shared/x.ts', 'sessions'], ['functions/x.ts', 'sessions'], ['functions/SignIn/x.ts', 'sign-in']] as const) {
      expect(() => areaOf({ id: 'stray', handler, area }), handler).toThrow(/Route stray: area .* put the handler under functions\/<area>\//);
    }
    const stray: RouteDefinition = { ...futureRoutes[0], id: 'stray', path: '/v2/stray', handler: 'functions/stray/x.ts' } as RouteDefinition;
    expect(() => synthesize({ stage: 'dev' }, { props: { routes: [...manifest, stray] } })).toThrow(/Route stray: area "sign-in" with handler functions\/stray\/x.ts/);
  });

  it('names each nested stack after its area in PascalCase', () => {
    expect(AREAS.map(areaConstructId)).toEqual(['Sessions', 'Tenancy', 'Directory', 'SignIn', 'Oidc', 'Mfa', 'Passkeys', 'Platform']);
    const areas = [...new Set(manifest.map(areaOf))];
    expect([...dev.stack.portcullis.areas.keys()].sort()).toEqual([...areas].sort());
    expect(dev.templates.slice(1).map((template) => template.path).sort()).toEqual(areas.map((area) => `Portcullis-dev/Default/${areaConstructId(area)}`).sort());
  });
});

describe.each(variants)('the templates of $name', ({ stack, portcullis, templates, routes }) => {
  it(`are the root and one nested stack per area, each within ${RESOURCE_BUDGET} resources`, () => {
    // Every template of the cloud assembly is one of them: none escapes the count.
    const files = readdirSync(assemblyOf(stack).directory).filter((file) => file.endsWith('.template.json'));
    expect(files.sort()).toEqual(templates.map((template) => template.file).sort());
    expect(templates).toHaveLength(1 + new Set(routes.map(areaOf)).size);
    for (const template of templates) {
      console.log(`${template.file}: ${resourceCount(template)} resources`);
      expect(resourceCount(template), template.file).toBeLessThanOrEqual(RESOURCE_BUDGET);
    }
  });

  it('hold each route with its integration, permission, function and role in the nested stack of its area', () => {
    const { root, nested } = split(templates);
    for (const route of routes) {
      const home = nested.find((template) =>
        Object.values(resourcesOfType(template.template, 'AWS::ApiGatewayV2::Route')).some((candidate) => candidate.Properties.RouteKey === `${route.method} ${route.path}`),
      );
      expect(home?.path, route.id).toBe(`${portcullis.node.path}/${areaConstructId(areaOf(route))}`);
      if (!home) continue;
      const fn = portcullisFunctions(home.template).get(route.id);
      expect(fn, route.id).toBeDefined();
      const roleId = (fn?.resource.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      expect(home.json.Resources[roleId]?.Type, route.id).toBe('AWS::IAM::Role');
      const invokers = Object.values(resourcesOfType(home.template, 'AWS::Lambda::Permission')).filter(
        (permission) => JSON.stringify(permission.Properties.FunctionName) === JSON.stringify({ 'Fn::GetAtt': [fn?.logicalId, 'Arn'] }),
      );
      expect(invokers.map((permission) => permission.Properties.Principal), route.id).toEqual(['apigateway.amazonaws.com']);
      const integrations = Object.values(resourcesOfType(home.template, 'AWS::ApiGatewayV2::Integration')).filter(
        (integration) => JSON.stringify(integration.Properties.IntegrationUri) === JSON.stringify({ 'Fn::GetAtt': [fn?.logicalId, 'Arn'] }),
      );
      expect(integrations, route.id).toHaveLength(1);
    }
    // The authorizers belong to the API, the key function to the keys and its schedule, the e-mail
    // feedback function to the SES topic that invokes it: the root's.
    expect([...portcullisFunctions(root.template).keys()].sort()).toEqual([...Object.values(authorizers), ...jobs].map((definition) => definition.id).sort());
  });

  it('keep the API, the stateful resources and the alarms in the root, and nothing retained in a nested stack', () => {
    const { root, nested } = split(templates);
    for (const type of ['AWS::ApiGatewayV2::Api', 'AWS::ApiGatewayV2::Stage', 'AWS::ApiGatewayV2::Authorizer', 'AWS::DynamoDB::GlobalTable', 'AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::CloudWatch::CompositeAlarm']) {
      expect(Object.keys(resourcesOfType(root.template, type)).length, type).toBeGreaterThan(0);
      for (const template of nested) expect(Object.keys(resourcesOfType(template.template, type)), `${type} in ${template.file}`).toEqual([]);
    }
    for (const template of nested) {
      const retained = Object.entries(template.json.Resources).filter(([, resource]) => resource.DeletionPolicy === 'Retain' || resource.UpdateReplacePolicy === 'Retain');
      expect(retained.map(([id]) => id), template.file).toEqual([]);
    }
  });
});

describe('the stateful resources', () => {
  const typesOf = (template: StackTemplate) => Object.fromEntries(Object.entries(template.json.Resources).map(([id, resource]) => [id, resource.Type]));

  it('keep the logical ids of the flat stack in the repository stack, dev and prod', () => {
    expect(typesOf(split(dev.templates).root)).toMatchObject(STATEFUL_IDS.repository);
    expect(typesOf(split(prod.templates).root)).toMatchObject({ ...STATEFUL_IDS.repository, ...STATEFUL_IDS.repositoryAlarmTopic });
    const { stack } = prod;
    expect(logicalId(stack, stack.portcullis.table)).toBe('DataTableFDBAD0F2');
    expect(logicalId(stack, stack.portcullis.keys.signingKey)).toBe('KeysSigningKeyADF32206');
    expect(logicalId(stack, stack.portcullis.keys.dataKey)).toBe('KeysDataKey8F3FE3A4');
    expect(split(prod.templates).root.json.Resources.DataTableFDBAD0F2?.DeletionPolicy).toBe('Retain');
  });

  it('keep the logical ids of the flat stack in a stack of your own', () => {
    expect(typesOf(split(own.templates).root)).toMatchObject(STATEFUL_IDS.embedded);
    expect(logicalId(own.stack, own.portcullis.table)).toBe('AuthDataTableC7782396');
  });
});
