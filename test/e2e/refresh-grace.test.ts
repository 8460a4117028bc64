/**
 * The refresh-token rotation grace over HTTP, at the deployment's default (15 s), in cookie mode (the
 * console: a double reload sends one cookie twice) and in body mode. The abuse first: after the grace,
 * after a logout or "sign out everywhere", a third use. Then the race: N refreshes with one token at
 * once. The server's clock is moved by faking `Date` (the local server runs in this process).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionRepository } from '#shared/adapters/session-repository.ts';
import { documentClient } from '#shared/compose/runtime.ts';
import { config } from '#shared/config.ts';
import { hashSecret } from '#shared/domain/kernel/secrets.ts';
import { REFRESH_ROTATION_GRACE_SECONDS } from '#shared/domain/sessions/refresh-grace.ts';
import { REFRESH_COOKIE } from '#shared/http/session-cookie.ts';
import { race } from '#test/support/concurrency.ts';
import { signupBody } from '#test/support/factories.ts';
import { expectData, useLocalApi } from '#test/support/local-api.ts';

// The tests' environment turns the grace off (test/support/environment.ts); this file runs the default.
const api = useLocalApi({ environment: { SESSION_REFRESH_GRACE_SECONDS: String(REFRESH_ROTATION_GRACE_SECONDS) } });

const COOKIE_MODE = { 'x-refresh-token-mode': 'cookie' };
const GRACE_MS = REFRESH_ROTATION_GRACE_SECONDS * 1000;

afterEach(() => {
  vi.useRealTimers();
});

/** The two ways a client holds its refresh token; `refresh` answers the status and the next token. */
interface Mode {
  name: string;
  signUp(): Promise<{ accessToken: string; refreshToken: string }>;
  refresh(token: string): Promise<{ status: number; code: unknown; token: string | undefined; accessToken: unknown }>;
  logOut(token: string): Promise<number>;
}

function cookieOf(headers: Headers): string | undefined {
  const line = headers.getSetCookie().find((header) => header.startsWith(`${REFRESH_COOKIE}=`));
  return line?.split(';')[0]?.slice(REFRESH_COOKIE.length + 1);
}

const cookieMode: Mode = {
  name: 'cookie mode',
  async signUp() {
    const answer = await api.raw('POST', '/v2/signup', { body: signupBody(), headers: COOKIE_MODE });
    expect(answer.status).toBe(201);
    return { accessToken: String(answer.body.accessToken), refreshToken: cookieOf(answer.headers) ?? '' };
  },
  async refresh(token) {
    const answer = await api.raw('POST', '/v2/auth/refresh', { headers: { ...COOKIE_MODE, cookie: `${REFRESH_COOKIE}=${token}` } });
    return { status: answer.status, code: answer.body.code, token: cookieOf(answer.headers), accessToken: answer.body.accessToken };
  },
  async logOut(token) {
    return (await api.raw('POST', '/v2/auth/logout', { headers: { ...COOKIE_MODE, cookie: `${REFRESH_COOKIE}=${token}` } })).status;
  },
};

const bodyMode: Mode = {
  name: 'body mode',
  async signUp() {
    const answer = await api.raw('POST', '/v2/signup', { body: signupBody() });
    expect(answer.status).toBe(201);
    return { accessToken: String(answer.body.accessToken), refreshToken: String(answer.body.refreshToken) };
  },
  async refresh(token) {
    const answer = await api.raw('POST', '/v2/auth/refresh', { body: { refreshToken: token } });
    const next = answer.body.refreshToken;
    return { status: answer.status, code: answer.body.code, token: typeof next === 'string' ? next : undefined, accessToken: answer.body.accessToken };
  },
  async logOut(token) {
    return (await api.raw('POST', '/v2/auth/logout', { body: { refreshToken: token } })).status;
  },
};

/** A refresh that must succeed: the next token. */
async function rotated(mode: Mode, token: string): Promise<string> {
  const answer = await mode.refresh(token);
  expect(answer.status, String(answer.code)).toBe(200);
  expect(answer.token).toMatch(/^prt_/);
  return answer.token ?? '';
}

/** The `sid` (session id) an access token names. */
function sessionIdOf(accessToken: unknown): string {
  const payload = String(accessToken).split('.')[1] ?? '';
  return String((JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sid?: string }).sid);
}

const store = () => new SessionRepository(documentClient(), config().tableName);

for (const mode of [cookieMode, bodyMode]) {
  describe(`rotation grace, ${mode.name}: what it must not allow`, () => {
    it('a replay after the grace revokes the whole family', async () => {
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
      const session = await mode.signUp();
      const next = await rotated(mode, session.refreshToken);
      vi.setSystemTime(Date.now() + GRACE_MS);

      const replay = await mode.refresh(session.refreshToken);

      expect([replay.status, replay.code, replay.token]).toEqual([401, 'refresh_token_reused', undefined]);
      expect((await mode.refresh(next)).code).toBe('invalid_refresh_token');
    });

    it('a replay within the grace after logout is refused', async () => {
      const session = await mode.signUp();
      const next = await rotated(mode, session.refreshToken);
      expect(await mode.logOut(next)).toBe(204);

      const replay = await mode.refresh(session.refreshToken);

      expect([replay.status, replay.code, replay.token]).toEqual([401, 'invalid_refresh_token', undefined]);
    });

    it('a replay within the grace after "sign out everywhere" is refused', async () => {
      const session = await mode.signUp();
      await rotated(mode, session.refreshToken);
      expect((await api.as(session.accessToken).DELETE('/v2/me/sessions')).response.status).toBe(204);

      const replay = await mode.refresh(session.refreshToken);

      expect([replay.status, replay.code]).toEqual([401, 'invalid_refresh_token']);
    });

    it('a third use within the grace is refused, and the session goes on from the second', async () => {
      const session = await mode.signUp();
      await rotated(mode, session.refreshToken);
      const second = await rotated(mode, session.refreshToken);

      const third = await mode.refresh(session.refreshToken);

      expect([third.status, third.code, third.token]).toEqual([401, 'refresh_token_reused', undefined]);
      await rotated(mode, second);
    });
  });

  describe(`rotation grace, ${mode.name}: two refreshes at once`, () => {
    it('answers the second use of one token within the grace with a pair of the same session, which goes on', async () => {
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
      const session = await mode.signUp();
      // The first answer is lost (the page that asked was reloaded); the second request sends the same token.
      await rotated(mode, session.refreshToken);
      vi.setSystemTime(Date.now() + GRACE_MS - 1000);

      const repeat = await mode.refresh(session.refreshToken);

      expect(repeat.status).toBe(200);
      expect(sessionIdOf(repeat.accessToken)).toBe(sessionIdOf(session.accessToken));
      const after = await mode.refresh(repeat.token ?? '');
      expect(after.status).toBe(200);
      const sessions = expectData(await api.as(String(after.accessToken)).GET('/v2/me/sessions'), 200).items;
      expect(sessions.map((item) => [item.id, item.current])).toEqual([[sessionIdOf(session.accessToken), true]]);
    });

    it('N refreshes with one token at once: 200s of the same session or clean 401s, and one live token after', async () => {
      const N = 8;
      const session = await mode.signUp();
      const family = sessionIdOf(session.accessToken);

      const outcome = await race(N, () => mode.refresh(session.refreshToken), (answer) => answer.status === 200);

      const answers = outcome.results.map((result) => (result.status === 'fulfilled' ? result.value : { status: 500, code: String(result.reason), token: undefined, accessToken: undefined }));
      expect(answers.filter((answer) => answer.status !== 200).map((answer) => [answer.status, answer.code])).toEqual(
        Array(N - outcome.winners.length).fill([401, 'refresh_token_reused']),
      );
      // The rotation and its one repeat: never more, whatever the interleaving.
      expect(outcome.winners).toHaveLength(2);
      expect(outcome.winners.map((answer) => sessionIdOf(answer.accessToken))).toEqual([family, family]);
      const statuses = await Promise.all(outcome.winners.map(async (answer) => (await store().findRefreshToken(hashSecret(answer.token ?? '')))?.status));
      expect([...statuses].sort()).toEqual(['active', 'superseded']);
      const live = outcome.winners.find((_, index) => statuses[index] === 'active');
      // The family goes on from its one live token; the family itself was never revoked.
      expect((await store().findFamily(family))?.revoked).toBe(false);
      await rotated(mode, live?.token ?? '');
    });
  });
}
