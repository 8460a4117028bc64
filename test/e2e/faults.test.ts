/**
 * Fault injection end to end: the local server over DynamoDB Local, with chosen DynamoDB calls made to
 * throttle or time out (test/support/faults.ts) and SNS made to refuse. Each route answers a problem
 * (503 `service_unavailable` with Retry-After, or 502 `sms_failed`), and afterwards the data is
 * consistent: nothing half-written, nothing spent by the failed attempt, the same request works again.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  apiKeyKey,
  challengeKey,
    organizationKey,
  refreshTokenKey,
  smsDailyShardKey,
  smsSubjectLimitKey,
  userEmailKey,
  userKey,
} from '#shared/data/keys.ts';
import { hashSecret } from '#shared/domain/secrets.ts';
import { SMS_DAILY_SHARDS } from '#shared/domain/sms-limits.ts';
import { signupBody, strongPassword, uniqueEmail } from '#test/support/factories.ts';
import { faultFigures, Faults, keyPrefix, touches, type FaultKind } from '#test/support/faults.ts';
import { rawItem } from '#test/support/keys-events.ts';
import type { ApiResponse } from '#test/support/local-api.ts';
import { useLocalApi } from '#test/support/local-api.ts';
import { createApiKey, eventsOf } from '#test/support/organizations.ts';
import { completeSignIn, lastPin, signInFixture, smsTo, startSignIn, type SignInFixture } from '#test/support/sign-in.ts';
import { createAccount } from '#test/support/tenancy.ts';
import { oathtoolCode } from '#test/support/totp.ts';

const api = useLocalApi();
const faults = new Faults();

afterEach(() => {
  faults.clear();
});
afterAll(() => {
  console.log(`faults: ${faultFigures.injected} injected across ${faultFigures.routes.size} routes`);
});

/** A problem answer the client can act on: 503 + Retry-After, or 502 sms_failed. */
function expectProblem(response: Pick<ApiResponse<unknown>, 'status' | 'headers' | 'body'>, route: string, status: 503 | 502 = 503): void {
  faultFigures.routes.add(route);
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const body = response.body as Record<string, unknown>;
  expect(body).toMatchObject({ status, code: status === 503 ? 'service_unavailable' : 'sms_failed' });
  expect([typeof body.type, typeof body.title]).toEqual(['string', 'string']);
  if (status === 503) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(faults.unfired()).toEqual([]);
}

const KINDS: FaultKind[] = ['throttle', 'timeout'];

/** Sum of the organization's daily SMS shards today, read raw. */
async function smsCountToday(orgId: string): Promise<number> {
  const day = new Date().toISOString().slice(0, 10);
  let total = 0;
  for (let shard = 0; shard < SMS_DAILY_SHARDS; shard++) total += ((await rawItem(smsDailyShardKey(orgId, day, shard)))?.count as number | undefined) ?? 0;
  return total;
}

/** The SMS times the per-subject limit holds for a sign-in email, read raw. */
async function subjectSends(f: SignInFixture): Promise<number[]> {
  return ((await rawItem(smsSubjectLimitKey(f.orgId, hashSecret(`${f.orgId}:${f.user.email.toLowerCase()}`))))?.sentAt as number[] | undefined) ?? [];
}

/** No budget taken, no SMS sent, and a retry right away is neither 429 (interval) nor anything but 202. */
async function expectNoBudgetSpent(f: SignInFixture, signIn: Record<string, unknown>): Promise<void> {
  expect(await subjectSends(f)).toEqual([]);
  expect(await smsCountToday(f.orgId)).toBe(0);
  expect(await smsTo(api, f.user.phone)).toHaveLength(0);
  const retry = await startSignIn(api, f.apikey, signIn);
  expect(retry.status).toBe(202);
  expect(await subjectSends(f)).toHaveLength(1);
  expect(await smsCountToday(f.orgId)).toBe(1);
}

describe('operator sessions under faults', () => {
  it.each(KINDS)('signup: %s on the account transaction → 503, no half account, the email is free', async (kind) => {
    const body = signupBody();
    faults.fail({ kind, command: 'TransactWriteItems', when: touches(keyPrefix(userEmailKey)) });
    expectProblem(await api.request('POST', '/v2/signup', { body }), 'POST /v2/signup');
    expect(await rawItem(userEmailKey(body.email.toLowerCase()))).toBeUndefined();
    const again = await api.request<{ userId: string }>('POST', '/v2/signup', { body });
    expect(again.status).toBe(201);
    expect(await rawItem(userKey(again.body.userId))).toBeDefined();
  });

  it.each(KINDS)('login: %s reading the operator → 503; the next login works', async (kind) => {
    const { owner } = await createAccount(api);
    faults.fail({ kind, command: 'GetItem', when: touches(keyPrefix(userEmailKey)) });
    expectProblem(await api.request('POST', '/v2/auth/login', { body: { email: owner.email, password: owner.password } }), 'POST /v2/auth/login');
    expect((await api.request('POST', '/v2/auth/login', { body: { email: owner.email, password: owner.password } })).status).toBe(200);
  });

  it.each(KINDS)('refresh: %s on the rotation → 503; the refresh token is not burnt', async (kind) => {
    const signup = await api.request<{ refreshToken: string }>('POST', '/v2/signup', { body: signupBody() });
    const { refreshToken } = signup.body;
    faults.fail({ kind, command: 'TransactWriteItems', when: touches(keyPrefix(refreshTokenKey)) });
    expectProblem(await api.request('POST', '/v2/auth/refresh', { body: { refreshToken } }), 'POST /v2/auth/refresh');
    expect((await api.request('POST', '/v2/auth/refresh', { body: { refreshToken } })).status).toBe(200);
  });

  it('TOTP confirm: throttled → 503; TOTP stays off and the same code confirms on retry', async () => {
    const { owner } = await createAccount(api);
    const started = await api.request<{ secret: string }>('POST', '/v2/me/mfa/totp', { token: owner.accessToken, body: { password: owner.password } });
    faults.fail({ kind: 'throttle', command: 'TransactWriteItems' });
    const code = oathtoolCode(started.body.secret);
    expectProblem(await api.request('POST', '/v2/me/mfa/totp/confirm', { token: owner.accessToken, body: { code } }), 'POST /v2/me/mfa/totp/confirm');
    const me = await api.request<{ mfa: { totp: boolean } }>('GET', '/v2/me', { token: owner.accessToken });
    expect(me.body.mfa.totp).toBe(false);
    // The failed attempt did not spend the code: the same one confirms now.
    const confirmed = await api.request('POST', '/v2/me/mfa/totp/confirm', { token: owner.accessToken, body: { code } });
    expect(confirmed.status).toBe(200);
  });

  it('accept invitation: throttled → 503; the invitation is still open and joins once', async () => {
    const { accountId, owner } = await createAccount(api);
    const invitee = uniqueEmail('invitee');
    const invited = await api.request<{ token: string }>('POST', `/v2/accounts/${accountId}/invitations`, {
      token: owner.accessToken,
      body: { email: invitee, role: 'viewer', scope: 'all' },
    });
    const body = { token: invited.body.token, password: strongPassword() };
    faults.fail({ kind: 'throttle', command: 'TransactWriteItems', when: touches(keyPrefix(userEmailKey)) });
    expectProblem(await api.request('POST', '/v2/invitations/accept', { body }), 'POST /v2/invitations/accept');
    expect(await rawItem(userEmailKey(invitee.toLowerCase()))).toBeUndefined();
    expect((await api.request('POST', '/v2/invitations/accept', { body })).status).toBe(200);
    const members = await api.request<{ items: unknown[] }>('GET', `/v2/accounts/${accountId}/members`, { token: owner.accessToken });
    expect(members.body.items).toHaveLength(2);
  });
});

describe('tenancy under faults', () => {
  it.each(KINDS)('create organization: %s → 503; no organization, no audit event', async (kind) => {
    const { accountId, owner } = await createAccount(api);
    faults.fail({ kind, command: 'TransactWriteItems', when: touches(keyPrefix(organizationKey)) });
    expectProblem(await api.request('POST', `/v2/accounts/${accountId}/organizations`, { token: owner.accessToken, body: { name: 'Acme' } }), 'POST /v2/accounts/{accountId}/organizations');
    const listed = await api.request<{ items: unknown[] }>('GET', `/v2/accounts/${accountId}/organizations`, { token: owner.accessToken });
    expect(listed.body.items).toEqual([]);
    expect((await eventsOf(accountId)).filter((event) => event.type === 'organization.created')).toEqual([]);
  });

  it('read organization: timeout → 503 (not 404)', async () => {
    const { accountId, owner } = await createAccount(api);
    const created = await api.request<{ id: string }>('POST', `/v2/accounts/${accountId}/organizations`, { token: owner.accessToken, body: { name: 'Acme' } });
    faults.fail({ kind: 'timeout', command: 'GetItem', when: touches(keyPrefix(organizationKey)) });
    expectProblem(await api.request('GET', `/v2/organizations/${created.body.id}`, { token: owner.accessToken }), 'GET /v2/organizations/{orgId}');
  });

  it.each(KINDS)('create key: %s → 503; no key, no audit event', async (kind) => {
    const { accountId, owner } = await createAccount(api);
    faults.fail({ kind, command: 'TransactWriteItems', when: touches(keyPrefix(apiKeyKey)) });
    expectProblem(
      await api.request('POST', `/v2/accounts/${accountId}/keys`, { token: owner.accessToken, body: { name: 'ci', permissions: ['manage'], organizations: 'all' } }),
      'POST /v2/accounts/{accountId}/keys',
    );
    const listed = await api.request<{ items: unknown[] }>('GET', `/v2/accounts/${accountId}/keys`, { token: owner.accessToken });
    expect(listed.body.items).toEqual([]);
    expect((await eventsOf(accountId)).filter((event) => event.type.startsWith('key.') || event.type.startsWith('api_key.'))).toEqual([]);
  });

  // Routes behind the gateway's `apikey` authorizer are not covered here: when DynamoDB fails inside a
  // Lambda authorizer, API Gateway (HTTP API) answers its own 500, and a "retry" verdict would be
  // cached for the key's TTL (see README, choices). `bearer-or-apikey` routes verify keys themselves.
  it('a manage key whose lookup times out gets 503, not 401', async () => {
    const f = await signInFixture(api);
    const manageKey = await createApiKey(f.account.accountId, ['manage'], [f.orgId]);
    faults.fail({ kind: 'timeout', command: 'GetItem', when: touches(keyPrefix(apiKeyKey)) });
    expectProblem(await api.request('GET', `/v2/organizations/${f.orgId}/users`, { headers: { apikey: manageKey } }), 'GET /v2/organizations/{orgId}/users');
    expect((await api.request('GET', `/v2/organizations/${f.orgId}/users`, { headers: { apikey: manageKey } })).status).toBe(200);
  });

  it('create end user: throttled → 503; the email stays free', async () => {
    const { accountId, owner } = await createAccount(api);
    const org = await api.request<{ id: string }>('POST', `/v2/accounts/${accountId}/organizations`, { token: owner.accessToken, body: { name: 'Acme' } });
    const body = { email: uniqueEmail('eu'), phone: '+33612345678' };
    faults.fail({ kind: 'throttle', command: 'TransactWriteItems' });
    expectProblem(await api.request('POST', `/v2/organizations/${org.body.id}/users`, { token: owner.accessToken, body }), 'POST /v2/organizations/{orgId}/users');
    expect((await api.request('POST', `/v2/organizations/${org.body.id}/users`, { token: owner.accessToken, body })).status).toBe(201);
  });
});

describe('sign-in under faults', () => {
  it('start: SNS refuses → 502 sms_failed; the challenge is void, the budget given back, a retry is sent', async () => {
    const f = await signInFixture(api);
    const signIn = { email: f.user.email, system: f.system.name };
    faults.failSms();
    const failed = await startSignIn(api, f.apikey, signIn);
    expectProblem(failed, 'POST /v2/user/authenticate', 502);
    const voided = (await eventsOf(f.account.accountId)).find((event) => event.type === 'challenge.failed' && event.details.reason === 'sms_failed');
    const challengeId = voided?.details.challengeId as string;
    expect((await rawItem(challengeKey(challengeId)))?.status).toBe('void');
    // Nothing completes the unsent challenge, whatever PIN is tried.
    expect((await completeSignIn(api, f.apikey, { ...signIn, challengeId, pin: '123456' })).status).toBe(401);
    await expectNoBudgetSpent(f, signIn);
  });

  it.each(KINDS)('start: %s storing the challenge → 503; no challenge, no SMS, no budget spent', async (kind) => {
    const f = await signInFixture(api);
    const signIn = { email: f.user.email, system: f.system.name };
    faults.fail({ kind, command: 'TransactWriteItems', when: touches(keyPrefix(challengeKey)) });
    expectProblem(await startSignIn(api, f.apikey, signIn), 'POST /v2/user/authenticate');
    await expectNoBudgetSpent(f, signIn);
  });

  it('start: throttled on the daily counter → 503; the per-user slot is given back', async () => {
    const f = await signInFixture(api);
    const signIn = { email: f.user.email, system: f.system.name };
    faults.fail({ kind: 'throttle', command: 'UpdateItem', when: touches(keyPrefix((id: string) => smsDailyShardKey(id, '', 0))) });
    expectProblem(await startSignIn(api, f.apikey, signIn), 'POST /v2/user/authenticate');
    await expectNoBudgetSpent(f, signIn);
  });

  it.each(KINDS)('complete: %s consuming the challenge → 503; the PIN is not spent and works on retry', async (kind) => {
    const f = await signInFixture(api);
    const signIn = { email: f.user.email, system: f.system.name };
    expect((await startSignIn(api, f.apikey, signIn)).status).toBe(202);
    const pin = await lastPin(api, f.user.phone);
    faults.fail({ kind, command: 'TransactWriteItems', when: touches(keyPrefix(challengeKey)) });
    expectProblem(await completeSignIn(api, f.apikey, { ...signIn, pin }), 'POST /v2/system/authenticate/user');
    const retry = await completeSignIn(api, f.apikey, { ...signIn, pin });
    expect(retry.status).toBe(200);
    expect(retry.body.authenticated).toBe(true);
  });

  it('step-up to a second SMS factor: SNS refuses → 502; the challenge is void, the daily SMS given back', async () => {
    const f = await signInFixture(api, { policy: { factors: ['passwordless', 'pin'] }, passwordlessUrl: 'https://portal.example.com/in' });
    const signIn = { email: f.user.email, system: f.system.name };
    const started = await startSignIn(api, f.apikey, signIn);
    expect(started.status).toBe(202);
    const [sms] = await smsTo(api, f.user.phone);
    const passwordless = / sign in (\S+)$/.exec(sms?.body ?? '')?.[1] ?? '';
    expect(await smsCountToday(f.orgId)).toBe(1);
    faults.failSms();
    expectProblem(await completeSignIn(api, f.apikey, { ...signIn, passwordless }), 'POST /v2/system/authenticate/user', 502);
    expect((await rawItem(challengeKey(started.body.challengeId)))?.status).toBe('void');
    expect(await smsCountToday(f.orgId)).toBe(1);
  });
});
