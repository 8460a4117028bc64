import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { ApiKeyRepository } from '#shared/adapters/api-key-repository.ts';
import { auditEventPut } from '#shared/adapters/audit-repository.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb.ts';
import { config, loadConfig } from '#shared/config.ts';
import { documentClient } from '#shared/compose/runtime.ts';
import { apiKeyKey, auditEventShards, auditEventsOfAccountPartition } from '#shared/data/keys.ts';
import { ApiKeyVerifier, mintApiKey, type StoredApiKey } from '#shared/domain/tenancy/access-key-verifier.ts';
import { auditEvent } from '#shared/domain/kernel/audit-events.ts';
import { newId } from '#shared/domain/kernel/secrets.ts';
import { rawItem } from '#test/support/keys-events.ts';

/** A repository on its own client, so the test can count the writes that reach DynamoDB. */
function countingRepository() {
  const client = createDocumentClient({ region: config().region, endpoint: config().dynamodbEndpoint });
  const send = vi.spyOn(client, 'send');
  const repository = new ApiKeyRepository(client, config().tableName);
  /** `lastUsedAt` writes DynamoDB accepted (a failed condition is no write). */
  const touchesWritten = async () => {
    let written = 0;
    for (const [index, [command]] of send.mock.calls.entries()) {
      if (!(command instanceof UpdateCommand)) continue;
      const outcome = send.mock.results[index];
      if (outcome?.type !== 'return') continue;
      written += await (outcome.value as unknown as Promise<unknown>).then(
        () => 1,
        () => 0,
      );
    }
    return written;
  };
  return { repository, touchesWritten };
}

async function storeKey(repository: ApiKeyRepository, overrides: Partial<StoredApiKey> = {}) {
  const { keyId, key, secretHash } = mintApiKey();
  const stored: StoredApiKey = {
    id: keyId,
    accountId: newId('acc'),
    name: 'integration',
    permissions: ['authenticate'],
    organizations: 'all',
    createdAt: new Date().toISOString(),
    createdBy: newId('usr'),
    revokedAt: null,
    lastUsedAt: null,
    secretHash,
    ...overrides,
  };
  await repository.createApiKey(stored);
  return { stored, key };
}

/** Every audit event of the account, raw, from all of its event shards. */
async function eventsOf(accountId: string) {
  const shards = await Promise.all(
    auditEventShards().map((shard) =>
      documentClient().send(
        new QueryCommand({
          TableName: config().tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': auditEventsOfAccountPartition(accountId, shard) },
        }),
      ),
    ),
  );
  return shards.flatMap((result) => result.Items ?? []);
}

describe('lastUsedAt', () => {
  it('is written once for two uses within a minute and again after a minute', async () => {
    const { repository, touchesWritten } = countingRepository();
    const { stored, key } = await storeKey(repository);
    const t0 = new Date('2030-01-01T12:00:00.000Z');
    let now = t0;
    const verifier = new ApiKeyVerifier(repository, () => now);

    await expect(verifier.verify(key)).resolves.toMatchObject({ keyId: stored.id });
    expect((await rawItem(apiKeyKey(stored.id)))?.lastUsedAt).toBe(t0.toISOString());

    now = new Date(t0.getTime() + 30_000);
    await expect(verifier.verify(key)).resolves.toMatchObject({ keyId: stored.id });
    expect((await rawItem(apiKeyKey(stored.id)))?.lastUsedAt).toBe(t0.toISOString());
    expect(await touchesWritten()).toBe(1);

    now = new Date(t0.getTime() + 61_000);
    await verifier.verify(key);
    expect((await rawItem(apiKeyKey(stored.id)))?.lastUsedAt).toBe(now.toISOString());
    expect(await touchesWritten()).toBe(2);
  });

  it('is written once when several first uses of a key arrive at the same moment', async () => {
    const { repository, touchesWritten } = countingRepository();
    const { stored, key } = await storeKey(repository);
    const verifier = new ApiKeyVerifier(repository, () => new Date('2030-01-01T12:00:00.000Z'));

    await Promise.all(Array.from({ length: 5 }, () => verifier.verify(key)));

    expect(await touchesWritten()).toBe(1);
    expect((await rawItem(apiKeyKey(stored.id)))?.lastUsedAt).toBe('2030-01-01T12:00:00.000Z');
  });
});

describe('ApiKeyRepository', () => {
  it('stores a key with its audit event in one transaction, and never overwrites an existing id', async () => {
    const { repository } = countingRepository();
    const { stored } = await storeKey(repository);
    const event = auditEvent({ actor: { kind: 'operator', id: stored.createdBy }, sourceIp: null, requestId: null }, { accountId: stored.accountId, type: 'key.created' });

    await expect(repository.createApiKey({ ...stored, name: 'impostor', secretHash: 'x' }, [auditEventPut(config().tableName, event)])).rejects.toThrow(/collision/);

    expect(await rawItem(apiKeyKey(stored.id))).toMatchObject({ name: 'integration', secretHash: stored.secretHash });
    expect(await eventsOf(stored.accountId)).toEqual([]);
  });

  it('revokes only a live key of the same account, with its event in the same transaction', async () => {
    const { repository } = countingRepository();
    const { stored, key } = await storeKey(repository);
    const event = () =>
      auditEventPut(config().tableName, auditEvent({ actor: { kind: 'operator', id: null }, sourceIp: null, requestId: null }, { accountId: stored.accountId, type: 'key.revoked' }));

    await expect(repository.revokeApiKey(newId('acc'), stored.id, new Date().toISOString(), [event()])).rejects.toMatchObject({ status: 404 });
    expect(await eventsOf(stored.accountId)).toEqual([]);
    await expect(new ApiKeyVerifier(repository).verify(key)).resolves.toBeDefined();

    await repository.revokeApiKey(stored.accountId, stored.id, new Date().toISOString(), [event()]);
    expect(await eventsOf(stored.accountId)).toHaveLength(1);
    await expect(new ApiKeyVerifier(repository).verify(key)).resolves.toBeUndefined();

    await expect(repository.revokeApiKey(stored.accountId, stored.id, new Date().toISOString(), [event()])).rejects.toMatchObject({ status: 409, code: 'key_revoked' });
    expect(await eventsOf(stored.accountId)).toHaveLength(1);
  });

  it('lists the keys of one account without secret hashes', async () => {
    const { repository } = countingRepository();
    const accountId = newId('acc');
    await storeKey(repository, { accountId });
    await storeKey(repository, { accountId });
    const page = await repository.listApiKeysOfAccount(accountId, 10);
    expect(page.items).toHaveLength(2);
    expect(JSON.stringify(page.items)).not.toContain('secretHash');
  });
});

describe('audit retention', () => {
  it('defaults to 400 days and follows AUDIT_RETENTION_DAYS', () => {
    const base = { TABLE_NAME: 't', SMS_ALLOWED_COUNTRIES: 'FR', API_BASE: 'https://auth.example.test' };
    expect(loadConfig(base).auditRetentionDays).toBe(400);
    expect(loadConfig({ ...base, AUDIT_RETENTION_DAYS: '30' }).auditRetentionDays).toBe(30);
    expect(() => loadConfig({ ...base, AUDIT_RETENTION_DAYS: '0' })).toThrow(/AUDIT_RETENTION_DAYS/);
    expect(() => loadConfig({ ...base, AUDIT_RETENTION_DAYS: 'a year' })).toThrow(/AUDIT_RETENTION_DAYS/);
  });

  it('sets the TTL of an event to its time plus the retention', () => {
    const event = auditEvent({ actor: { kind: 'system', id: null }, sourceIp: null, requestId: null }, { accountId: 'acc_1', type: 'x.y' }, new Date('2030-01-01T00:00:00Z'));
    expect(auditEventPut('t', event, 30).Put.Item.ttl).toBe(Date.parse('2030-01-31T00:00:00Z') / 1000);
  });
});
