import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '#infra/constructs/api-function.ts';
import { routes } from '#shared/http/manifest.ts';
import { DOCS_ASSETS } from '#shared/schemas/docs.ts';
import { portcullisFunctions, RESOURCE_BUDGET, resourcesOfType, statementsOf, synthesize } from './synth.ts';

const DOCS_ROUTES = [routes.getOpenApiDocument, routes.getDocsPage, routes.getDocsAsset];

describe('the API reference routes in the template', () => {
  const { template, templates } = synthesize({ stage: 'dev' });
  const functions = portcullisFunctions(template);

  it('routes GET /v2/openapi.json, /v2/docs and /v2/docs/{asset} without an authorizer, each to its own function', () => {
    const keys = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route')).map((route) => route.Properties);
    for (const route of DOCS_ROUTES) {
      expect(keys.filter((candidate) => candidate.RouteKey === `${route.method} ${route.path}`), route.id).toEqual([
        expect.objectContaining({ AuthorizationType: 'NONE' }),
      ]);
      expect(functions.has(route.id), route.id).toBe(true);
    }
  });

  it('gives their functions no data access: no table, key or SMS variable or grant', () => {
    for (const route of DOCS_ROUTES) {
      const fn = functions.get(route.id);
      if (!fn) throw new Error(`no function ${route.id}`);
      const variables = Object.keys((fn.resource.Properties.Environment as { Variables: Record<string, unknown> }).Variables);
      expect(variables.filter((name) => /TABLE|KMS|SMS/.test(name)), route.id).toEqual([]);
      const actions = statementsOf(template, fn.resource).flatMap((statement) => [statement.Action].flat());
      expect(actions.filter((action) => /^(dynamodb|kms|sns):/.test(action)), route.id).toEqual([]);
    }
  });

  it(`keeps every template, root and nested, within ${RESOURCE_BUDGET} resources (CloudFormation's limit is 500)`, () => {
    for (const { file, json } of templates) {
      const count = Object.keys(json.Resources).length;
      console.log(`${file}: ${count} resources of ${RESOURCE_BUDGET}`);
      expect(count, file).toBeLessThanOrEqual(RESOURCE_BUDGET);
    }
  });
});

describe('the reference page assets in the Lambda bundle', () => {
  mkdirSync(join(PROJECT_ROOT, 'cdk.out'), { recursive: true });
  const outdir = mkdtempSync(join(PROJECT_ROOT, 'cdk.out', 'docs-bundle-test-'));
  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
  });
  const { template } = synthesize({ stage: 'dev' }, { bundle: true, outdir, props: { routes: DOCS_ROUTES } });
  const functions = portcullisFunctions(template);
  const bundleDir = (id: string) => join(outdir, String(functions.get(id)?.resource.Metadata?.['aws:asset:path']));

  it('copies exactly the allow-listed files of swagger-ui-dist next to index.mjs of the asset function, byte for byte', () => {
    for (const [name, { module }] of Object.entries(DOCS_ASSETS)) {
      const copied = join(bundleDir('getDocsAsset'), name);
      expect(readFileSync(copied).equals(readFileSync(join(PROJECT_ROOT, 'node_modules', module))), name).toBe(true);
      expect(existsSync(join(bundleDir('getDocsPage'), name)), name).toBe(false);
    }
  });

  it('serves the asset from the bundle directory, where no node_modules is', () => {
    const bundle = pathToFileURL(join(bundleDir('getDocsAsset'), 'index.mjs')).href;
    const event = {
      version: '2.0',
      routeKey: 'GET /v2/docs/{asset}',
      rawPath: '/v2/docs/swagger-ui.css',
      rawQueryString: '',
      headers: { 'accept-encoding': 'identity' },
      pathParameters: { asset: 'swagger-ui.css' },
      isBase64Encoded: false,
      requestContext: { requestId: 'bundle-test', http: { method: 'GET', path: '/v2/docs/swagger-ui.css', sourceIp: '127.0.0.1' } },
    };
    const script = `
      const { handler } = await import(${JSON.stringify(bundle)});
      const context = { functionName: 'getDocsAsset', awsRequestId: 'bundle-test', getRemainingTimeInMillis: () => 10000 };
      const result = await handler(${JSON.stringify(event)}, context);
      const { createHash } = await import('node:crypto');
      process.stdout.write('\\nRESULT ' + JSON.stringify({ statusCode: result.statusCode, contentType: result.headers['content-type'], sha: createHash('sha256').update(result.body).digest('hex') }));
    `;
    // Log and metric lines may share stdout: the answer is the line marked RESULT.
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR', STAGE: 'dev' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const expected = createHash('sha256').update(readFileSync(join(PROJECT_ROOT, 'node_modules', DOCS_ASSETS['swagger-ui.css'].module))).digest('hex');
    const result = /^RESULT (.*)$/m.exec(output)?.[1] ?? 'null';
    expect(JSON.parse(result)).toEqual({ statusCode: 200, contentType: 'text/css; charset=utf-8', sha: expected });
  });
});
