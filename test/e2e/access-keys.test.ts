import type { APIGatewayProxyEventV2, APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as apikeyAuthorizer } from '#functions/tenancy/apikey-authorizer.ts';
import { apiKeyKey } from '#shared/data/keys.ts';
import { hashSecret } from '#shared/domain/kernel/secrets.ts';
import { principalFromHeaders } from '#shared/compose/credentials.ts';
import { authorizers } from '#shared/http/manifest.ts';
import { ApiKeyList, CreatedApiKey } from '#shared/schemas/access-keys.ts';
import { AuditEventList } from '#shared/schemas/events.ts';
import { createKey, createOrganization, rawItem } from '#test/support/keys-events.ts';
import type { RequestBody } from '#client/index.ts';
import { expectData, expectProblem, expectStatus, useLocalApi } from '#test/support/local-api.ts';
import { createAccount } from '#test/support/tenancy.ts';

const api = useLocalApi();

/** Untyped path, for the bodies and query strings the contract refuses on purpose. */
const keysPath = (accountId: string) => `/v2/accounts/${accountId}/keys`;

/** `POST /v2/accounts/{accountId}/keys` as `token`. */
const postKey = (token: string, accountId: string, body: RequestBody<'/v2/accounts/{accountId}/keys', 'post'>) =>
  api.as(token).POST('/v2/accounts/{accountId}/keys', { params: { path: { accountId } }, body });
/** `GET /v2/accounts/{accountId}/keys` as `token`. */
const listKeys = (token: string, accountId: string, query: { limit?: number; cursor?: string } = {}) =>
  api.as(token).GET('/v2/accounts/{accountId}/keys', { params: { path: { accountId }, query } });
/** `DELETE /v2/accounts/{accountId}/keys/{keyId}` as `token`. */
const revokeKey = (token: string, accountId: string, keyId: string) =>
  api.as(token).DELETE('/v2/accounts/{accountId}/keys/{keyId}', { params: { path: { accountId, keyId } } });
/** `GET /v2/accounts/{accountId}/events?type=` as `token`. */
const eventsOfType = (token: string, accountId: string, type: string) =>
  api.as(token).GET('/v2/accounts/{accountId}/events', { params: { path: { accountId }, query: { type } } });

/** Every string value anywhere in an item (nested lists and maps included). */
function allStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(allStrings);
  return [];
}

/** The fields a problem names. */
const fieldsOf = (body: Record<string, unknown>): string[] => ((body.errors ?? []) as { field: string }[]).map((error) => error.field);

/** What API Gateway sends the apikey authorizer when its cached answer for this key has expired. */
const authorizerEvent = (apikey: string) => ({ identitySource: [apikey], headers: { apikey } }) as unknown as APIGatewayRequestAuthorizerEventV2;

describe('creating an access key', () => {
  it('answers 201 with the key resource and the secret, which no other response and no stored attribute contains', async () => {
    const { accountId, owner } = await createAccount(api);
    const orgId = await createOrganization(accountId);

    const created = await postKey(owner.accessToken, accountId, { name: '  billing sync ', permissions: ['authenticate', 'manage'], organizations: [orgId] });

    const key = CreatedApiKey.parse(expectData(created, 201));
    expect(key).toMatchObject({
      name: 'billing sync',
      permissions: ['authenticate', 'manage'],
      organizations: [orgId],
      createdBy: owner.userId,
      lastUsedAt: null,
      revokedAt: null,
    });
    // Recognisable prefix, and the id inside it makes the authorizer's lookup one GetItem.
    expect(key.key).toMatch(/^pck_[0-9a-f]{16}_[\w-]{43}$/);
    expect(key.key.slice(4, 20)).toBe(key.id);
    const secretPart = key.key.slice(21);

    // Everything else the owner can read about the key afterwards.
    const keyList = expectData(await listKeys(owner.accessToken, accountId), 200);
    const responses = [
      keyList,
      expectData(await api.as(owner.accessToken).GET('/v2/accounts/{accountId}/events', { params: { path: { accountId } } }), 200),
      expectData(await api.as(owner.accessToken).GET('/v2/me'), 200),
    ];
    for (const response of responses) expect(JSON.stringify(response)).not.toContain(secretPart);
    const listed = ApiKeyList.parse(keyList);
    const { key: _secret, ...resource } = key;
    expect(listed.items).toEqual([resource]);
    expect(keyList).not.toHaveProperty('items.0.secretHash');
    expect(keyList).not.toHaveProperty('items.0.key');

    // The table holds the SHA-256 of the key and nothing from which the key could be read.
    const item = await rawItem(apiKeyKey(key.id));
    expect(item?.secretHash).toBe(hashSecret(key.key));
    for (const value of allStrings(item)) {
      expect(value).not.toContain(secretPart);
      expect(value).not.toContain(key.key);
    }
  });

  it('writes a key.created event with actor, target, source IP and request id', async () => {
    const { accountId, owner } = await createAccount(api);
    const key = await createKey(api, accountId, owner.accessToken, { name: 'audited', permissions: ['authenticate'] });

    const events = await eventsOfType(owner.accessToken, accountId, 'key.created');

    const { items } = AuditEventList.parse(expectData(events, 200));
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      type: 'key.created',
      accountId,
      organizationId: null,
      actor: { kind: 'operator', id: owner.userId },
      target: { type: 'key', id: key.id },
      sourceIp: '127.0.0.1',
      details: { name: 'audited', permissions: ['authenticate'], organizations: 'all' },
    });
    expect(items[0]?.requestId).toMatch(/^[\w-]{8,}$/);
  });

  it('refuses organizations that are not active organizations of the account, naming each entry', async () => {
    const { accountId, owner } = await createAccount(api);
    const other = await createAccount(api);
    const own = await createOrganization(accountId);
    const foreign = await createOrganization(other.accountId);
    const deleted = await createOrganization(accountId, 'deleted');

    const response = await postKey(owner.accessToken, accountId, { name: 'k', permissions: ['manage'], organizations: [own, foreign, deleted, 'org_unknown'] });

    expect(expectProblem(response, 400)).toMatchObject({
      code: 'validation_failed',
      errors: [{ field: 'body.organizations.1' }, { field: 'body.organizations.2' }, { field: 'body.organizations.3' }],
    });
    // Nothing was stored.
    expect(expectData(await listKeys(owner.accessToken, accountId), 200).items).toEqual([]);
  });

  // A table of bodies the contract refuses, several of them not even of the right type: raw.
  it.each([
    [{ permissions: ['manage'], organizations: 'all' }, 'body.name'],
    [{ name: '', permissions: ['manage'], organizations: 'all' }, 'body.name'],
    [{ name: 'x'.repeat(101), permissions: ['manage'], organizations: 'all' }, 'body.name'],
    [{ name: 'k', organizations: 'all' }, 'body.permissions'],
    [{ name: 'k', permissions: [], organizations: 'all' }, 'body.permissions'],
    [{ name: 'k', permissions: ['manage', 'manage'], organizations: 'all' }, 'body.permissions'],
    [{ name: 'k', permissions: ['admin'], organizations: 'all' }, 'body.permissions.0'],
    [{ name: 'k', permissions: 'manage', organizations: 'all' }, 'body.permissions'],
    [{ name: 'k', permissions: ['manage'] }, 'body.organizations'],
    [{ name: 'k', permissions: ['manage'], organizations: [] }, 'body.organizations'],
    [{ name: 'k', permissions: ['manage'], organizations: 'some' }, 'body.organizations'],
    [{ name: 'k', permissions: ['manage'], organizations: ['org_a', 'org_a'] }, 'body.organizations'],
    [{ name: 'k', permissions: ['manage'], organizations: ['not an id!'] }, 'body.organizations.0'],
    [{ name: 'k', permissions: ['manage'], organizations: 'all', accountId: 'acc_x' }, 'body.accountId'],
  ])('answers 400 naming the field for %j', async (body, field) => {
    const { accountId, owner } = await createAccount(api);
    const response = await api.raw('POST', keysPath(accountId), { token: owner.accessToken, body });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(fieldsOf(response.body)).toContain(field);
  });

  it('answers 400 naming the body for malformed JSON and params.accountId for a malformed account id', async () => {
    const { accountId, owner } = await createAccount(api);
    const malformed = await api.raw('POST', keysPath(accountId), {
      token: owner.accessToken,
      rawBody: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ code: 'invalid_json', errors: [{ field: 'body' }] });

    const badAccount = await postKey(owner.accessToken, 'acc x', { name: 'k', permissions: ['manage'], organizations: 'all' });
    expect(expectProblem(badAccount, 400)).toMatchObject({ errors: [{ field: 'params.accountId' }] });
  });
});

describe('listing access keys', () => {
  it('pages oldest first with limit and cursor', async () => {
    const { accountId, owner } = await createAccount(api);
    const ids: string[] = [];
    for (let n = 0; n < 3; n++) ids.push((await createKey(api, accountId, owner.accessToken, { name: `k${n}` })).id);

    const first = expectData(await listKeys(owner.accessToken, accountId, { limit: 2 }), 200);
    expect(first.items.map((key) => key.id)).toEqual(ids.slice(0, 2));
    expect(first.nextCursor).toEqual(expect.any(String));

    const second = expectData(await listKeys(owner.accessToken, accountId, { limit: 2, cursor: first.nextCursor ?? '' }), 200);
    expect(second.items.map((key) => key.id)).toEqual(ids.slice(2));
    expect(second.nextCursor).toBeNull();
  });

  // Malformed query strings, sent as written: raw.
  it.each([
    ['limit=0', 'query.limit'],
    ['limit=101', 'query.limit'],
    ['limit=ten', 'query.limit'],
    ['cursor=%%%', 'query.cursor'],
    ['cursor=bm90LWpzb24', 'query.cursor'],
  ])('answers 400 naming the field for ?%s', async (queryString, field) => {
    const { accountId, owner } = await createAccount(api);
    const response = await api.raw('GET', `${keysPath(accountId)}?${queryString}`, { token: owner.accessToken });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ errors: [{ field }] });
  });

  it("answers 400 query.cursor for another account's cursor instead of continuing there", async () => {
    const victim = await createAccount(api);
    for (let n = 0; n < 2; n++) await createKey(api, victim.accountId, victim.owner.accessToken);
    const page = expectData(await listKeys(victim.owner.accessToken, victim.accountId, { limit: 1 }), 200);
    const attacker = await createAccount(api);

    const response = await listKeys(attacker.owner.accessToken, attacker.accountId, { cursor: page.nextCursor ?? '' });

    expect(expectProblem(response, 400)).toMatchObject({ errors: [{ field: 'query.cursor' }] });
  });
});

describe('revoking an access key', () => {
  it('answers 204, keeps the key listed with revokedAt, audits key.revoked and refuses a second revocation', async () => {
    const { accountId, owner } = await createAccount(api);
    const key = await createKey(api, accountId, owner.accessToken, { name: 'to revoke' });

    expectStatus(await revokeKey(owner.accessToken, accountId, key.id), 204);

    const listed = expectData(await listKeys(owner.accessToken, accountId), 200);
    expect(listed.items.map((item) => item.id)).toEqual([key.id]);
    expect(Date.parse(listed.items[0]?.revokedAt ?? '')).toBeGreaterThan(0);

    const events = expectData(await eventsOfType(owner.accessToken, accountId, 'key.revoked'), 200);
    expect(events.items).toEqual([
      expect.objectContaining({ type: 'key.revoked', actor: { kind: 'operator', id: owner.userId }, target: { type: 'key', id: key.id }, details: { name: 'to revoke' } }),
    ]);

    expectProblem(await revokeKey(owner.accessToken, accountId, key.id), 409, 'key_revoked');
  });

  it('answers 404 for an unknown key and 400 params.keyId for a malformed one', async () => {
    const { accountId, owner } = await createAccount(api);
    expectProblem(await revokeKey(owner.accessToken, accountId, '0123456789abcdef'), 404);
    expect(expectProblem(await revokeKey(owner.accessToken, accountId, 'not-a-key-id'), 400)).toMatchObject({ errors: [{ field: 'params.keyId' }] });
  });

  it('is refused at once where the function verifies keys itself (bearer-or-apikey routes)', async () => {
    const { accountId, owner } = await createAccount(api);
    const key = await createKey(api, accountId, owner.accessToken);
    const event = { headers: { apikey: key.key } } as unknown as APIGatewayProxyEventV2;
    await expect(principalFromHeaders(event)).resolves.toMatchObject({ kind: 'key', keyId: key.id, accountId });

    expectStatus(await revokeKey(owner.accessToken, accountId, key.id), 204);

    await expect(principalFromHeaders(event)).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
  });

  it('is refused at once over HTTP on an organization route a manage key could use a moment before', async () => {
    const { accountId, owner } = await createAccount(api);
    const orgId = await createOrganization(accountId);
    const key = await createKey(api, accountId, owner.accessToken, { permissions: ['manage'], organizations: [orgId] });
    const withKey = api.as({ apikey: key.key });
    expectData(await withKey.GET('/v2/organizations/{orgId}', { params: { path: { orgId } } }), 200);

    expectStatus(await revokeKey(owner.accessToken, accountId, key.id), 204);

    expectProblem(await withKey.GET('/v2/organizations/{orgId}', { params: { path: { orgId } } }), 401, 'invalid_api_key');
  });

  it('is refused by the apikey authorizer on its first invocation after revocation (API Gateway caches its answers at most 60 s)', async () => {
    expect(authorizers.apikey.cacheTtlSeconds).toBeLessThanOrEqual(60);
    const { accountId, owner } = await createAccount(api);
    const key = await createKey(api, accountId, owner.accessToken, { permissions: ['authenticate'] });
    const before = await apikeyAuthorizer(authorizerEvent(key.key));
    expect(before).toMatchObject({ isAuthorized: true, context: { valid: true, keyId: key.id, accountId, permissions: 'authenticate' } });

    expectStatus(await revokeKey(owner.accessToken, accountId, key.id), 204);

    const after = await apikeyAuthorizer(authorizerEvent(key.key));
    expect(after).toEqual({ isAuthorized: true, context: { valid: false } });
  });
});
