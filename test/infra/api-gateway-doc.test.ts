/**
 * docs/api-gateway.md's CDK snippet, exactly as the page shows it: taken from the markdown, written
 * to a module beside this test (so it resolves aws-cdk-lib like any file of the repository),
 * synthesized, and its JWT authorizer checked against the issuer Portcullis really uses.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { organizationIssuer } from '#shared/domain/sign-in/end-user-tokens.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const MARKER = '<!-- snippet: jwt-authorizer.';

/** The fenced `ts` block right after the marker comment. */
function snippet(): string {
  const page = readFileSync(join(ROOT, 'docs/api-gateway.md'), 'utf8');
  const after = page.slice(page.indexOf(MARKER));
  const block = /^```ts\n([\s\S]*?)^```$/m.exec(after)?.[1];
  if (page.indexOf(MARKER) < 0 || !block) throw new Error('docs/api-gateway.md has no ```ts block after the snippet marker');
  return block;
}

interface Snippet {
  PORTCULLIS_API_BASE: string;
  ORGANIZATION_ID: string;
  SYSTEM_NAME: string;
  ordersApi: (stack: Stack) => unknown;
}

const directory = mkdtempSync(join(ROOT, 'test/infra/.snippet-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('docs/api-gateway.md', () => {
  it('synthesizes a JWT authorizer whose issuer is the organization’s and whose audience is the system name', async () => {
    const file = join(directory, 'jwt-authorizer.ts');
    writeFileSync(file, snippet());
    const doc = (await import(file)) as Snippet;
    const stack = new Stack(new App(), 'OrdersApiStack');

    doc.ordersApi(stack);

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: organizationIssuer(doc.PORTCULLIS_API_BASE, doc.ORGANIZATION_ID), Audience: [doc.SYSTEM_NAME] },
    });
    expect(organizationIssuer(doc.PORTCULLIS_API_BASE, doc.ORGANIZATION_ID)).toBe('https://auth.example.com/v2/organizations/org_3f9c2d7a1b8e4f6a9c0d1e2f3a4b5c6d');
    // Every route of the API goes through it.
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
    expect(routes).toHaveLength(2);
    for (const route of routes) expect(route.Properties).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: expect.anything() as unknown });
  });
});
