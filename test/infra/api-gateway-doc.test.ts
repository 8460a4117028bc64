/**
 * docs/api-gateway.md's CDK snippet is the module test/infra/snippets/jwt-authorizer.ts, character
 * for character (so `npm run typecheck` compiles what the page shows): synthesized here, its JWT
 * authorizer checked against the issuer Portcullis really uses.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { organizationIssuer } from '#shared/domain/sign-in/end-user-tokens.ts';
import { ORGANIZATION_ID, ordersApi, PORTCULLIS_API_BASE, SYSTEM_NAME } from './snippets/jwt-authorizer.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const MARKER = '<!-- snippet: jwt-authorizer.';

/** The fenced `ts` block right after the marker comment. */
function snippetOfPage(): string {
  const page = readFileSync(join(ROOT, 'docs/api-gateway.md'), 'utf8');
  const at = page.indexOf(MARKER);
  const block = at < 0 ? undefined : /^```ts\n([\s\S]*?)^```$/m.exec(page.slice(at))?.[1];
  if (!block) throw new Error('docs/api-gateway.md has no ```ts block after the snippet marker');
  return block;
}

describe('docs/api-gateway.md', () => {
  it('shows exactly the snippet module', () => {
    expect(snippetOfPage()).toBe(readFileSync(join(import.meta.dirname, 'snippets/jwt-authorizer.ts'), 'utf8'));
  });

  it('synthesizes a JWT authorizer whose issuer is the organization’s and whose audience is the system name', () => {
    const stack = new Stack(new App(), 'OrdersApiStack');

    ordersApi(stack);

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: organizationIssuer(PORTCULLIS_API_BASE, ORGANIZATION_ID), Audience: [SYSTEM_NAME] },
    });
    expect(organizationIssuer(PORTCULLIS_API_BASE, ORGANIZATION_ID)).toBe('https://auth.example.com/v2/organizations/org_3f9c2d7a1b8e4f6a9c0d1e2f3a4b5c6d');
    // Every route of the API goes through it.
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
    expect(routes).toHaveLength(2);
    for (const route of routes) expect(route.Properties).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: expect.anything() as unknown });
  });
});
