import { createRemoteJWKSet, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { tokenSigningKeys } from '#shared/compose/platform.ts';
import { config } from '#shared/config.ts';
import { OPERATOR_AUDIENCE } from '#shared/domain/sessions/access-tokens.ts';
import { MeResponse, SignupResponse, TokenPair } from '#shared/schemas/sessions.ts';
import { signupBody, strongPassword, uniqueEmail } from '#test/support/factories.ts';
import { expectData, expectSignedUp, expectProblem, expectStatus, useLocalApi } from '#test/support/local-api.ts';
import { lastEmail } from '#test/support/sign-in.ts';

const api = useLocalApi();

async function signUp(overrides: Parameters<typeof signupBody>[0] = {}) {
  const body = signupBody(overrides);
  return { ...body, ...expectSignedUp(await api.client.POST('/v2/signup', { body })) };
}

const logIn = (body: { email: string; password: string }) => api.client.POST('/v2/auth/login', { body });
// Body mode: a missing refresh token would be a 400, not the answer a test expects.
const refresh = (refreshToken: string | undefined) => api.client.POST('/v2/auth/refresh', { body: { refreshToken } });
const me = (accessToken: string) => api.as(accessToken).GET('/v2/me');

/** The parts of a problem that must not differ between two failures (the instance is per request). */
const problemShape = (problem: Record<string, unknown>) => {
  const { instance: _instance, ...rest } = problem;
  return rest;
};

describe('signup', () => {
  it('creates an account whose owner is signed in', async () => {
    const created = await signUp();
    expect(SignupResponse.parse(created)).toBeTruthy();
    expect(created.accountId).toMatch(/^acc_/);
    expect(created.userId).toMatch(/^usr_/);
    expect(created.tokenType).toBe('Bearer');
    expect(created.expiresIn).toBe(900);

    const profile = expectData(await me(created.accessToken), 200);
    expect(MeResponse.parse(profile)).toMatchObject({
      id: created.userId,
      email: created.email,
      mfa: { totp: false, recoveryCodesRemaining: 0 },
      memberships: [{ accountId: created.accountId, accountName: created.accountName, role: 'owner', scope: 'all' }],
    });
  });

  it('treats emails case-insensitively', async () => {
    const email = uniqueEmail('Case');
    await signUp({ email });
    // The same person under another case: no second account, the answer an existing address gets.
    expect(expectData(await api.client.POST('/v2/signup', { body: signupBody({ email: email.toUpperCase() }) }), 202)).toEqual({ verificationSent: true });
  });

  it('answers a duplicate email with 202 and an e-mail to its owner, never an error naming it, and creates nothing', async () => {
    const first = await signUp();
    const duplicate = await api.client.POST('/v2/signup', { body: signupBody({ email: first.email }) });
    expect(expectData(duplicate, 202)).toEqual({ verificationSent: true });
    expect((await lastEmail(api, first.email, /already have/)).text).toContain('No new account was created');
    // The first owner still signs in with the first password only.
    expectData(await logIn({ email: first.email, password: first.password }), 200);
  });

  it('refuses a common password, naming the field', async () => {
    const response = await api.client.POST('/v2/signup', { body: signupBody({ password: 'qwerty123456' }) });
    expect(expectProblem(response, 400)).toMatchObject({ code: 'weak_password', errors: [{ field: 'body.password' }] });
  });

  it('refuses a short password, naming the field', async () => {
    const response = await api.client.POST('/v2/signup', { body: signupBody({ password: 'short-pw' }) });
    expect(expectProblem(response, 400)).toMatchObject({
      code: 'validation_failed',
      errors: [{ field: 'body.password', message: 'must be at least 12 characters' }],
    });
  });
});

// Deliberately malformed requests: the typed client cannot send these, so they go through `api.raw`.
describe('bad input', () => {
  it('answers malformed JSON with 400 invalid_json as problem+json', async () => {
    const response = await api.raw('POST', '/v2/signup', { rawBody: '{"email": "a@b.c",', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status: 400, code: 'invalid_json' });
    expect(response.body.type).toContain('invalid_json');
  });

  it('names each missing field', async () => {
    const response = await api.raw('POST', '/v2/signup', { body: { email: uniqueEmail() } });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'body.password', message: 'is required' },
        { field: 'body.accountName', message: 'is required' },
      ]),
    );
  });

  it('names an unknown extra field', async () => {
    const response = await api.raw('POST', '/v2/auth/login', { body: { email: uniqueEmail(), password: 'x', admin: true } });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'body.admin', message: 'is not allowed' }]);
  });

  it('names a wrong-typed field', async () => {
    const response = await api.raw('POST', '/v2/auth/login', { body: { email: uniqueEmail(), password: 123456789012 } });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'body.password', message: 'must be a string' }]);
  });

  it('rejects a body that is not an object', async () => {
    const response = await api.raw('POST', '/v2/auth/refresh', { body: ['prt_x'] });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'body', message: 'must be an object' }]);
  });

  it('rejects a missing body', async () => {
    const response = await api.raw('POST', '/v2/auth/login');
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'body', message: 'is required' }]);
  });

  it('refuses prototype-pollution keys instead of merging them', async () => {
    const response = await api.raw('POST', '/v2/auth/login', {
      rawBody: '{"email":"a@b.test","password":"x","__proto__":{"admin":true}}',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'body.__proto__', message: 'is not allowed' }]);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('refuses an oversized body with 413 problem+json', async () => {
    const response = await api.raw('POST', '/v2/auth/login', { body: { email: uniqueEmail(), password: 'x'.repeat(70_000) } });
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ code: 'payload_too_large' });
  });
});

describe('login', () => {
  it('signs in with the right password', async () => {
    const owner = await signUp();
    const tokens = expectData(await logIn({ email: owner.email, password: owner.password }), 200);
    expect(TokenPair.parse(tokens)).toBeTruthy();
  });

  it('answers a wrong password exactly as an unknown email', async () => {
    const owner = await signUp();
    const wrong = expectProblem(await logIn({ email: owner.email, password: strongPassword() }), 401, 'invalid_credentials');
    const unknown = expectProblem(await logIn({ email: uniqueEmail(), password: strongPassword() }), 401);
    expect(problemShape(wrong)).toEqual(problemShape(unknown));
  });

  it('throttles after 10 attempts per email in 15 minutes, known email or not, with Retry-After', async () => {
    const owner = await signUp();
    for (const email of [owner.email, uniqueEmail()]) {
      for (let attempt = 0; attempt < 10; attempt++) {
        expectProblem(await logIn({ email, password: 'wrong-password-123' }), 401);
      }
      const blocked = await logIn({ email, password: 'wrong-password-123' });
      expectProblem(blocked, 429, 'rate_limited');
      const retryAfter = Number(blocked.response.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    }
    // Even the right password waits until the window passes.
    expectProblem(await logIn({ email: owner.email, password: owner.password }), 429, 'rate_limited');
  });
});

describe('refresh and logout', () => {
  it('rotates the refresh token on every use', async () => {
    const owner = await signUp();
    const first = expectData(await refresh(owner.refreshToken), 200);
    expect(first.refreshToken).not.toBe(owner.refreshToken);
    const second = expectData(await refresh(first.refreshToken), 200);
    expectData(await me(second.accessToken), 200);
  });

  it('revokes the whole family when a spent refresh token is used again', async () => {
    const owner = await signUp();
    const rotated = expectData(await refresh(owner.refreshToken), 200);

    expectProblem(await refresh(owner.refreshToken), 401, 'refresh_token_reused');

    // The token the legitimate client holds is dead too: the thief and the owner both must sign in again.
    expectProblem(await refresh(rotated.refreshToken), 401, 'invalid_refresh_token');
  });

  it('refuses an unknown refresh token', async () => {
    expectProblem(await refresh('prt_doesnotexist'), 401, 'invalid_refresh_token');
  });

  it('logout revokes the session; unknown tokens still get 204', async () => {
    const owner = await signUp();
    expectStatus(await api.client.POST('/v2/auth/logout', { body: { refreshToken: owner.refreshToken } }), 204);
    expectProblem(await refresh(owner.refreshToken), 401);
    expectStatus(await api.client.POST('/v2/auth/logout', { body: { refreshToken: 'prt_unknown' } }), 204);
  });
});

describe('access tokens', () => {
  it('are ES256 JWTs that verify with the published JWKS', async () => {
    const owner = await signUp();
    const jwks = createRemoteJWKSet(new URL(`${api.url()}/v2/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(owner.accessToken, jwks, {
      issuer: config().tokenIssuer,
      audience: OPERATOR_AUDIENCE,
    });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(payload.sub).toBe(owner.userId);
    expect(payload.amr).toEqual(['pwd']);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(15 * 60);
  });

  it('answers 401 token_expired for an expired token', async () => {
    const owner = await signUp();
    const key = await tokenSigningKeys().signingKey();
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ amr: ['pwd'] })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'at+jwt' })
      .setIssuer(config().tokenIssuer)
      .setAudience(OPERATOR_AUDIENCE)
      .setSubject(owner.userId)
      .setIssuedAt(now - 1000)
      .setExpirationTime(now - 100)
      .sign(key.privateKey);
    expectProblem(await me(expired), 401, 'token_expired');
  });

  it('answers 401 invalid_token for a tampered token', async () => {
    const owner = await signUp();
    const [header, payload, signature] = owner.accessToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'usr_someone_else' })).toString('base64url');
    expectProblem(await me(`${header}.${forged}.${signature}`), 401, 'invalid_token');
  });

  it('answers 401 for a token signed by another key', async () => {
    const { generateKeyPair } = await import('jose');
    const { privateKey } = await generateKeyPair('ES256');
    const key = await tokenSigningKeys().signingKey();
    const foreign = await new SignJWT({ amr: ['pwd'] })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'at+jwt' })
      .setIssuer(config().tokenIssuer)
      .setAudience(OPERATOR_AUDIENCE)
      .setSubject('usr_x')
      .setExpirationTime('5m')
      .sign(privateKey);
    expectProblem(await me(foreign), 401, 'invalid_token');
  });

  it('is required on bearer routes (the gateway answers 401 without a header)', async () => {
    const response = await api.client.GET('/v2/me');
    expectStatus(response, 401);
    expect(response.error).toEqual({ message: 'Unauthorized' });
  });
});

describe('every response', () => {
  it('carries the security headers, on success and on error', async () => {
    const success = (await api.client.GET('/v2/.well-known/jwks.json')).response;
    const malformed = await api.raw('POST', '/v2/auth/login', { rawBody: '{' });
    for (const response of [success, malformed]) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('strict-transport-security')).toContain('max-age=');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    }
  });

  it('unknown routes answer 404 like API Gateway', async () => {
    // Outside the contract on purpose: raw.
    const response = await api.raw('GET', '/v2/nope');
    expect(response.status).toBe(404);
  });

  it('a path with broken percent-encoding answers 400, not a 500', async () => {
    const response = await api.raw('GET', '/v2/accounts/%E0%A4%A');
    expect(response.status).toBe(400);
  });
});
