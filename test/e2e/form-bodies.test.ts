/**
 * SPEC §6: only the HTML form routes take form-encoded bodies. A cross-site page can post a form (or
 * `text/plain`) without a CORS preflight; every other route answers 415 problem+json and does nothing.
 */
import { describe, expect, it } from 'vitest';
import { manifest } from '#shared/http/manifest.ts';
import { signupBody } from '#test/support/factories.ts';
import { useLocalApi } from '#test/support/local-api.ts';
import { createApiKey } from '#test/support/organizations.ts';
import { createAccount } from '#test/support/tenancy.ts';

const api = useLocalApi();

const FORM = 'application/x-www-form-urlencoded';
const withBody = manifest.filter((route) => route.request.body !== undefined);
const formRoutes = withBody.filter((route) => route.request.bodyMediaTypes?.includes(FORM)).map((route) => route.id);

describe('form-encoded bodies', () => {
  it('are taken by the HTML pages’ forms and the OAuth token endpoint only: the enrolment page, the hosted login (opt-in per manifest entry)', () => {
    // RFC 6749 §4.1.3 makes the token endpoint form-only; a cross-site form can do nothing there
    // without a live code and its PKCE verifier, and cannot read the answer.
    expect([...formRoutes].sort()).toEqual(['confirmLinkPage', 'exchangeOAuthToken', 'submitLoginPage', 'submitMfaEnrollmentPage']);
  });

  it('answer 415 unsupported_media_type on every other route, whatever the credential, and so do text/plain bodies', async () => {
    const { accountId, owner } = await createAccount(api);
    const apikey = await createApiKey(accountId, ['authenticate', 'manage']);
    for (const route of withBody.filter((r) => !formRoutes.includes(r.id))) {
      const path = route.path.replace(/\{[^}]+\}/g, 'x1');
      const credential: Record<string, string> = route.auth === 'apikey' ? { apikey } : route.auth === 'public' ? {} : { authorization: `Bearer ${owner.accessToken}` };
      for (const [type, body] of [[FORM, 'email=a%40b.test&password=x'], ['text/plain', '{"email":"a@b.test"}']] as const) {
        const response = await fetch(`${api.url()}${path}`, { method: route.method, headers: { ...credential, 'content-type': type }, body });
        expect(response.status, `${route.id} ${type}`).toBe(415);
        expect(response.headers.get('content-type'), route.id).toMatch(/^application\/problem\+json/);
        expect(((await response.json()) as { code: string }).code, route.id).toBe('unsupported_media_type');
      }
    }
  });

  it('do nothing when a cross-site form posts a signup or a login', async () => {
    const body = signupBody();
    const signup = await fetch(`${api.url()}/v2/signup`, { method: 'POST', headers: { 'content-type': FORM }, body: new URLSearchParams(body).toString() });
    expect(signup.status).toBe(415);
    // The e-mail was not taken: a JSON signup with it succeeds.
    expect((await api.client.POST('/v2/signup', { body })).response.status).toBe(201);
    const login = await fetch(`${api.url()}/v2/auth/login`, { method: 'POST', headers: { 'content-type': FORM }, body: new URLSearchParams({ email: body.email, password: body.password }).toString() });
    expect(login.status).toBe(415);
    expect(await login.text()).not.toMatch(/accessToken/);
  });

  it('are the only body the enrolment page form takes: JSON there is a 415 too', async () => {
    const response = await fetch(`${api.url()}/v2/mfa/enroll/pme_x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"code":"123456"}' });
    expect(response.status).toBe(415);
  });

  it('reads JSON with a charset, and refuses what fetch labels text/plain by default', async () => {
    const bare = await fetch(`${api.url()}/v2/auth/login`, { method: 'POST', body: JSON.stringify({ email: 'nobody@example.test', password: 'x' }) });
    // fetch labels a string body text/plain unless told otherwise: refused.
    expect(bare.status).toBe(415);
    const charset = await fetch(`${api.url()}/v2/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ email: 'nobody@example.test', password: 'wrong-password-123' }),
    });
    expect(charset.status).toBe(401);
  });

  it('name the field of a bad enrolment page form in a 400 problem', async () => {
    const cases: [string, string][] = [
      ['', 'body.password'],
      ['code=123456&step=not%20a%20token', 'body.step'],
      [`code=${'1'.repeat(21)}&step=pmt_x`, 'body.code'],
      [`password=${'p'.repeat(300)}`, 'body.password'],
    ];
    for (const [form, field] of cases) {
      const response = await fetch(`${api.url()}/v2/mfa/enroll/pme_x`, { method: 'POST', headers: { 'content-type': FORM }, body: form || 'unknown=1' });
      expect(response.status, form).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await response.json()) as { errors: { field: string }[] }).errors[0]?.field, form).toBe(field);
    }
  });
});
