/**
 * Fault injection end to end: the local server over DynamoDB Local, with chosen DynamoDB calls made to
 * throttle or time out (test/support/faults.ts) and SNS made to refuse. Each route answers a problem
 * (503 `service_unavailable` with Retry-After, or 502 `sms_failed`), and afterwards the data is
 * consistent: nothing half-written, nothing spent by the failed attempt, the same request works again.
 */
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { localDynamoDbClient } from '#local/dynamodb-local.ts';
import { config } from '#shared/config.ts';
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
import { hashSecret } from '#shared/domain/kernel/secrets.ts';
import { SMS_DAILY_SHARDS } from '#shared/domain/sign-in/sms-limits.ts';
import { signupBody, strongPassword, uniqueEmail } from '#test/support/factories.ts';
import { faultFigures, Faults, keyPrefix, touches, type FaultKind } from '#test/support/faults.ts';
import { rawItem } from '#test/support/keys-events.ts';
import type { ApiResult, CompleteSignInInput, StartSignInInput } from '#client/index.ts';
import { expectData, expectSignedUp, useLocalApi } from '#test/support/local-api.ts';
import { createApiKey, eventsOf } from '#test/support/organizations.ts';
import { lastPin, signInFixture, smsTo, type SignInFixture } from '#test/support/sign-in.ts';
import { createAccount } from '#test/support/tenancy.ts';
import { mailedInvitationToken } from '#test/support/invitations.ts';
import { referenceCode } from '#test/support/totp.ts';

const api = useLocalApi();
const faults = new Faults();

afterEach(() => {
  faults.clear();
});
afterAll(() => {
  console.log(`faults: ${faultFigures.injected} injected across ${faultFigures.routes.size} routes`);
});

/** A problem answer the client can act on: 503 + Retry-After, or 502 sms_failed. */
function expectProblem(answer: ApiResult<unknown>, route: string, status: 503 | 502 = 503): void {
  faultFigures.routes.add(route);
  const { response, error } = answer;
  expect(response.status, JSON.stringify(error)).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(error).toMatchObject({ status, code: status === 503 ? 'service_unavailable' : 'sms_failed', type: expect.any(String) as string, title: expect.any(String) as string });
  if (status === 503) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(faults.unfired()).toEqual([]);
}

/** `POST /v2/user/authenticate` with an access key, through the typed client. */
const startSignIn = (apikey: string, body: StartSignInInput) => api.as({ apikey }).startSignIn(body);
/** `POST /v2/system/authenticate/user` with an access key, through the typed client. */
const completeSignIn = (apikey: string, body: CompleteSignInInput) => api.as({ apikey }).completeSignIn(body);

const KINDS: FaultKind[] = ['throttle', 'timeout'];

/** Writes around the fault middleware (another writer's commit). */
let rawClient: DynamoDBDocumentClient | undefined;
const raw = () => (rawClient ??= DynamoDBDocumentClient.from(localDynamoDbClient(config().dynamodbEndpoint ?? '')));
async function rawWrite(command: PutCommand | DeleteCommand): Promise<void> {
  await (command instanceof PutCommand ? raw().send(command) : raw().send(command));
}

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
async function expectNoBudgetSpent(f: SignInFixture, signIn: StartSignInInput): Promise<void> {
  expect(await subjectSends(f)).toEqual([]);
  expect(await smsCountToday(f.orgId)).toBe(0);
  expect(await smsTo(api, f.user.phone)).toHaveLength(0);
  expectData(await startSignIn(f.apikey, signIn), 202);
  expect(await subjectSends(f)).toHaveLength(1);
  expect(await smsCountToday(f.orgId)).toBe(1);
}

describe('operator sessions under faults', () => {
  it.each(KINDS)('signup: %s on the account transaction → 503, no half account, the email is free', async (kind) => {
    const body = signupBody();
    faults.fail({ kind, command: 'TransactWriteItems', when: touches(keyPrefix(userEmailKey)) });
    expectProblem(await api.client.POST('/v2/signup', { body }), 'POST /v2/signup');
    expect(await rawItem(userEmailKey(body.email.toLowerCase()))).toBeUndefined();
    const again = expectSignedUp(await api.client.POST('/v2/signup', { body }));
    expect(await rawItem(userKey(again.userId))).toBeDefined();
  });

  it.each(KINDS)('login: %s reading the operator → 503; the next login works', async (kind) => {
    const { owner } = await createAccount(api);
    faults.fail({ kind, command: 'GetItem', when: touches(keyPrefix(userEmailKey)) });
    const credentials = { email: owner.email, password: owner.password };
    expectProblem(await api.client.POST('/v2/auth/login', { body: credentials }), 'POST /v2/auth/login');
    expectData(await api.client.POST('/v2/auth/login', { body: credentials }), 200);
  });

  it.each(KINDS)('refresh: %s on the rotation → 503; the refresh token is not burnt', async (kind) => {
    const { refreshToken } = expectSignedUp(await api.client.POST('/v2/signup', { body: signupBody() }));
    faults.fail({ kind, command: 'TransactWriteItems', when: touches(keyPrefix(refreshTokenKey)) });
    expectProblem(await api.client.POST('/v2/auth/refresh', { body: { refreshToken } }), 'POST /v2/auth/refresh');
    expectData(await api.client.POST('/v2/auth/refresh', { body: { refreshToken } }), 200);
  });

  it('TOTP confirm: throttled → 503; TOTP stays off and the same code confirms on retry', async () => {
    const { owner } = await createAccount(api);
    const client = api.as(owner.accessToken);
    const started = expectData(await client.POST('/v2/me/mfa/totp', { body: { password: owner.password } }), 200);
    faults.fail({ kind: 'throttle', command: 'TransactWriteItems' });
    const code = referenceCode(started.secret);
    expectProblem(await client.POST('/v2/me/mfa/totp/confirm', { body: { code } }), 'POST /v2/me/mfa/totp/confirm');
    expect(expectData(await client.GET('/v2/me'), 200).mfa.totp).toBe(false);
    // The failed attempt did not spend the code: the same one confirms now.
    expectData(await client.POST('/v2/me/mfa/totp/confirm', { body: { code } }), 200);
  });

  it('accept invitation: throttled → 503; the invitation is still open and joins once', async () => {
    const { accountId, owner } = await createAccount(api);
    const invitee = uniqueEmail('invitee');
    const client = api.as(owner.accessToken);
    const path = { params: { path: { accountId } } };
    const invited = expectData(await client.POST('/v2/accounts/{accountId}/invitations', { ...path, body: { email: invitee, role: 'viewer', scope: 'all' } }), 201);
    const body = { token: await mailedInvitationToken(api, invited.email), password: strongPassword() };
    faults.fail({ kind: 'throttle', command: 'TransactWriteItems', when: touches(keyPrefix(userEmailKey)) });
    expectProblem(await api.client.POST('/v2/invitations/accept', { body }), 'POST /v2/invitations/accept');
    expect(await rawItem(userEmailKey(invitee.toLowerCase()))).toBeUndefined();
    expectData(await api.client.POST('/v2/invitations/accept', { body }), 200);
    expect(expectData(await client.GET('/v2/accounts/{accountId}/members', path), 200).items).toHaveLength(2);
  });
});

describe('tenancy under faults', () => {
  it.each(KINDS)('create organization: %s → 503; no organization, no audit event', async (kind) => {
    const { accountId, owner } = await createAccount(api);
    faults.fail({ kind, command: 'TransactWriteItems', when: touches(keyPrefix(organizationKey)) });
    const client = api.as(owner.accessToken);
    const path = { params: { path: { accountId } } };
    expectProblem(await client.POST('/v2/accounts/{accountId}/organizations', { ...path, body: { name: 'Acme' } }), 'POST /v2/accounts/{accountId}/organizations');
    expect(expectData(await client.GET('/v2/accounts/{accountId}/organizations', path), 200).items).toEqual([]);
    expect((await eventsOf(accountId)).filter((event) => event.type === 'organization.created')).toEqual([]);
  });

  it('read organization: timeout → 503 (not 404)', async () => {
    const { accountId, owner } = await createAccount(api);
    const client = api.as(owner.accessToken);
    const created = expectData(await client.POST('/v2/accounts/{accountId}/organizations', { params: { path: { accountId } }, body: { name: 'Acme' } }), 201);
    faults.fail({ kind: 'timeout', command: 'GetItem', when: touches(keyPrefix(organizationKey)) });
    expectProblem(await client.GET('/v2/organizations/{orgId}', { params: { path: { orgId: created.id } } }), 'GET /v2/organizations/{orgId}');
  });

  it.each(KINDS)('create key: %s → 503; no key, no audit event', async (kind) => {
    const { accountId, owner } = await createAccount(api);
    faults.fail({ kind, command: 'TransactWriteItems', when: touches(keyPrefix(apiKeyKey)) });
    const client = api.as(owner.accessToken);
    const path = { params: { path: { accountId } } };
    expectProblem(
      await client.POST('/v2/accounts/{accountId}/keys', { ...path, body: { name: 'ci', permissions: ['manage'], organizations: 'all' } }),
      'POST /v2/accounts/{accountId}/keys',
    );
    expect(expectData(await client.GET('/v2/accounts/{accountId}/keys', path), 200).items).toEqual([]);
    expect((await eventsOf(accountId)).filter((event) => event.type.startsWith('key.') || event.type.startsWith('api_key.'))).toEqual([]);
  });

  // Routes behind the gateway's `apikey` authorizer are not covered here: when DynamoDB fails inside a
  // Lambda authorizer, API Gateway (HTTP API) answers its own 500, and a "retry" verdict would be
  // cached for the key's TTL (see README, choices). `bearer-or-apikey` routes verify keys themselves.
  it('a manage key whose lookup times out gets 503, not 401', async () => {
    const f = await signInFixture(api);
    const manageKey = await createApiKey(f.account.accountId, ['manage'], [f.orgId]);
    faults.fail({ kind: 'timeout', command: 'GetItem', when: touches(keyPrefix(apiKeyKey)) });
    const withKey = api.as({ apikey: manageKey });
    const path = { params: { path: { orgId: f.orgId } } };
    expectProblem(await withKey.GET('/v2/organizations/{orgId}/users', path), 'GET /v2/organizations/{orgId}/users');
    expectData(await withKey.GET('/v2/organizations/{orgId}/users', path), 200);
  });

  it('create end user: throttled → 503; the email stays free', async () => {
    const { accountId, owner } = await createAccount(api);
    const client = api.as(owner.accessToken);
    const org = expectData(await client.POST('/v2/accounts/{accountId}/organizations', { params: { path: { accountId } }, body: { name: 'Acme' } }), 201);
    const body = { email: uniqueEmail('eu'), phone: '+33612345678' };
    const path = { params: { path: { orgId: org.id } } };
    faults.fail({ kind: 'throttle', command: 'TransactWriteItems' });
    expectProblem(await client.POST('/v2/organizations/{orgId}/users', { ...path, body }), 'POST /v2/organizations/{orgId}/users');
    expectData(await client.POST('/v2/organizations/{orgId}/users', { ...path, body }), 201);
  });
});

describe('sign-in under faults', () => {
  it('start: SNS refuses → 502 sms_failed; the challenge is void, the budget given back, a retry is sent', async () => {
    const f = await signInFixture(api);
    const signIn = { email: f.user.email, system: f.system.name };
    faults.failSms();
    const failed = await startSignIn(f.apikey, signIn);
    expectProblem(failed, 'POST /v2/user/authenticate', 502);
    const voided = (await eventsOf(f.account.accountId)).find((event) => event.type === 'challenge.failed' && event.details.reason === 'sms_failed');
    const challengeId = voided?.details.challengeId as string;
    expect((await rawItem(challengeKey(challengeId)))?.status).toBe('void');
    // Nothing completes the unsent challenge, whatever PIN is tried.
    expect((await completeSignIn(f.apikey, { ...signIn, challengeId, pin: '123456' })).response.status).toBe(401);
    await expectNoBudgetSpent(f, signIn);
  });

  it.each(KINDS)('start: %s storing the challenge → 503; no challenge, no SMS, no budget spent', async (kind) => {
    const f = await signInFixture(api);
    const signIn = { email: f.user.email, system: f.system.name };
    faults.fail({ kind, command: 'TransactWriteItems', when: touches(keyPrefix(challengeKey)) });
    expectProblem(await startSignIn(f.apikey, signIn), 'POST /v2/user/authenticate');
    await expectNoBudgetSpent(f, signIn);
  });

  it('start: throttled on the SMS counters committed with the challenge → 503; nothing spent', async () => {
    const f = await signInFixture(api);
    const signIn = { email: f.user.email, system: f.system.name };
    faults.fail({ kind: 'throttle', command: 'TransactWriteItems', when: touches(keyPrefix((id: string) => smsDailyShardKey(id, '', 0))) });
    expectProblem(await startSignIn(f.apikey, signIn), 'POST /v2/user/authenticate');
    await expectNoBudgetSpent(f, signIn);
  });

  it('start: the planned daily shard fills up before the commit, then the slow path is throttled on the daily counter → 503; the per-user slot is given back', async () => {
    const f = await signInFixture(api);
    const signIn = { email: f.user.email, system: f.system.name };
    const dailyPrefix = keyPrefix((id: string) => smsDailyShardKey(id, '', 0));
    // Another writer fills the very shard this start planned to count on, just before its commit: the
    // commit is cancelled (nothing written) and the start reserves one counter at a time instead.
    let filled: Record<string, unknown> | undefined;
    faults.interleave({
      command: 'TransactWriteItems',
      when: touches(dailyPrefix),
      run: async (input) => {
        const update = (input.TransactItems as { Update?: { Key: { pk: { S: string }; sk: { S: string } }; ExpressionAttributeValues: Record<string, { N?: string }> } }[])
          .map((item) => item.Update)
          .find((item) => item?.Key.pk.S.startsWith(dailyPrefix));
        if (!update) throw new Error('no daily shard in the start transaction');
        filled = { pk: update.Key.pk.S, sk: update.Key.sk.S };
        await rawWrite(new PutCommand({ TableName: config().tableName, Item: { ...filled, count: Number(update.ExpressionAttributeValues[':cap']?.N) } }));
      },
    });
    faults.fail({ kind: 'throttle', command: 'UpdateItem', when: touches(dailyPrefix) });
    expectProblem(await startSignIn(f.apikey, signIn), 'POST /v2/user/authenticate');
    // The other writer's count goes away again; what is left is this start's, and it must be nothing.
    await rawWrite(new DeleteCommand({ TableName: config().tableName, Key: filled }));
    await expectNoBudgetSpent(f, signIn);
  });

  it('start: 10 concurrent starts for one email → exactly one SMS, the others 429 (the planned counters race, the losers re-read)', async () => {
    const f = await signInFixture(api);
    const signIn = { email: f.user.email, system: f.system.name };
    const answers = await Promise.all(Array.from({ length: 10 }, () => startSignIn(f.apikey, signIn)));
    const statuses = answers.map((answer) => answer.response.status).sort();
    expect(statuses).toEqual([202, ...Array.from({ length: 9 }, () => 429)]);
    expect(await smsTo(api, f.user.phone)).toHaveLength(1);
    expect(await subjectSends(f)).toHaveLength(1);
    expect(await smsCountToday(f.orgId)).toBe(1);
  });

  it.each(KINDS)('complete: %s consuming the challenge → 503; the PIN is not spent and works on retry', async (kind) => {
    const f = await signInFixture(api);
    const signIn = { email: f.user.email, system: f.system.name };
    expectData(await startSignIn(f.apikey, signIn), 202);
    const pin = await lastPin(api, f.user.phone);
    faults.fail({ kind, command: 'TransactWriteItems', when: touches(keyPrefix(challengeKey)) });
    expectProblem(await completeSignIn(f.apikey, { ...signIn, pin }), 'POST /v2/system/authenticate/user');
    expect(expectData(await completeSignIn(f.apikey, { ...signIn, pin }), 200).authenticated).toBe(true);
  });

  it('step-up to a second SMS factor: SNS refuses → 502; the challenge is void, the daily SMS given back', async () => {
    const f = await signInFixture(api, { policy: { factors: ['passwordless', 'pin'] }, passwordlessUrl: 'https://portal.example.com/in' });
    const signIn = { email: f.user.email, system: f.system.name };
    const started = expectData(await startSignIn(f.apikey, signIn), 202);
    const [sms] = await smsTo(api, f.user.phone);
    const passwordless = / sign in (\S+)$/.exec(sms?.body ?? '')?.[1] ?? '';
    expect(await smsCountToday(f.orgId)).toBe(1);
    faults.failSms();
    expectProblem(await completeSignIn(f.apikey, { ...signIn, passwordless }), 'POST /v2/system/authenticate/user', 502);
    expect((await rawItem(challengeKey(started.challengeId)))?.status).toBe('void');
    expect(await smsCountToday(f.orgId)).toBe(1);
  });
});
