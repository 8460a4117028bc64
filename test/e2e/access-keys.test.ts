import type { APIGatewayProxyEventV2, APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as apikeyAuthorizer } from '#functions/authorizers/apikey-authorizer.ts';
import { apiKeyKey } from '#shared/data/keys.ts';
import { hashSecret } from '#shared/domain/secrets.ts';
import { principalFromHeaders } from '#shared/http/credentials.ts';
import { authorizers } from '#shared/http/manifest.ts';
import { ApiKeyList, CreatedApiKey } from '#shared/schemas/access-keys.ts';
import { AuditEventList } from '#shared/schemas/events.ts';
import { createKey, createOrganization, rawItem } from '#test/support/keys-events.ts';
import { useLocalApi } from '#test/support/local-api.ts';
import { createAccount } from '#test/support/tenancy.ts';

const api = useLocalApi();

const keysPath = (accountId: string) => `/v2/accounts/${accountId}/keys`;

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

    const created = await api.request('POST', keysPath(accountId), {
      token: owner.accessToken,
      body: { name: '  billing sync ', permissions: ['authenticate', 'manage'], organizations: [orgId] },
    });

    expect(created.status).toBe(201);
    const key = CreatedApiKey.parse(created.body);
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
    const responses = [
      await api.request('GET', keysPath(accountId), { token: owner.accessToken }),
      await api.request('GET', `/v2/accounts/${accountId}/events`, { token: owner.accessToken }),
      await api.request('GET', '/v2/me', { token: owner.accessToken }),
    ];
    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(JSON.stringify(response.body)).not.toContain(secretPart);
    }
    const listed = ApiKeyList.parse(responses[0]?.body);
    const { key: _secret, ...resource } = key;
    expect(listed.items).toEqual([resource]);
    expect(responses[0]?.body).not.toHaveProperty('items.0.secretHash');
    expect(responses[0]?.body).not.toHaveProperty('items.0.key');

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

    const events = await api.request('GET', `/v2/accounts/${accountId}/events?type=key.created`, { token: owner.accessToken });

    expect(events.status).toBe(200);
    const { items } = AuditEventList.parse(events.body);
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

    const response = await api.request('POST', keysPath(accountId), {
      token: owner.accessToken,
      body: { name: 'k', permissions: ['manage'], organizations: [own, foreign, deleted, 'org_unknown'] },
    });

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({
      code: 'validation_failed',
      errors: [{ field: 'body.organizations.1' }, { field: 'body.organizations.2' }, { field: 'body.organizations.3' }],
    });
    // Nothing was stored.
    const listed = await api.request<{ items: unknown[] }>('GET', keysPath(accountId), { token: owner.accessToken });
    expect(listed.body.items).toEqual([]);
  });

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
    const response = await api.request('POST', keysPath(accountId), { token: owner.accessToken, body });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(fieldsOf(response.body)).toContain(field);
  });

  it('answers 400 naming the body for malformed JSON and params.accountId for a malformed account id', async () => {
    const { accountId, owner } = await createAccount(api);
    const malformed = await api.request('POST', keysPath(accountId), {
      token: owner.accessToken,
      rawBody: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ code: 'invalid_json', errors: [{ field: 'body' }] });

    const badAccount = await api.request('POST', keysPath('acc%20x'), { token: owner.accessToken, body: { name: 'k', permissions: ['manage'], organizations: 'all' } });
    expect(badAccount.status).toBe(400);
    expect(badAccount.body).toMatchObject({ errors: [{ field: 'params.accountId' }] });
  });
});

describe('listing access keys', () => {
  it('pages oldest first with limit and cursor', async () => {
    const { accountId, owner } = await createAccount(api);
    const ids: string[] = [];
    for (let n = 0; n < 3; n++) ids.push((await createKey(api, accountId, owner.accessToken, { name: `k${n}` })).id);

    const first = await api.request<{ items: { id: string }[]; nextCursor: string | null }>('GET', `${keysPath(accountId)}?limit=2`, { token: owner.accessToken });
    expect(first.status).toBe(200);
    expect(first.body.items.map((key) => key.id)).toEqual(ids.slice(0, 2));
    expect(first.body.nextCursor).toEqual(expect.any(String));

    const second = await api.request<{ items: { id: string }[]; nextCursor: string | null }>(
      'GET',
      `${keysPath(accountId)}?limit=2&cursor=${first.body.nextCursor ?? ''}`,
      { token: owner.accessToken },
    );
    expect(second.body.items.map((key) => key.id)).toEqual(ids.slice(2));
    expect(second.body.nextCursor).toBeNull();
  });

  it.each([
    ['limit=0', 'query.limit'],
    ['limit=101', 'query.limit'],
    ['limit=ten', 'query.limit'],
    ['cursor=%%%', 'query.cursor'],
    ['cursor=bm90LWpzb24', 'query.cursor'],
  ])('answers 400 naming the field for ?%s', async (queryString, field) => {
    const { accountId, owner } = await createAccount(api);
    const response = await api.request('GET', `${keysPath(accountId)}?${queryString}`, { token: owner.accessToken });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ errors: [{ field }] });
  });

  it("answers 400 query.cursor for another account's cursor instead of continuing there", async () => {
    const victim = await createAccount(api);
    for (let n = 0; n < 2; n++) await createKey(api, victim.accountId, victim.owner.accessToken);
    const page = await api.request<{ nextCursor: string }>('GET', `${keysPath(victim.accountId)}?limit=1`, { token: victim.owner.accessToken });
    const attacker = await createAccount(api);

    const response = await api.request('GET', `${keysPath(attacker.accountId)}?cursor=${page.body.nextCursor}`, { token: attacker.owner.accessToken });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ errors: [{ field: 'query.cursor' }] });
  });
});

describe('revoking an access key', () => {
  it('answers 204, keeps the key listed with revokedAt, audits key.revoked and refuses a second revocation', async () => {
    const { accountId, owner } = await createAccount(api);
    const key = await createKey(api, accountId, owner.accessToken, { name: 'to revoke' });

    const revoked = await api.request('DELETE', `${keysPath(accountId)}/${key.id}`, { token: owner.accessToken });
    expect(revoked.status).toBe(204);

    const listed = await api.request<{ items: { id: string; revokedAt: string | null }[] }>('GET', keysPath(accountId), { token: owner.accessToken });
    expect(listed.body.items.map((item) => item.id)).toEqual([key.id]);
    expect(Date.parse(listed.body.items[0]?.revokedAt ?? '')).toBeGreaterThan(0);

    const events = await api.request<{ items: Record<string, unknown>[] }>('GET', `/v2/accounts/${accountId}/events?type=key.revoked`, { token: owner.accessToken });
    expect(events.body.items).toEqual([
      expect.objectContaining({ type: 'key.revoked', actor: { kind: 'operator', id: owner.userId }, target: { type: 'key', id: key.id }, details: { name: 'to revoke' } }),
    ]);

    const again = await api.request('DELETE', `${keysPath(accountId)}/${key.id}`, { token: owner.accessToken });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'key_revoked' });
  });

  it('answers 404 for an unknown key and 400 params.keyId for a malformed one', async () => {
    const { accountId, owner } = await createAccount(api);
    const unknown = await api.request('DELETE', `${keysPath(accountId)}/0123456789abcdef`, { token: owner.accessToken });
    expect(unknown.status).toBe(404);
    const malformed = await api.request('DELETE', `${keysPath(accountId)}/not-a-key-id`, { token: owner.accessToken });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ errors: [{ field: 'params.keyId' }] });
  });

  it('is refused at once where the function verifies keys itself (bearer-or-apikey routes)', async () => {
    const { accountId, owner } = await createAccount(api);
    const key = await createKey(api, accountId, owner.accessToken);
    const event = { headers: { apikey: key.key } } as unknown as APIGatewayProxyEventV2;
    await expect(principalFromHeaders(event)).resolves.toMatchObject({ kind: 'key', keyId: key.id, accountId });

    await api.request('DELETE', `${keysPath(accountId)}/${key.id}`, { token: owner.accessToken });

    await expect(principalFromHeaders(event)).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
  });

  it('is refused at once over HTTP on an organization route a manage key could use a moment before', async () => {
    const { accountId, owner } = await createAccount(api);
    const orgId = await createOrganization(accountId);
    const key = await createKey(api, accountId, owner.accessToken, { permissions: ['manage'], organizations: [orgId] });
    const before = await api.request('GET', `/v2/organizations/${orgId}`, { headers: { apikey: key.key } });
    expect(before.status).toBe(200);

    await api.request('DELETE', `${keysPath(accountId)}/${key.id}`, { token: owner.accessToken });

    const after = await api.request('GET', `/v2/organizations/${orgId}`, { headers: { apikey: key.key } });
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ code: 'invalid_api_key' });
  });

  it('is refused by the apikey authorizer on its first invocation after revocation (API Gateway caches its answers at most 60 s)', async () => {
    expect(authorizers.apikey.cacheTtlSeconds).toBeLessThanOrEqual(60);
    const { accountId, owner } = await createAccount(api);
    const key = await createKey(api, accountId, owner.accessToken, { permissions: ['authenticate'] });
    const before = await apikeyAuthorizer(authorizerEvent(key.key));
    expect(before).toMatchObject({ isAuthorized: true, context: { valid: true, keyId: key.id, accountId, permissions: 'authenticate' } });

    await api.request('DELETE', `${keysPath(accountId)}/${key.id}`, { token: owner.accessToken });

    const after = await apikeyAuthorizer(authorizerEvent(key.key));
    expect(after).toEqual({ isAuthorized: true, context: { valid: false } });
  });
});
