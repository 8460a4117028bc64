/**
 * Sessions as their person sees them (SPEC §4 Sessions): the list, ending one or all, an owner ending
 * a member's, and the absolute and idle lifetimes with the server's clock moved (the local server runs
 * in this process, so faking `Date` moves it; DynamoDB Local keeps no time of its own that matters).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { auditRepository, operatorStore } from '#shared/compose/shared.ts';
import { config } from '#shared/config.ts';
import { MEMBER_SESSIONS_ENDED } from '#shared/domain/kernel/audit-events.ts';
import { SessionList } from '#shared/schemas/sessions.ts';
import { signupBody } from '#test/support/factories.ts';
import { expectData, expectProblem, expectSignedUp, expectStatus, useLocalApi } from '#test/support/local-api.ts';
import { addMember, createAccount } from '#test/support/tenancy.ts';

const api = useLocalApi();

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

interface Pair {
  accessToken: string;
  /** Present in body mode (all of this file); optional in the schema for cookie mode. */
  refreshToken?: string;
}

/** A new operator (their own account) signed in once, through signup. */
async function newOperator() {
  const body = signupBody();
  const created = expectSignedUp(await api.client.POST('/v2/signup', { body }));
  return { ...body, ...created };
}

async function logIn(email: string, password: string, userAgent = BROWSER): Promise<Pair> {
  const result = expectData(await api.client.POST('/v2/auth/login', { body: { email, password }, headers: { 'user-agent': userAgent } }), 200);
  if (!('accessToken' in result)) throw new Error('expected tokens');
  return result;
}

// Body mode: a missing refresh token would be a 400, not the answer a test expects.
const refresh = (refreshToken: string | undefined) => api.client.POST('/v2/auth/refresh', { body: { refreshToken } });
const listSessions = async (accessToken: string) => expectData(await api.as(accessToken).GET('/v2/me/sessions'), 200).items;
const endSession = (accessToken: string, sessionId: string) => api.as(accessToken).DELETE('/v2/me/sessions/{sessionId}', { params: { path: { sessionId } } });
const endMemberSessions = (accessToken: string, accountId: string, userId: string) =>
  api.as(accessToken).DELETE('/v2/accounts/{accountId}/members/{userId}/sessions', { params: { path: { accountId, userId } } });

/** The id of the session an access token belongs to, read off the list's `current`. */
async function currentSessionId(accessToken: string): Promise<string> {
  const current = (await listSessions(accessToken)).find((session) => session.current);
  if (!current) throw new Error('no current session');
  return current.id;
}

describe('GET /v2/me/sessions', () => {
  it('lists each login with when, where (network only) and what; no token, no hash, no full address', async () => {
    const person = await newOperator();
    const laptop = await logIn(person.email, person.password);
    const script = await logIn(person.email, person.password, 'curl/8.5.0');

    const response = await api.as(laptop.accessToken).GET('/v2/me/sessions');

    const { items } = SessionList.parse(expectData(response, 200));
    expect(items).toHaveLength(3);
    // Newest first: the two logins, then the session signup started.
    expect(items.slice(0, 2).map((session) => session.userAgent)).toEqual(['curl/8.5.0', BROWSER]);
    expect(items.filter((session) => session.current)).toEqual([expect.objectContaining({ userAgent: BROWSER })]);
    for (const session of items.slice(0, 2)) {
      expect(session).toMatchObject({ id: expect.stringMatching(/^fam_/) as string, amr: ['pwd'], ipPrefix: '127.0.0.0/24' });
      expect(Date.parse(session.lastUsedAt)).toBeGreaterThanOrEqual(Date.parse(session.createdAt));
    }
    const text = JSON.stringify(response.data);
    for (const secret of [laptop.refreshToken, laptop.accessToken, script.refreshToken, person.refreshToken, '127.0.0.1']) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/prt_|tokenHash|[0-9a-f]{64}/);
  });

  it('lists the session a signup started, with its browser and network like a login', async () => {
    const body = signupBody();
    const created = expectSignedUp(await api.client.POST('/v2/signup', { body, headers: { 'user-agent': BROWSER } }));

    expect(await listSessions(created.accessToken)).toEqual([
      expect.objectContaining({ current: true, userAgent: BROWSER, ipPrefix: '127.0.0.0/24', amr: ['pwd'] }),
    ]);
  });

  it('keeps at most 256 characters of a User-Agent', async () => {
    const person = await newOperator();
    const pair = await logIn(person.email, person.password, `Agent/${'x'.repeat(2000)}`);

    const [newest] = await listSessions(pair.accessToken);

    expect(newest?.userAgent).toHaveLength(256);
  });

  it('answers 401 without a bearer token and for an access key', async () => {
    expect((await api.raw('GET', '/v2/me/sessions')).status).toBe(401);
    expect((await api.raw('GET', '/v2/me/sessions', { headers: { apikey: 'pk_not-a-key' } })).status).toBe(401);
    expect((await api.raw('DELETE', '/v2/me/sessions')).status).toBe(401);
    expect((await api.raw('DELETE', '/v2/me/sessions/fam_x')).status).toBe(401);
  });
});

describe('DELETE /v2/me/sessions/{sessionId}', () => {
  it('ending a session makes its refresh fail at once; the other sessions go on', async () => {
    const person = await newOperator();
    const stolen = await logIn(person.email, person.password, 'Stolen/1.0');
    const mine = await logIn(person.email, person.password);
    const stolenId = (await listSessions(mine.accessToken)).find((session) => session.userAgent === 'Stolen/1.0')?.id ?? '';

    expectStatus(await endSession(mine.accessToken, stolenId), 204);

    expectProblem(await refresh(stolen.refreshToken), 401, 'invalid_refresh_token');
    expectData(await refresh(mine.refreshToken), 200);
    expect((await listSessions(mine.accessToken)).map((session) => session.id)).not.toContain(stolenId);
  });

  it('may end the current session: its refresh token stops working', async () => {
    const person = await newOperator();
    const pair = await logIn(person.email, person.password);

    expectStatus(await endSession(pair.accessToken, await currentSessionId(pair.accessToken)), 204);

    expectProblem(await refresh(pair.refreshToken), 401, 'invalid_refresh_token');
  });

  it("another operator's session id answers 404 like an unknown one, and nothing ends", async () => {
    const victim = await newOperator();
    const attacker = await newOperator();
    const victimPair = await logIn(victim.email, victim.password);
    const victimSession = await currentSessionId(victimPair.accessToken);

    const theirs = expectProblem(await endSession(attacker.accessToken, victimSession), 404, 'not_found');
    const unknown = expectProblem(await endSession(attacker.accessToken, 'fam_00000000000000000000000000000000'), 404, 'not_found');

    const { instance: _a, ...theirsShape } = theirs;
    const { instance: _b, ...unknownShape } = unknown;
    expect(theirsShape).toEqual(unknownShape);
    expectData(await refresh(victimPair.refreshToken), 200);
  });

  it('an ended session cannot be ended twice (404), and bad ids are a 400 naming the field, never a 500', async () => {
    const person = await newOperator();
    const pair = await logIn(person.email, person.password);
    const other = await logIn(person.email, person.password, 'Other/1.0');
    const otherId = (await listSessions(pair.accessToken)).find((session) => session.userAgent === 'Other/1.0')?.id ?? '';
    expectStatus(await endSession(pair.accessToken, otherId), 204);
    expectProblem(await endSession(pair.accessToken, otherId), 404, 'not_found');
    expectProblem(await refresh(other.refreshToken), 401);

    for (const bad of ['..%2F..%2Fx', '%00', 'x'.repeat(65), 'fam_%27%20OR%201%3D1', '%F0%9F%98%80']) {
      const response = await api.raw('DELETE', `/v2/me/sessions/${bad}`, { token: pair.accessToken });
      expect([400, 404], `${bad}: ${response.status}`).toContain(response.status);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      if (response.status === 400) expect(response.body).toMatchObject({ errors: [{ field: 'params.sessionId' }] });
    }
    expectData(await refresh(pair.refreshToken), 200);
  });
});

describe('DELETE /v2/me/sessions (sign out everywhere)', () => {
  it('ends every session of the caller, the current one included, and no one else’s', async () => {
    const person = await newOperator();
    const other = await newOperator();
    const pairs = [await logIn(person.email, person.password), await logIn(person.email, person.password)];
    const bystander = await logIn(other.email, other.password);

    expectStatus(await api.as(pairs[0]?.accessToken ?? '').DELETE('/v2/me/sessions'), 204);

    for (const refreshToken of [person.refreshToken, ...pairs.map((pair) => pair.refreshToken)]) expectProblem(await refresh(refreshToken), 401, 'invalid_refresh_token');
    expectData(await refresh(bystander.refreshToken), 200);
    // The access token in hand lives out its 15 minutes; the list it reads is empty.
    expect(await listSessions(pairs[0]?.accessToken ?? '')).toEqual([]);
  });
});

describe('DELETE /v2/accounts/{accountId}/members/{userId}/sessions', () => {
  it("an owner ends a member's sessions: the member's refresh fails at once; audited", async () => {
    const { accountId, owner } = await createAccount(api);
    const member = await addMember(api, accountId, 'viewer');
    const memberPair = await logIn(member.email, member.password);

    expectStatus(await endMemberSessions(owner.accessToken, accountId, member.userId), 204);

    expectProblem(await refresh(memberPair.refreshToken), 401, 'invalid_refresh_token');
    const { items } = await auditRepository().listEvents({ accountId, type: MEMBER_SESSIONS_ENDED, limit: 10 });
    expect(items).toMatchObject([{ actor: { kind: 'operator', id: owner.userId }, target: { type: 'member', id: member.userId }, details: { sessionsEnded: 2 } }]);
  });

  it("managers and viewers get 403, another account's owner 404, and the member's sessions survive", async () => {
    const { accountId } = await createAccount(api);
    const member = await addMember(api, accountId, 'viewer');
    const memberPair = await logIn(member.email, member.password);
    const manager = await addMember(api, accountId, 'manager');
    const viewer = await addMember(api, accountId, 'viewer');
    const stranger = await createAccount(api);

    expectProblem(await endMemberSessions(manager.accessToken, accountId, member.userId), 403, 'forbidden');
    expectProblem(await endMemberSessions(viewer.accessToken, accountId, member.userId), 403, 'forbidden');
    expectProblem(await endMemberSessions(stranger.owner.accessToken, accountId, member.userId), 404);
    expectProblem(await endMemberSessions(stranger.owner.accessToken, stranger.accountId, member.userId), 404);

    expectData(await refresh(memberPair.refreshToken), 200);
  });

  it('a member who belongs to another account too: 409 member_in_other_accounts, nothing ends', async () => {
    const { accountId, owner } = await createAccount(api);
    const elsewhere = await createAccount(api);
    await operatorStore().addMembership({ accountId, userId: elsewhere.owner.userId, role: 'viewer', scope: 'all', createdAt: new Date().toISOString() });
    const theirPair = await logIn(elsewhere.owner.email, elsewhere.owner.password);

    expectProblem(await endMemberSessions(owner.accessToken, accountId, elsewhere.owner.userId), 409, 'member_in_other_accounts');

    expectData(await refresh(theirPair.refreshToken), 200);
  });

  it('a user id that is not a member is a 404; a malformed one a 400 naming the field', async () => {
    const { accountId, owner } = await createAccount(api);
    expectProblem(await endMemberSessions(owner.accessToken, accountId, 'usr_00000000000000000000000000000000'), 404, 'not_found');
    const malformed = await api.raw('DELETE', `/v2/accounts/${accountId}/members/${'%24'.repeat(3)}/sessions`, { token: owner.accessToken });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ errors: [{ field: 'params.userId' }] });
  });
});

describe('lifetimes, with the server clock moved', () => {
  const DAY = 24 * 60 * 60 * 1000;

  afterEach(() => {
    vi.useRealTimers();
  });

  it('are the deployment settings (30 days absolute, 7 days idle here)', () => {
    // No rotation grace in the tests (test/support/environment.ts); test/e2e/refresh-grace.test.ts has the default.
    expect(config().sessions).toEqual({ absoluteSeconds: 30 * DAY / 1000, idleSeconds: 7 * DAY / 1000, refreshGraceSeconds: 0 });
  });

  it('a session past its absolute lifetime cannot refresh even if refreshed daily', async () => {
    const person = await newOperator();
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const start = Date.now();
    let pair = await logIn(person.email, person.password);
    for (let day = 1; day < 30; day++) {
      vi.setSystemTime(start + day * DAY);
      pair = expectData(await refresh(pair.refreshToken), 200);
    }
    vi.setSystemTime(start + 30 * DAY - 60_000);
    pair = expectData(await refresh(pair.refreshToken), 200);

    vi.setSystemTime(start + 30 * DAY + 1000);

    expectProblem(await refresh(pair.refreshToken), 401, 'expired');
    const fresh = await logIn(person.email, person.password);
    expect((await listSessions(fresh.accessToken)).map((session) => session.current)).toEqual([true]);
  });

  it('a session unused for the idle timeout ends (401 expired, family revoked); a used one goes on', async () => {
    const person = await newOperator();
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const start = Date.now();
    const idle = await logIn(person.email, person.password, 'Idle/1.0');
    let used = await logIn(person.email, person.password, 'Used/1.0');
    vi.setSystemTime(start + 6 * DAY);
    used = expectData(await refresh(used.refreshToken), 200);

    vi.setSystemTime(start + 7 * DAY + 1000);

    expectProblem(await refresh(idle.refreshToken), 401, 'expired');
    expectProblem(await refresh(idle.refreshToken), 401, 'invalid_refresh_token');
    used = expectData(await refresh(used.refreshToken), 200);
    const listed = await listSessions(used.accessToken);
    expect(listed.map((session) => session.userAgent)).toEqual(['Used/1.0']);
    expect(listed[0]?.lastUsedAt).toBe(new Date(start + 7 * DAY + 1000).toISOString());
  });
});
