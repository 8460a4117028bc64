/**
 * A sign-in reads the end user and their access from the email guard's sign-in copy (one batched
 * read with the organization and system), so every directory change must reach that copy at once:
 * phone, status, email, grants, system re-creation. Also: a guard written before the copy existed
 * still signs in (read through the user and grant items), and the PIN sign-in's round trips.
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SuccessBody } from '#client/index.ts';
import { config } from '#shared/config.ts';
import { documentClient } from '#shared/compose/runtime.ts';
import { emailSuppressionKey, endUserEmailKey } from '#shared/data/keys.ts';
import { rawItem } from '#test/support/keys-events.ts';
import { expectData, expectStatus, useLocalApi } from '#test/support/local-api.ts';
import { createSystem, grantAccess, uniqueEndUserEmail, uniquePhone } from '#test/support/directory.ts';
import { addUser, lastEmail, lastPin, signInFixture, smsTo, type SignInFixture } from '#test/support/sign-in.ts';

const api = useLocalApi();

/** Starts a PIN sign-in: the SMS it sent (undefined for a decoy) and the challenge. */
async function start(fx: SignInFixture, email: string, system = fx.system.name) {
  const started = expectData(await api.as({ apikey: fx.apikey }).startSignIn({ email, system }), 202);
  return started;
}

/** Completes with the last PIN sent to `phone`: the answer's status and body. */
async function complete(fx: SignInFixture, email: string, phone: string, system = fx.system.name) {
  const pin = await lastPin(api, phone);
  return api.as({ apikey: fx.apikey }).completeSignIn({ email, system, pin });
}

const patchUser = async (fx: SignInFixture, userId: string, body: Record<string, unknown>) =>
  expectData(
    await api.as(fx.account.owner.accessToken).PATCH('/v2/organizations/{orgId}/users/{userId}', { params: { path: { orgId: fx.orgId, userId } }, body }),
    200,
  );

describe('sign-in after directory changes', () => {
  it('sends to the new phone after a phone change, and signs in', async () => {
    const fx = await signInFixture(api);
    const phone = uniquePhone();
    await patchUser(fx, fx.user.id, { phone });
    await start(fx, fx.user.email);
    expect(await smsTo(api, fx.user.phone)).toEqual([]);
    expect(await smsTo(api, phone)).toHaveLength(1);
    const completed = expectData(await complete(fx, fx.user.email, phone), 200);
    expect(completed).toMatchObject({ authenticated: true, user: { id: fx.user.id } });
  });

  it('gives a disabled user a decoy, and a re-enabled one a real sign-in', async () => {
    const fx = await signInFixture(api);
    const disabled = await addUser(api, fx);
    const reenabled = await addUser(api, fx);
    await patchUser(fx, disabled.id, { status: 'disabled' });
    await patchUser(fx, reenabled.id, { status: 'disabled' });
    await patchUser(fx, reenabled.id, { status: 'active' });
    await start(fx, disabled.email);
    await start(fx, reenabled.email);
    expect(await smsTo(api, disabled.phone)).toEqual([]);
    expect(await smsTo(api, reenabled.phone)).toHaveLength(1);
    expectData(await complete(fx, reenabled.email, reenabled.phone), 200);
  });

  it('signs in with the new email after an email change, keeps every grant, and answers the old email a decoy', async () => {
    const fx = await signInFixture(api);
    const token = fx.account.owner.accessToken;
    const second = await createSystem(api, fx.orgId, token, { policy: { factors: ['pin'] } });
    await grantAccess(api, fx.orgId, token, second.name, fx.user.id);
    const email = uniqueEndUserEmail('moved');
    await patchUser(fx, fx.user.id, { email });

    await start(fx, fx.user.email);
    expect(await smsTo(api, fx.user.phone)).toEqual([]);
    await start(fx, email.toLowerCase(), second.name);
    expect(await smsTo(api, fx.user.phone)).toHaveLength(1);
    const completed = expectData(await complete(fx, email, fx.user.phone, second.name), 200);
    expect(completed).toMatchObject({ authenticated: true, user: { id: fx.user.id, email } });
    // The guard of the new email carries both grants; the old one is gone.
    expect(await rawItem(endUserEmailKey(fx.orgId, fx.user.email.toLowerCase()))).toBeUndefined();
    const guard = await rawItem(endUserEmailKey(fx.orgId, email.toLowerCase()));
    expect(Object.keys(guard ?? {}).filter((name) => name.startsWith('grant:')).sort()).toEqual([`grant:${fx.system.name}`, `grant:${second.name}`].sort());
  });

  it('answers a decoy right after access is revoked, and a real sign-in right after it is granted', async () => {
    const fx = await signInFixture(api);
    const token = fx.account.owner.accessToken;
    const granted = await addUser(api, fx, { grant: false });
    await grantAccess(api, fx.orgId, token, fx.system.name, granted.id);
    expectStatus(
      await api.as(token).DELETE('/v2/organizations/{orgId}/systems/{systemName}/access/{userId}', {
        params: { path: { orgId: fx.orgId, systemName: fx.system.name, userId: fx.user.id } },
      }),
      204,
    );
    await start(fx, fx.user.email);
    await start(fx, granted.email);
    expect(await smsTo(api, fx.user.phone)).toEqual([]);
    expect(await smsTo(api, granted.phone)).toHaveLength(1);
    expectData(await complete(fx, granted.email, granted.phone), 200);
  });

  it('does not let a grant of a deleted system open its re-created namesake', async () => {
    const fx = await signInFixture(api);
    const token = fx.account.owner.accessToken;
    expectStatus(await api.as(token).DELETE('/v2/organizations/{orgId}/systems/{systemName}', { params: { path: { orgId: fx.orgId, systemName: fx.system.name } } }), 204);
    await createSystem(api, fx.orgId, token, { name: fx.system.name, policy: { factors: ['pin'] } });
    await start(fx, fx.user.email);
    expect(await smsTo(api, fx.user.phone)).toEqual([]);
  });

  it('still signs in a user whose email guard predates the sign-in copy (read through the user and grant items)', async () => {
    const fx = await signInFixture(api);
    const key = endUserEmailKey(fx.orgId, fx.user.email.toLowerCase());
    const guard = await rawItem(key);
    const legacy = Object.fromEntries(Object.entries(guard ?? {}).filter(([name]) => name !== 'user' && name !== 'signInCopy' && !name.startsWith('grant:')));
    await documentClient().send(new PutCommand({ TableName: config().tableName, Item: legacy }));
    await start(fx, fx.user.email);
    expect(await smsTo(api, fx.user.phone)).toHaveLength(1);
    expectData(await complete(fx, fx.user.email, fx.user.phone), 200);
  });

  it('gives a user with no email guard at all (an impossible state) a decoy, not an error', async () => {
    const fx = await signInFixture(api);
    await documentClient().send(new DeleteCommand({ TableName: config().tableName, Key: endUserEmailKey(fx.orgId, fx.user.email.toLowerCase()) }));
    await start(fx, fx.user.email);
    expect(await smsTo(api, fx.user.phone)).toEqual([]);
  });
});

describe('the sign-in copy under concurrent directory writes', () => {
  it('equals the user item and its grants after racing email, phone and status changes with grants and revokes', async () => {
    const fx = await signInFixture(api);
    const token = fx.account.owner.accessToken;
    const client = api.as(token);
    const systems = [fx.system.name];
    for (let i = 0; i < 3; i++) systems.push((await createSystem(api, fx.orgId, token, { policy: { factors: ['pin'] } })).name);
    const access = (systemName: string, method: 'PUT' | 'DELETE') =>
      api.request(method, `/v2/organizations/${fx.orgId}/systems/${systemName}/access/${fx.user.id}`, { token });

    for (let round = 0; round < 4; round++) {
      const answers = await Promise.all([
        client.PATCH('/v2/organizations/{orgId}/users/{userId}', { params: { path: { orgId: fx.orgId, userId: fx.user.id } }, body: { email: uniqueEndUserEmail('race') } }),
        client.PATCH('/v2/organizations/{orgId}/users/{userId}', { params: { path: { orgId: fx.orgId, userId: fx.user.id } }, body: { phone: uniquePhone() } }),
        ...systems.map((name, i) => access(name, (round + i) % 2 === 0 ? 'PUT' : 'DELETE')),
        client.PATCH('/v2/organizations/{orgId}/users/{userId}', { params: { path: { orgId: fx.orgId, userId: fx.user.id } }, body: { status: round % 2 === 0 ? 'disabled' : 'active' } }),
      ]);
      // Every write either happened or was refused as such (404 revoking a grant that is not there; 503 when retries ran out).
      for (const answer of answers) expect([200, 201, 204, 404, 503]).toContain('response' in answer ? answer.response.status : answer.status);
    }

    // The truth: the user item and the grants as the listing shows them.
    const user = expectData(await client.GET('/v2/organizations/{orgId}/users/{userId}', { params: { path: { orgId: fx.orgId, userId: fx.user.id } } }), 200);
    const granted: string[] = [];
    for (const name of systems) {
      const listed = await api.request<SuccessBody<'/v2/organizations/{orgId}/systems/{systemName}/access', 'get'>>('GET', `/v2/organizations/${fx.orgId}/systems/${name}/access`, { token });
      if (listed.body.items.some((grant) => grant.userId === fx.user.id)) granted.push(name);
    }
    const guard = await rawItem(endUserEmailKey(fx.orgId, user.email.toLowerCase()));
    expect(guard).toMatchObject({ userId: fx.user.id, signInCopy: true, user: { email: user.email, phone: user.phone, status: user.status } });
    const copied = Object.keys(guard ?? {})
      .filter((name) => name.startsWith('grant:'))
      .map((name) => name.slice('grant:'.length));
    expect(copied.sort()).toEqual(granted.sort());
  }, 120_000);
});

describe('round trips of a PIN sign-in', () => {
  const calls: string[] = [];
  let counting = false;
  // In beforeAll: the container's client reads the config, which the local server settles when it listens.
  beforeAll(() => {
    documentClient().middlewareStack.add(
      (next, context) => (args) => {
        if (counting) calls.push(context.commandName ?? '');
        return next(args);
      },
      { step: 'initialize', name: 'countSignInCalls' },
    );
  });
  afterEach(() => {
    counting = false;
    calls.length = 0;
  });

  it('starts in 3 DynamoDB calls and completes in 3: read, take the attempt, consume', async () => {
    const fx = await signInFixture(api);
    await start(fx, fx.user.email); // warms the keys (a cold start reads its keyrings once)
    const user = await addUser(api, fx);

    counting = true;
    const { challengeId } = await start(fx, user.email);
    counting = false;
    expect(calls).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand', 'PutItemCommand']);

    // With the challenge id (a complete without one reads the sign-in state to find it: 2 more). The
    // attempt is taken (a conditional write) before the PIN is compared, and the consuming write can
    // only come after the comparison (SPEC §6 attempt budgets): the complete was 2 calls when it
    // compared first and counted the attempt after, which let 50 concurrent guesses all be compared.
    calls.length = 0;
    const pin = await lastPin(api, user.phone);
    counting = true;
    expectData(await api.as({ apikey: fx.apikey }).completeSignIn({ email: user.email, system: fx.system.name, pin, challengeId }), 200);
    counting = false;
    expect(calls).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand', 'TransactWriteItemsCommand']);
  });

  it('an e-mailed PIN takes the same calls (the e-mail counters and the suppression item ride in the same batch), and so does the decoy of a suppressed address', async () => {
    const fx = await signInFixture(api, { policy: { factors: ['email_pin'] } });
    await start(fx, fx.user.email); // warms the keys
    const user = await addUser(api, fx);
    const bounced = await addUser(api, fx);
    await documentClient().send(new PutCommand({ TableName: config().tableName, Item: { ...emailSuppressionKey(bounced.email.toLowerCase()), entity: 'EmailSuppression' } }));

    counting = true;
    const { challengeId } = await start(fx, user.email);
    counting = false;
    expect(calls).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand', 'PutItemCommand']);

    calls.length = 0;
    const pin = /sign-in code is (\d+)/.exec((await lastEmail(api, user.email, /sign-in code/)).text)?.[1] ?? '';
    counting = true;
    expectData(await api.as({ apikey: fx.apikey }).completeSignIn({ email: user.email, system: fx.system.name, pin, challengeId }), 200);
    counting = false;
    expect(calls).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand', 'TransactWriteItemsCommand']);

    calls.length = 0;
    counting = true;
    await start(fx, bounced.email);
    counting = false;
    expect(calls).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand', 'PutItemCommand']);
  });
});
