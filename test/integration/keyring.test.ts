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
import { signAccessToken } from '#shared/domain/sessions/access-tokens.ts';
import { keyringKey } from '#shared/data/keys.ts';
import { DataKey, PIN_HMAC_PURPOSE, provisionKeyrings, RS256_SIGNING_PURPOSE, TOKEN_SIGNING_PURPOSE, TokenSigningKeys } from '#shared/domain/platform/keyring.ts';
import { TotpSecretCipher, TOTP_SECRETS_PURPOSE } from '#shared/domain/mfa/totp.ts';

/** A table of its own, so this test sees the very first key being created. */
async function freshKeyring() {
  const tableName = `keyring-${randomUUID()}`;
  const admin = localDynamoDbClient(inject('dynamodbEndpoint'));
  await createTable(admin, tableName);
  admin.destroy();
  const store = new KeyringRepository(createDocumentClient({ region: 'us-east-1', endpoint: inject('dynamodbEndpoint') }), tableName);
  const masterKey = new LocalMasterKey(join(mkdtempSync(join(tmpdir(), 'pc-kr-')), 'master.key'));
  const coldStart = () => new TokenSigningKeys(store, () => masterKey);
  return Object.assign(coldStart, { store, masterKey, tableName });
}

describe('token signing keys', () => {
  it('concurrent first creations (deployment, schedule) settle on one key pair, which every process signs with', async () => {
    const coldStart = await freshKeyring();
    const kids = await Promise.all(Array.from({ length: 8 }, () => coldStart().ensure()));
    expect(new Set(kids).size).toBe(1);
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
    await expect(coldStart().signingKey()).rejects.toMatchObject({ status: 503 });
    const kids = await coldStart().ensureAll();
    expect((await verifier.verificationKeys()).map((key) => key.kid)).toEqual([kids.ES256, kids.RS256]);
  });
});

describe('keyrings are created by the key function only', () => {
  it('a function that uses a data key answers 503 while it is missing, writes no keyring, and picks it up once provisioned', async () => {
    const coldStart = await freshKeyring();
    const { store, masterKey } = coldStart;
    const cipher = new TotpSecretCipher(store, () => masterKey);
    const pinKey = new DataKey(store, () => masterKey, PIN_HMAC_PURPOSE);
    await expect(cipher.seal('JBSWY3DPEHPK3PXP', 'user-1')).rejects.toMatchObject({ status: 503, code: 'service_unavailable' });
    await expect(pinKey.get()).rejects.toMatchObject({ status: 503, purpose: PIN_HMAC_PURPOSE });
    await expect(coldStart().signingKey()).rejects.toMatchObject({ status: 503, purpose: TOKEN_SIGNING_PURPOSE });
    await expect(coldStart().signingKey('RS256')).rejects.toMatchObject({ status: 503, purpose: RS256_SIGNING_PURPOSE });
    for (const purpose of [TOTP_SECRETS_PURPOSE, PIN_HMAC_PURPOSE, TOKEN_SIGNING_PURPOSE, RS256_SIGNING_PURPOSE]) expect(await store.findKeyring(purpose), purpose).toBeUndefined();

    const provisioned = await provisionKeyrings(store, { signing: () => masterKey, data: () => masterKey });
    expect(provisioned.created.sort()).toEqual([PIN_HMAC_PURPOSE, RS256_SIGNING_PURPOSE, TOKEN_SIGNING_PURPOSE, TOTP_SECRETS_PURPOSE].sort());
    const sealed = await cipher.seal('JBSWY3DPEHPK3PXP', 'user-1');
    expect(await new TotpSecretCipher(store, () => masterKey).open(sealed, 'user-1')).toBe('JBSWY3DPEHPK3PXP');
    expect(await pinKey.get()).toHaveLength(32);
    expect((await coldStart().signingKey()).kid).toBe(provisioned.signingKid);
  });

  it('provisioning is idempotent and a scheduled run rotates the signing key', async () => {
    const coldStart = await freshKeyring();
    const { store, masterKey } = coldStart;
    const keys = { signing: () => masterKey, data: () => masterKey };
    const first = await provisionKeyrings(store, keys);
    const pinBefore = await store.findKeyring(PIN_HMAC_PURPOSE);
    const again = await provisionKeyrings(store, keys);
    expect(again).toEqual({ signingKid: first.signingKid, created: [] });
    expect(await store.findKeyring(PIN_HMAC_PURPOSE)).toEqual(pinBefore);
    const scheduled = await provisionKeyrings(store, keys, { rotate: true });
    expect(scheduled.rotated?.ES256.kid).toEqual(expect.any(String));
    expect(scheduled.rotated?.ES256.kid).not.toBe(first.signingKid);
    expect((await coldStart().verificationKeys(['ES256'])).map((key) => key.kid)).toEqual([scheduled.rotated?.ES256.kid, first.signingKid]);
    expect((await coldStart().verificationKeys(['RS256'])).map((key) => key.kid)).toEqual([scheduled.rotated?.RS256.kid, await coldStart().ensureAll().then((kids) => kids.RS256)]);
    expect(keyringKey(`${TOKEN_SIGNING_PURPOSE}.1`).pk).toBe('KEYRING#token-signing.1');
  });
});
