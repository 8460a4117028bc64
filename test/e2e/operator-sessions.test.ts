import { createRemoteJWKSet, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { tokenSigningKeys } from '#shared/container.ts';
import { config } from '#shared/config.ts';
import { OPERATOR_AUDIENCE } from '#shared/domain/access-tokens.ts';
import { MeResponse, SignupResponse, TokenPair } from '#shared/schemas/sessions.ts';
import { signupBody, strongPassword, uniqueEmail } from '#test/support/factories.ts';
import { useLocalApi } from '#test/support/local-api.ts';

const api = useLocalApi();

interface Tokens {
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
}

async function signUp(overrides = {}) {
  const body = signupBody(overrides);
  const response = await api.request<Tokens & { accountId: string; userId: string }>('POST', '/v2/signup', { body });
  expect(response.status).toBe(201);
  return { ...body, ...response.body };
}

/** The parts of a problem that must not differ between two failures (the instance is per request). */
const problemShape = (body: Record<string, unknown>) => {
  const { instance: _instance, ...rest } = body;
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

    const me = await api.request('GET', '/v2/me', { token: created.accessToken });
    expect(me.status).toBe(200);
    expect(MeResponse.parse(me.body)).toMatchObject({
      id: created.userId,
      email: created.email,
      mfa: { totp: false, recoveryCodesRemaining: 0 },
      memberships: [{ accountId: created.accountId, accountName: created.accountName, role: 'owner', scope: 'all' }],
    });
  });

  it('treats emails case-insensitively', async () => {
    const email = uniqueEmail('Case');
    await signUp({ email });
    const again = await api.request('POST', '/v2/signup', { body: signupBody({ email: email.toUpperCase() }) });
    expect(again.status).toBe(409);
  });

  it('answers 409 email_taken for a duplicate email and creates nothing', async () => {
    const first = await signUp();
    const duplicate = await api.request('POST', '/v2/signup', { body: signupBody({ email: first.email }) });
    expect(duplicate.status).toBe(409);
    expect(duplicate.headers.get('content-type')).toBe('application/problem+json');
    expect(duplicate.body).toMatchObject({ status: 409, code: 'email_taken' });
    // The first owner still signs in with the first password only.
    const login = await api.request('POST', '/v2/auth/login', { body: { email: first.email, password: first.password } });
    expect(login.status).toBe(200);
  });

  it('refuses a common password, naming the field', async () => {
    const response = await api.request('POST', '/v2/signup', { body: signupBody({ password: 'qwerty123456' }) });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'weak_password', errors: [{ field: 'body.password' }] });
  });

  it('refuses a short password, naming the field', async () => {
    const response = await api.request('POST', '/v2/signup', { body: signupBody({ password: 'short-pw' }) });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      code: 'validation_failed',
      errors: [{ field: 'body.password', message: 'must be at least 12 characters' }],
    });
  });
});

describe('bad input', () => {
  it('answers malformed JSON with 400 invalid_json as problem+json', async () => {
    const response = await api.request('POST', '/v2/signup', { rawBody: '{"email": "a@b.c",', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status: 400, code: 'invalid_json' });
    expect(response.body.type).toContain('invalid_json');
  });

  it('names each missing field', async () => {
    const response = await api.request('POST', '/v2/signup', { body: { email: uniqueEmail() } });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'body.password', message: 'is required' },
        { field: 'body.accountName', message: 'is required' },
      ]),
    );
  });

  it('names an unknown extra field', async () => {
    const response = await api.request('POST', '/v2/auth/login', { body: { email: uniqueEmail(), password: 'x', admin: true } });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'body.admin', message: 'is not allowed' }]);
  });

  it('names a wrong-typed field', async () => {
    const response = await api.request('POST', '/v2/auth/login', { body: { email: uniqueEmail(), password: 123456789012 } });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'body.password', message: 'must be a string' }]);
  });

  it('rejects a body that is not an object', async () => {
    const response = await api.request('POST', '/v2/auth/refresh', { body: ['prt_x'] });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'body', message: 'must be an object' }]);
  });

  it('rejects a missing body', async () => {
    const response = await api.request('POST', '/v2/auth/login');
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'body', message: 'is required' }]);
  });

  it('refuses prototype-pollution keys instead of merging them', async () => {
    const response = await api.request('POST', '/v2/auth/login', {
      rawBody: '{"email":"a@b.test","password":"x","__proto__":{"admin":true}}',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'body.__proto__', message: 'is not allowed' }]);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('refuses an oversized body with 413 problem+json', async () => {
    const response = await api.request('POST', '/v2/auth/login', { body: { email: uniqueEmail(), password: 'x'.repeat(70_000) } });
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ code: 'payload_too_large' });
  });
});

describe('login', () => {
  it('signs in with the right password', async () => {
    const owner = await signUp();
    const response = await api.request<Tokens>('POST', '/v2/auth/login', { body: { email: owner.email, password: owner.password } });
    expect(response.status).toBe(200);
    expect(TokenPair.parse(response.body)).toBeTruthy();
  });

  it('answers a wrong password exactly as an unknown email', async () => {
    const owner = await signUp();
    const wrong = await api.request('POST', '/v2/auth/login', { body: { email: owner.email, password: strongPassword() } });
    const unknown = await api.request('POST', '/v2/auth/login', { body: { email: uniqueEmail(), password: strongPassword() } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(problemShape(wrong.body)).toEqual(problemShape(unknown.body));
    expect(wrong.body.code).toBe('invalid_credentials');
  });

  it('throttles after 10 attempts per email in 15 minutes, known email or not, with Retry-After', async () => {
    const owner = await signUp();
    for (const email of [owner.email, uniqueEmail()]) {
      for (let attempt = 0; attempt < 10; attempt++) {
        const response = await api.request('POST', '/v2/auth/login', { body: { email, password: 'wrong-password-123' } });
        expect(response.status).toBe(401);
      }
      const blocked = await api.request('POST', '/v2/auth/login', { body: { email, password: 'wrong-password-123' } });
      expect(blocked.status).toBe(429);
      expect(blocked.body).toMatchObject({ code: 'rate_limited' });
      const retryAfter = Number(blocked.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    }
    // Even the right password waits until the window passes.
    const right = await api.request('POST', '/v2/auth/login', { body: { email: owner.email, password: owner.password } });
    expect(right.status).toBe(429);
  });
});

describe('refresh and logout', () => {
  it('rotates the refresh token on every use', async () => {
    const owner = await signUp();
    const first = await api.request<Tokens>('POST', '/v2/auth/refresh', { body: { refreshToken: owner.refreshToken } });
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(owner.refreshToken);
    const second = await api.request<Tokens>('POST', '/v2/auth/refresh', { body: { refreshToken: first.body.refreshToken } });
    expect(second.status).toBe(200);
    const me = await api.request('GET', '/v2/me', { token: second.body.accessToken });
    expect(me.status).toBe(200);
  });

  it('revokes the whole family when a spent refresh token is used again', async () => {
    const owner = await signUp();
    const rotated = await api.request<Tokens>('POST', '/v2/auth/refresh', { body: { refreshToken: owner.refreshToken } });
    expect(rotated.status).toBe(200);

    const replay = await api.request('POST', '/v2/auth/refresh', { body: { refreshToken: owner.refreshToken } });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('refresh_token_reused');

    // The token the legitimate client holds is dead too: the thief and the owner both must sign in again.
    const legit = await api.request('POST', '/v2/auth/refresh', { body: { refreshToken: rotated.body.refreshToken } });
    expect(legit.status).toBe(401);
    expect(legit.body.code).toBe('invalid_refresh_token');
  });

  it('refuses an unknown refresh token', async () => {
    const response = await api.request('POST', '/v2/auth/refresh', { body: { refreshToken: 'prt_doesnotexist' } });
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('invalid_refresh_token');
  });

  it('logout revokes the session; unknown tokens still get 204', async () => {
    const owner = await signUp();
    const logout = await api.request('POST', '/v2/auth/logout', { body: { refreshToken: owner.refreshToken } });
    expect(logout.status).toBe(204);
    const refresh = await api.request('POST', '/v2/auth/refresh', { body: { refreshToken: owner.refreshToken } });
    expect(refresh.status).toBe(401);
    const unknown = await api.request('POST', '/v2/auth/logout', { body: { refreshToken: 'prt_unknown' } });
    expect(unknown.status).toBe(204);
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
    const response = await api.request('GET', '/v2/me', { token: expired });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ code: 'token_expired' });
  });

  it('answers 401 invalid_token for a tampered token', async () => {
    const owner = await signUp();
    const [header, payload, signature] = owner.accessToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'usr_someone_else' })).toString('base64url');
    const response = await api.request('GET', '/v2/me', { token: `${header}.${forged}.${signature}` });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ code: 'invalid_token' });
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
    const response = await api.request('GET', '/v2/me', { token: foreign });
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('invalid_token');
  });

  it('is required on bearer routes (the gateway answers 401 without a header)', async () => {
    const response = await api.request('GET', '/v2/me');
    expect(response.status).toBe(401);
  });
});

describe('every response', () => {
  it('carries the security headers, on success and on error', async () => {
    for (const response of [await api.request('GET', '/v2/.well-known/jwks.json'), await api.request('POST', '/v2/auth/login', { rawBody: '{' })]) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('strict-transport-security')).toContain('max-age=');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    }
  });

  it('unknown routes answer 404 like API Gateway', async () => {
    const response = await api.request('GET', '/v2/nope');
    expect(response.status).toBe(404);
  });

  it('a path with broken percent-encoding answers 400, not a 500', async () => {
    const response = await api.request('GET', '/v2/accounts/%E0%A4%A');
    expect(response.status).toBe(400);
  });
});
