import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { Frame, LoginOutcome } from '#shared/domain/oidc/hosted-login.ts';
import { formTokenOf } from '#shared/domain/oidc/login-transactions.ts';
import { browserSecretOf, renderLogin } from '#shared/http/hosted-login-page.ts';

const LOGIN_ID = `lgn_${'a1'.repeat(16)}`;
const frame: Frame = { organizationName: 'Acme <b>"Corp"</b>', clientId: 'portal<script>', redirectUri: 'https://app.example.com:8443/cb?x=1' };
const cookieOf = (result: ReturnType<typeof renderLogin>) => result.cookies?.[0] ?? '';

describe('hosted login pages', () => {
  it('binds the browser with a Secure, HttpOnly, SameSite=Lax cookie on the https issuer’s oauth2 path', () => {
    const outcome: LoginOutcome = { kind: 'redirect', location: 'https://id.example.com/x', frame, browser: { set: { loginId: LOGIN_ID, secret: 's3cr3t' } } };
    const result = renderLogin(outcome, 'https://id.example.com/v2/organizations/org_1');
    expect(result.statusCode).toBe(303);
    expect(cookieOf(result)).toBe(`portcullis_login_${'a1'.repeat(16)}=s3cr3t; Max-Age=900; Path=/v2/organizations/org_1/oauth2; HttpOnly; SameSite=Lax; Secure`);
    // The redirect's own CSP lets a form's 303 reach the client's origin, and only it.
    expect(result.headers?.['content-security-policy']).toContain("form-action 'self' https://app.example.com:8443;");
  });

  it('clears the cookie when the code is issued, and never sets one named after a login id it did not make', () => {
    const cleared = renderLogin({ kind: 'redirect', location: 'https://app.example.com:8443/cb', frame, browser: { clear: { loginId: LOGIN_ID } } }, 'https://id.example.com/v2/organizations/org_1');
    expect(cookieOf(cleared)).toMatch(/^portcullis_login_a1a1[0-9a-f]*=; Max-Age=0; Path=\/v2\/organizations\/org_1\/oauth2;/);
    const injected = renderLogin(
      { kind: 'screen', status: 410, screen: { kind: 'unavailable', reason: 'expired' }, frame: null, browser: { clear: { loginId: 'lgn_x; Path=/; Domain=example.com' } } },
      'https://id.example.com/v2/organizations/org_1',
    );
    expect(injected.cookies).toBeUndefined();
  });

  it('escapes the organization’s name, the client and the prefilled e-mail', () => {
    const outcome: LoginOutcome = {
      kind: 'screen',
      status: 200,
      screen: { kind: 'email', loginId: LOGIN_ID, formToken: formTokenOf('s', LOGIN_ID), email: '"><script>alert(1)</script>' },
      frame,
    };
    const html = String(renderLogin(outcome, 'http://127.0.0.1:3000/v2/organizations/org_1').body);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b>');
    expect(html).toContain('Acme &lt;b&gt;&quot;Corp&quot;&lt;/b&gt;');
    expect(html).toContain('portal&lt;script&gt;');
  });

  it('reads the browser secret of one transaction from the request’s cookies only', () => {
    const event = { cookies: ['other=1', `portcullis_login_${'a1'.repeat(16)}=abc=def`, 'portcullis_login_ff=zzz'] } as unknown as APIGatewayProxyEventV2;
    expect(browserSecretOf(event, LOGIN_ID)).toBe('abc=def');
    expect(browserSecretOf(event, 'lgn_ff')).toBeUndefined();
    expect(browserSecretOf({} as APIGatewayProxyEventV2, LOGIN_ID)).toBeUndefined();
  });
});
