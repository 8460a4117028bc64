/**
 * Deleting an end user takes their passkeys with them (personal data goes with its person), with
 * real ceremonies: Chromium's virtual authenticator at http://localhost:PORT on a system with
 * `webauthn: {rpId: "localhost", origins: [that origin]}`. Attacker first: the deleted user's
 * passkey is gone from the table and from the API, and it signs nobody in, not even a new user with
 * the same e-mail; a registration whose options were fetched before the delete cannot bring one back.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '#shared/config.ts';
import { documentClient } from '#shared/compose/runtime.ts';
import { endUserKey, grantsOfEndUserPrefix, passkeyKey, passkeysOfOwnerPartition } from '#shared/data/keys.ts';
import { MAX_PASSKEYS_PER_OWNER, endUserOwner } from '#shared/domain/passkeys/model.ts';
import { createEndUser, createSystem, grantAccess, type EndUserBody, type SystemBody } from '#test/support/directory.ts';
import { createKey } from '#test/support/keys-events.ts';
import { expectData, expectProblem, useLocalApi } from '#test/support/local-api.ts';
import { createOrganization, eventsOf } from '#test/support/organizations.ts';
import { plantPasskey } from '#test/support/passkeys.ts';
import { createAccount, type TestAccount } from '#test/support/tenancy.ts';
import { closeBrowser, openWebAuthnPage, type WebAuthnPage } from '#test/support/webauthn.ts';

const api = useLocalApi();

afterAll(closeBrowser);

const origin = (): string => `http://localhost:${new URL(api.url()).port}`;

interface World {
  account: TestAccount;
  orgId: string;
  system: SystemBody;
  auth: { apikey: string };
  manage: { apikey: string };
}

/** An organization with a `passkey`-policy system on `webauthn: {rpId: localhost, origins: [origin()]}` and its keys. */
async function world(): Promise<World> {
  const account = await createAccount(api);
  const token = account.owner.accessToken;
  const organization = await createOrganization(api, account.accountId, token);
  const system = await createSystem(api, organization.id, token, { policy: { factors: ['passkey'] }, webauthn: { rpId: 'localhost', origins: [origin()] } });
  const auth = await createKey(api, account.accountId, token, { permissions: ['authenticate'], organizations: [organization.id] });
  const manage = await createKey(api, account.accountId, token, { permissions: ['manage'], organizations: [organization.id] });
  return { account, orgId: organization.id, system, auth: { apikey: auth.key }, manage: { apikey: manage.key } };
}

async function userOf(w: World, overrides: Record<string, unknown> = {}): Promise<EndUserBody> {
  const user = await createEndUser(api, w.orgId, w.account.owner.accessToken, overrides);
  await grantAccess(api, w.orgId, w.account.owner.accessToken, w.system.name, user.id);
  return user;
}

const userPath = (w: World, user: EndUserBody) => ({ path: { orgId: w.orgId, userId: user.id } });

/** The options and the browser's new credential (not yet registered). */
async function createCredential(w: World, user: EndUserBody, page: WebAuthnPage) {
  const options = expectData(await api.as(w.manage).POST('/v2/organizations/{orgId}/users/{userId}/passkeys/options', { params: userPath(w, user), body: { system: w.system.name } }), 200);
  return { flowId: options.flowId, response: await page.create(options.publicKey) };
}

const register = (w: World, user: EndUserBody, made: { flowId: string; response: unknown }) =>
  api.as(w.manage).POST('/v2/organizations/{orgId}/users/{userId}/passkeys', { params: userPath(w, user), body: { flowId: made.flowId, name: 'Phone', response: made.response as never } });

const deleteUser = async (w: World, user: EndUserBody) =>
  (await api.as(w.account.owner.accessToken).DELETE('/v2/organizations/{orgId}/users/{userId}', { params: userPath(w, user) })).response.status;

/** Signs `email` in with the passkey `page`'s authenticator picks. */
async function signIn(w: World, email: string, page: WebAuthnPage) {
  const started = expectData(await api.as(w.auth).POST('/v2/user/authenticate', { body: { email, system: w.system.name } }), 202);
  expect(started.method).toBe('passkey');
  const passkey = await page.get(started.publicKey);
  return api.as(w.auth).POST('/v2/system/authenticate/user', { body: { email, system: w.system.name, challengeId: started.challengeId, passkey: passkey as never } });
}

const table = () => ({ db: documentClient(), TableName: config().tableName });

const storedPasskey = async (passkeyId: string) => {
  const { db, TableName } = table();
  return (await db.send(new GetCommand({ TableName, Key: passkeyKey(passkeyId), ConsistentRead: true }))).Item;
};

const ownersList = async (orgId: string, userId: string) => {
  const { db, TableName } = table();
  const result = await db.send(
    new QueryCommand({ TableName, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': passkeysOfOwnerPartition(endUserOwner(orgId, userId)) } }),
  );
  return result.Items ?? [];
};

describe('deleting an end user removes their passkeys', () => {
  it('leaves no passkey item, 404s the list, and the old passkey signs in nobody, not a re-created user of the same e-mail', async () => {
    const w = await world();
    const user = await userOf(w);
    const page = await openWebAuthnPage(origin());
    try {
      const registered = expectData(await register(w, user, await createCredential(w, user, page)), 201);
      const planted = await plantPasskey(endUserOwner(w.orgId, user.id));
      expect((await signIn(w, user.email, page)).response.status).toBe(200);
      expect(await ownersList(w.orgId, user.id)).toHaveLength(2);

      expect(await deleteUser(w, user)).toBe(204);

      expectProblem(await api.as(w.manage).GET('/v2/organizations/{orgId}/users/{userId}/passkeys', { params: userPath(w, user) }), 404, 'not_found');
      expect(await storedPasskey(registered.id)).toBeUndefined();
      expect(await storedPasskey(planted)).toBeUndefined();
      expect(await ownersList(w.orgId, user.id)).toEqual([]);
      const deleted = (await eventsOf(w.account.accountId)).find((e) => e.type === 'enduser.deleted' && e.target?.id === user.id);
      expect(deleted).toMatchObject({ details: { passkeysRemoved: 2, email: user.email } });

      // Same e-mail, new person (a new id): the authenticator still holds the old credential, and it is refused.
      const again = await userOf(w, { email: user.email });
      expect(again.id).not.toBe(user.id);
      expectProblem(await signIn(w, again.email, page), 401, 'invalid_credentials');
      expect(expectData(await api.as(w.manage).GET('/v2/organizations/{orgId}/users/{userId}/passkeys', { params: userPath(w, again) }), 200).items).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('refuses a registration whose options were fetched before the delete, and stores nothing', async () => {
    const w = await world();
    const user = await userOf(w);
    const page = await openWebAuthnPage(origin());
    try {
      const made = await createCredential(w, user, page);
      expect(await deleteUser(w, user)).toBe(204);
      expectProblem(await register(w, user, made), 404, 'not_found');
      expect(await ownersList(w.orgId, user.id)).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('removes all of them when the user has too many grants to fit in one transaction with them', async () => {
    const w = await world();
    const token = w.account.owner.accessToken;
    const user = await userOf(w);
    // 20 passkeys (the limit) + 3 items leave room for 38 grants (2 items each): 41 spill over to the batches.
    const systems = await Promise.all(Array.from({ length: 40 }, () => createSystem(api, w.orgId, token)));
    for (const system of systems) await grantAccess(api, w.orgId, token, system.name, user.id);
    const planted = await Promise.all(Array.from({ length: MAX_PASSKEYS_PER_OWNER }, () => plantPasskey(endUserOwner(w.orgId, user.id))));
    expect(await ownersList(w.orgId, user.id)).toHaveLength(MAX_PASSKEYS_PER_OWNER);

    expect(await deleteUser(w, user)).toBe(204);

    expect(await ownersList(w.orgId, user.id)).toEqual([]);
    for (const id of planted) expect(await storedPasskey(id)).toBeUndefined();
    const { db, TableName } = table();
    const grants = await db.send(
      new QueryCommand({
        TableName,
        ConsistentRead: true,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': endUserKey(w.orgId, user.id).pk, ':prefix': grantsOfEndUserPrefix(user.id) },
      }),
    );
    expect(grants.Items).toEqual([]);
    const deleted = (await eventsOf(w.account.accountId)).find((e) => e.type === 'enduser.deleted' && e.target?.id === user.id);
    expect(deleted).toMatchObject({ details: { grantsRemoved: 41, passkeysRemoved: MAX_PASSKEYS_PER_OWNER } });
  });
});
