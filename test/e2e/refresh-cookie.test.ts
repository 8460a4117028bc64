/**
 * Cookie mode for operator refresh tokens (SPEC §10, docs/sessions.md "Cookie mode (the console)"):
 * with `X-Refresh-Token-Mode: cookie` the refresh token lives in an HttpOnly cookie on /v2/auth, and
 * only a request that names the mode again can spend it. The attacks come first: cross-site posts,
 * a cookie of one person beside another's body token, a replayed rotated cookie, two credentials.
 */
import { describe, expect, it } from 'vitest';
import { config } from '#shared/config.ts';
import { REFRESH_COOKIE } from '#shared/http/session-cookie.ts';
import { signupBody } from '#test/support/factories.ts';
import { useLocalApi } from '#test/support/local-api.ts';
import { codeInSteps, enrolOperator } from '#test/support/totp.ts';

const api = useLocalApi();

const COOKIE_MODE = { 'x-refresh-token-mode': 'cookie' };
const TOKEN_FIELDS = /"(accessToken|refreshToken)"/;

interface CookieSession {
  email: string;
  password: string;
  accessToken: string;
  /** The refresh token, as the browser keeps it. */
  cookie: string;
}

/** The refresh cookie of an answer: its value and attributes, or undefined when none was set. */
function setCookie(headers: Headers): { value: string; attributes: string[] } | undefined {
  const line = headers.getSetCookie().find((header) => header.startsWith(`${REFRESH_COOKIE}=`));
  if (!line) return undefined;
  const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
  return { value: pair.slice(REFRESH_COOKIE.length + 1), attributes };
}

const cookieHeader = (...values: string[]) => ({ cookie: values.map((value) => `${REFRESH_COOKIE}=${value}`).join('; ') });

/** A new operator signed up in cookie mode. */
async function signUpWithCookie(): Promise<CookieSession> {
  const body = signupBody();
  const answer = await api.raw('POST', '/v2/signup', { body, headers: COOKIE_MODE });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  const cookie = setCookie(answer.headers);
  if (!cookie) throw new Error('expected the refresh cookie');
  return { email: body.email, password: body.password, accessToken: String(answer.body.accessToken), cookie: cookie.value };
}

/** A new operator signed in in body mode: the refresh token in hand, as an API client has it. */
async function signUpWithBody(): Promise<{ refreshToken: string }> {
  const answer = await api.raw('POST', '/v2/signup', { body: signupBody() });
  expect(answer.status).toBe(201);
  return { refreshToken: String(answer.body.refreshToken) };
}

const refreshWithCookie = (...cookies: string[]) => api.raw('POST', '/v2/auth/refresh', { headers: { ...COOKIE_MODE, ...cookieHeader(...cookies) } });

/** Whether the refresh token still works (spends it: answers the next one). */
async function stillWorks(cookie: string): Promise<string> {
  const answer = await refreshWithCookie(cookie);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  const next = setCookie(answer.headers);
  if (!next) throw new Error('expected a rotated cookie');
  return next.value;
}

describe('cookie mode: attacks on the cookie', () => {
  it('refuses a cross-site form post to refresh or logout (415) and leaves the cookie unspent', async () => {
    const session = await signUpWithCookie();
    for (const path of ['/v2/auth/refresh', '/v2/auth/logout']) {
      for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) {
        const answer = await api.raw('POST', path, { rawBody: 'refreshToken=x', headers: { 'content-type': type, ...cookieHeader(session.cookie) } });
        expect(answer.status, `${path} ${type}`).toBe(415);
        expect(answer.headers.getSetCookie()).toEqual([]);
      }
    }
    await stillWorks(session.cookie);
  });

  it('never reads the cookie without the header: a request that cannot name the mode cannot spend it', async () => {
    const session = await signUpWithCookie();
    const refresh = await api.raw('POST', '/v2/auth/refresh', { body: {}, headers: cookieHeader(session.cookie) });
    expect(refresh.status).toBe(400);
    expect(refresh.body.errors).toEqual([{ field: 'body.refreshToken', message: 'is required' }]);
    const logout = await api.raw('POST', '/v2/auth/logout', { body: {}, headers: cookieHeader(session.cookie) });
    expect(logout.status).toBe(400);
    await stillWorks(session.cookie);
  });

  it("uses the body token in body mode even when another person's cookie rides along, and sets no cookie", async () => {
    const alice = await signUpWithCookie();
    const bob = await signUpWithBody();
    const answer = await api.raw('POST', '/v2/auth/refresh', { body: { refreshToken: bob.refreshToken }, headers: cookieHeader(alice.cookie) });
    expect(answer.status).toBe(200);
    expect(answer.headers.getSetCookie()).toEqual([]);
    expect(Object.keys(answer.body).sort()).toEqual(['accessToken', 'expiresIn', 'refreshToken', 'tokenType']);
    // Bob's token was the one spent; Alice's cookie was not touched.
    expect((await api.raw('POST', '/v2/auth/refresh', { body: { refreshToken: bob.refreshToken } })).body.code).toBe('refresh_token_reused');
    await stillWorks(alice.cookie);
  });

  it('refuses a cookie and a body token together (400), spending neither', async () => {
    const alice = await signUpWithCookie();
    const bob = await signUpWithBody();
    for (const path of ['/v2/auth/refresh', '/v2/auth/logout']) {
      const answer = await api.raw('POST', path, { body: { refreshToken: bob.refreshToken }, headers: { ...COOKIE_MODE, ...cookieHeader(alice.cookie) } });
      expect(answer.status, path).toBe(400);
      expect((answer.body.errors as { field: string }[])[0]?.field).toBe('body.refreshToken');
      expect(answer.headers.getSetCookie()).toEqual([]);
    }
    await stillWorks(alice.cookie);
    expect((await api.raw('POST', '/v2/auth/refresh', { body: { refreshToken: bob.refreshToken } })).status).toBe(200);
  });

  it('revokes the whole family when a rotated cookie is replayed', async () => {
    const session = await signUpWithCookie();
    const next = await stillWorks(session.cookie);
    const replay = await refreshWithCookie(session.cookie);
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('refresh_token_reused');
    expect(JSON.stringify(replay.body)).not.toMatch(TOKEN_FIELDS);
    expect(setCookie(replay.headers)).toBeUndefined();
    const legitimate = await refreshWithCookie(next);
    expect(legitimate.status).toBe(401);
    expect(legitimate.body.code).toBe('invalid_refresh_token');
  });

  it('refuses two refresh cookies (one planted) rather than choosing, and spends neither', async () => {
    const victim = await signUpWithCookie();
    const attacker = await signUpWithCookie();
    const answer = await refreshWithCookie(attacker.cookie, victim.cookie);
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('invalid_refresh_token');
    await stillWorks(victim.cookie);
    await stillWorks(attacker.cookie);
  });

  it('answers a missing, unknown or garbage cookie like an unknown body token (401 invalid_refresh_token)', async () => {
    for (const headers of [COOKIE_MODE, { ...COOKIE_MODE, ...cookieHeader('rt_unknown') }, { ...COOKIE_MODE, ...cookieHeader('') }, { ...COOKIE_MODE, cookie: 'other=1' }]) {
      const answer = await api.raw('POST', '/v2/auth/refresh', { headers });
      expect(answer.status, JSON.stringify(headers)).toBe(401);
      expect(answer.body.code).toBe('invalid_refresh_token');
    }
  });

  it('refuses an unknown mode with a 400 naming the header, never falling back to the body', async () => {
    const { email, password } = await signUpWithCookie();
    const answer = await api.raw('POST', '/v2/auth/login', { body: { email, password }, headers: { 'x-refresh-token-mode': 'both' } });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([{ field: 'headers.x-refresh-token-mode', message: 'must be cookie or body' }]);
    expect(JSON.stringify(answer.body)).not.toMatch(TOKEN_FIELDS);
  });

  it('gives no cookie with a password-only login of a 2FA operator, and one only after the code', async () => {
    const session = await signUpWithCookie();
    const enrolled = await enrolOperator(api, session.accessToken, session.password);
    const login = await api.raw('POST', '/v2/auth/login', { body: { email: session.email, password: session.password }, headers: COOKIE_MODE });
    expect(login.body).toMatchObject({ mfaRequired: true });
    expect(login.headers.getSetCookie()).toEqual([]);
    const completed = await api.raw('POST', '/v2/auth/mfa', { body: { mfaToken: login.body.mfaToken, code: codeInSteps(enrolled.secret, 1) }, headers: COOKIE_MODE });
    expect(completed.status).toBe(200);
    expect(completed.body.refreshToken).toBeUndefined();
    await stillWorks(setCookie(completed.headers)?.value ?? '');
  });
});

describe('cookie mode: the flow the console runs', () => {
  it('answers the refresh token as an HttpOnly, Secure, SameSite=Strict cookie on /v2/auth that ends with the session, never in the body', async () => {
    const { email, password } = await signUpWithCookie();
    const login = await api.raw('POST', '/v2/auth/login', { body: { email, password }, headers: COOKIE_MODE });
    expect(login.status).toBe(200);
    expect(Object.keys(login.body).sort()).toEqual(['accessToken', 'expiresIn', 'tokenType']);
    const cookie = setCookie(login.headers);
    expect(cookie?.value).toMatch(/^prt_/);
    const maxAge = Number(cookie?.attributes.find((attribute) => attribute.startsWith('Max-Age='))?.slice('Max-Age='.length));
    expect(cookie?.attributes.filter((attribute) => !attribute.startsWith('Max-Age='))).toEqual(['Path=/v2/auth', 'HttpOnly', 'Secure', 'SameSite=Strict']);
    const absolute = config().sessions.absoluteSeconds;
    expect(maxAge).toBeGreaterThan(absolute - 60);
    expect(maxAge).toBeLessThanOrEqual(absolute);
  });

  it('rotates the cookie on refresh (empty body), keeping its end at the session’s absolute end', async () => {
    const session = await signUpWithCookie();
    const answer = await refreshWithCookie(session.cookie);
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body).sort()).toEqual(['accessToken', 'expiresIn', 'tokenType']);
    const next = setCookie(answer.headers);
    expect(next?.value).toMatch(/^prt_/);
    expect(next?.value).not.toBe(session.cookie);
    const maxAge = Number(next?.attributes.find((attribute) => attribute.startsWith('Max-Age='))?.slice('Max-Age='.length));
    expect(maxAge).toBeLessThanOrEqual(config().sessions.absoluteSeconds);
    // `{}` is an empty body too.
    const again = await api.raw('POST', '/v2/auth/refresh', { body: {}, headers: { ...COOKIE_MODE, ...cookieHeader(next?.value ?? '') } });
    expect(again.status).toBe(200);
  });

  it('signs out server-side and clears the cookie', async () => {
    const session = await signUpWithCookie();
    const answer = await api.raw('POST', '/v2/auth/logout', { headers: { ...COOKIE_MODE, ...cookieHeader(session.cookie) } });
    expect(answer.status).toBe(204);
    expect(answer.headers.getSetCookie()).toEqual([`${REFRESH_COOKIE}=; Path=/v2/auth; HttpOnly; Secure; SameSite=Strict; Max-Age=0`]);
    const refresh = await refreshWithCookie(session.cookie);
    expect(refresh.status).toBe(401);
    expect(refresh.body.code).toBe('invalid_refresh_token');
    // Without a cookie (already signed out elsewhere) it still clears: 204, nothing revealed.
    const again = await api.raw('POST', '/v2/auth/logout', { headers: COOKIE_MODE });
    expect(again.status).toBe(204);
    expect(again.headers.getSetCookie()).toHaveLength(1);
  });

  it('leaves body mode as it was: the refresh token in the body, no cookie', async () => {
    const body = signupBody();
    const signup = await api.raw('POST', '/v2/signup', { body, headers: { 'x-refresh-token-mode': 'body' } });
    expect(Object.keys(signup.body).sort()).toEqual(['accessToken', 'accountId', 'expiresIn', 'refreshToken', 'tokenType', 'userId']);
    expect(signup.headers.getSetCookie()).toEqual([]);
    const login = await api.raw('POST', '/v2/auth/login', { body: { email: body.email, password: body.password } });
    expect(Object.keys(login.body).sort()).toEqual(['accessToken', 'expiresIn', 'refreshToken', 'tokenType']);
    expect(login.headers.getSetCookie()).toEqual([]);
    const logout = await api.raw('POST', '/v2/auth/logout', { body: { refreshToken: login.body.refreshToken } });
    expect(logout.status).toBe(204);
    expect(logout.headers.getSetCookie()).toEqual([]);
  });
});
