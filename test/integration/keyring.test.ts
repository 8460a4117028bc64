import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactVerify, exportJWK, importJWK } from 'jose';
import { describe, expect, inject, it } from 'vitest';
import { createTable, localDynamoDbClient } from '#local/dynamodb-local.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb.ts';
import { KeyringRepository } from '#shared/adapters/keyring-repository.ts';
import { LocalMasterKey } from '#shared/adapters/local-master-key.ts';
import { signAccessToken } from '#shared/domain/access-tokens.ts';
import { TokenSigningKeys } from '#shared/domain/keyring.ts';

/** A table of its own, so this test sees the very first key being created. */
async function freshKeyring() {
  const tableName = `keyring-${randomUUID()}`;
  const admin = localDynamoDbClient(inject('dynamodbEndpoint'));
  await createTable(admin, tableName);
  admin.destroy();
  const store = new KeyringRepository(createDocumentClient({ region: 'us-east-1', endpoint: inject('dynamodbEndpoint') }), tableName);
  const masterKey = new LocalMasterKey(join(mkdtempSync(join(tmpdir(), 'pc-kr-')), 'master.key'));
  return () => new TokenSigningKeys(store, () => masterKey);
}

describe('token signing keys', () => {
  it('concurrent first cold starts settle on one key pair', async () => {
    const coldStart = await freshKeyring();
    const keys = await Promise.all(Array.from({ length: 8 }, () => coldStart().signingKey()));
    expect(new Set(keys.map((key) => key.kid)).size).toBe(1);
    // Every process signs with the same private key: each signature verifies with the published key.
    const [published] = await coldStart().verificationKeys();
    expect(published).toBeDefined();
    const publicKey = await importJWK(published ?? {}, 'ES256');
    for (const key of keys) {
      const token = await signAccessToken(key, { issuer: 'i', audience: 'a', subject: 's', amr: [], ttlSeconds: 60 });
      await expect(compactVerify(token, publicKey)).resolves.toBeTruthy();
    }
    expect(await exportJWK(publicKey)).not.toHaveProperty('d');
  });

  it('publishes no key before the first one is created, then picks it up', async () => {
    const coldStart = await freshKeyring();
    const verifier = coldStart();
    expect(await verifier.verificationKeys()).toEqual([]);
    const { kid } = await coldStart().signingKey();
    expect((await verifier.verificationKeys()).map((key) => key.kid)).toEqual([kid]);
  });
});
