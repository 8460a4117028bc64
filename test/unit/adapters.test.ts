import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MalformedItemError } from '#shared/adapters/dynamodb.ts';
import { fromEndUserItem, toEndUser, toEndUserItem } from '#shared/adapters/items/end-user-item.ts';
import { fromMembershipItem } from '#shared/adapters/items/membership-item.ts';
import { fromSystemItem, toSystemItem } from '#shared/adapters/items/system-item.ts';
import { KmsMasterKey } from '#shared/adapters/kms-master-key.ts';
import { LocalMasterKey } from '#shared/adapters/local-master-key.ts';
import { OutboxSmsSender } from '#shared/adapters/outbox-sms-sender.ts';
import { SnsSmsSender } from '#shared/adapters/sns-sms-sender.ts';
import { DataKey, PIN_HMAC_PURPOSE, provisionKeyrings, TokenSigningKeys } from '#shared/domain/platform/keyring.ts';
import type { KeyringStore, StoredKeyring } from '#shared/domain/platform/keyring-store.ts';
import { TotpSecretCipher } from '#shared/domain/mfa/totp.ts';

const kms = mockClient(KMSClient);
const sns = mockClient(SNSClient);
afterEach(() => {
  kms.reset();
  sns.reset();
});

describe('KmsMasterKey', () => {
  it('asks KMS for an AES-256 data key bound to its purpose', async () => {
    kms.on(GenerateDataKeyCommand).resolves({ Plaintext: new Uint8Array(32).fill(7), CiphertextBlob: new Uint8Array([1, 2, 3]) });
    const key = new KmsMasterKey(new KMSClient({ region: 'us-east-1' }), 'arn:aws:kms:us-east-1:111122223333:key/signing');
    const dataKey = await key.generateDataKey('token-signing');
    expect(dataKey.ciphertext).toEqual(new Uint8Array([1, 2, 3]));
    expect(kms.commandCalls(GenerateDataKeyCommand).map((call) => call.args[0].input)).toEqual([
      { KeyId: 'arn:aws:kms:us-east-1:111122223333:key/signing', KeySpec: 'AES_256', EncryptionContext: { purpose: 'token-signing' } },
    ]);
  });

  it('decrypts with the same key id and encryption context', async () => {
    kms.on(DecryptCommand).resolves({ Plaintext: new Uint8Array(32).fill(9) });
    const key = new KmsMasterKey(new KMSClient({ region: 'us-east-1' }), 'key-id');
    expect(await key.decryptDataKey(new Uint8Array([4, 5]), 'token-signing')).toEqual(new Uint8Array(32).fill(9));
    expect(kms.commandCalls(DecryptCommand).map((call) => call.args[0].input)).toEqual([
      { KeyId: 'key-id', CiphertextBlob: new Uint8Array([4, 5]), EncryptionContext: { purpose: 'token-signing' } },
    ]);
  });

  it('names each key by its purpose in the encryption context, which is what the IAM grants are conditioned on', async () => {
    const SIGNING = 'arn:aws:kms:us-east-1:111122223333:key/signing';
    const DATA = 'arn:aws:kms:us-east-1:111122223333:key/data';
    kms.on(GenerateDataKeyCommand).callsFake(() => ({ Plaintext: new Uint8Array(32).fill(1), CiphertextBlob: new Uint8Array([9]) }));
    kms.on(DecryptCommand).resolves({ Plaintext: new Uint8Array(32).fill(1) });
    const items = new Map<string, StoredKeyring>();
    const store: KeyringStore = {
      findKeyring: (purpose) => Promise.resolve(items.get(purpose)),
      createKeyring: (keyring) => Promise.resolve(!items.has(keyring.purpose) && Boolean(items.set(keyring.purpose, keyring))),
    };
    const client = new KMSClient({ region: 'us-east-1' });
    const signing = () => new KmsMasterKey(client, SIGNING);
    const data = () => new KmsMasterKey(client, DATA);

    // The key function creates: one GenerateDataKey per keyring, under its own KMS key and purpose.
    await provisionKeyrings(store, { signing, data });
    expect(kms.commandCalls(GenerateDataKeyCommand).map((call) => call.args[0].input)).toEqual([
      { KeyId: DATA, KeySpec: 'AES_256', EncryptionContext: { purpose: 'pin-hmac' } },
      { KeyId: DATA, KeySpec: 'AES_256', EncryptionContext: { purpose: 'totp-secrets' } },
      { KeyId: SIGNING, KeySpec: 'AES_256', EncryptionContext: { purpose: 'token-signing' } },
      // The RS256 key: the same purpose, so the functions' one kms:Decrypt grant covers both signing keys.
      { KeyId: SIGNING, KeySpec: 'AES_256', EncryptionContext: { purpose: 'token-signing' } },
    ]);
    expect(kms.commandCalls(DecryptCommand)).toEqual([]);

    // The functions unwrap: one Decrypt per key, each with the purpose it was created with, no creation.
    kms.resetHistory();
    await new TotpSecretCipher(store, data).seal('JBSWY3DPEHPK3PXP', 'user-1');
    await new DataKey(store, data, PIN_HMAC_PURPOSE).get();
    await new TokenSigningKeys(store, signing).signingKey();
    await new TokenSigningKeys(store, signing).signingKey('RS256');
    expect(kms.commandCalls(DecryptCommand).map((call) => [call.args[0].input.KeyId, call.args[0].input.EncryptionContext])).toEqual([
      [DATA, { purpose: 'totp-secrets' }],
      [DATA, { purpose: 'pin-hmac' }],
      [SIGNING, { purpose: 'token-signing' }],
      [SIGNING, { purpose: 'token-signing' }],
    ]);
    expect(kms.commandCalls(GenerateDataKeyCommand)).toEqual([]);
  });

  it('refuses to start without a key id (a function not bound to the key)', () => {
    expect(() => new KmsMasterKey(new KMSClient({ region: 'us-east-1' }), '')).toThrow(/not configured/);
  });
});

describe('LocalMasterKey', () => {
  it('creates an owner-only key file and round-trips data keys per purpose', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pc-key-')), 'nested', 'master.key');
    const key = new LocalMasterKey(file);
    const { plaintext, ciphertext } = await key.generateDataKey('token-signing');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, 'utf8'), 'base64')).toHaveLength(32);
    expect(await new LocalMasterKey(file).decryptDataKey(ciphertext, 'token-signing')).toEqual(Buffer.from(plaintext));
    await expect(key.decryptDataKey(ciphertext, 'totp-secrets')).rejects.toThrow();
  });
});

describe('SnsSmsSender', () => {
  it('publishes a Transactional SMS straight to the number, with sender id and origination number', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const sender = new SnsSmsSender(new SNSClient({ region: 'us-east-1' }), { senderId: 'Portcullis', originationNumber: '+18005550100' });
    await sender.send({ to: '+447700900123', body: 'Acme: your code is 123456' });
    expect(sns.commandCalls(PublishCommand).map((call) => call.args[0].input)).toEqual([
      {
        PhoneNumber: '+447700900123',
        Message: 'Acme: your code is 123456',
        MessageAttributes: {
          'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
          'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'Portcullis' },
          'AWS.MM.SMS.OriginationNumber': { DataType: 'String', StringValue: '+18005550100' },
        },
      },
    ]);
  });

  it('omits sender id and origination number when the stage has none', async () => {
    sns.on(PublishCommand).resolves({});
    await new SnsSmsSender(new SNSClient({ region: 'us-east-1' }), { senderId: undefined, originationNumber: undefined }).send({
      to: '+15555550100',
      body: 'hi',
    });
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input.MessageAttributes).toEqual({
      'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
    });
  });
});

describe('OutboxSmsSender', () => {
  it('lists messages newest first, filtered by destination', async () => {
    const outbox = new OutboxSmsSender();
    await outbox.send({ to: '+15555550100', body: 'first' });
    await outbox.send({ to: '+15555550199', body: 'other' });
    await outbox.send({ to: '+15555550100', body: 'second' });
    expect(outbox.list('+15555550100').map((m) => m.body)).toEqual(['second', 'first']);
    expect(outbox.list()).toHaveLength(3);
  });
});

describe('item modules', () => {
  const now = '2026-01-01T00:00:00.000Z';
  const user = { id: 'eu_1', organizationId: 'org_1', email: 'a@example.com', phone: '+33612345678', name: null, status: 'active' as const, createdAt: now, updatedAt: now };

  it('read back what they write, without the table attributes', () => {
    expect(fromEndUserItem(toEndUserItem(user))).toEqual({ user, version: 1, grantVersion: undefined });
  });

  it('fail loudly on a malformed item instead of passing undefined fields on', () => {
    const { incarnation: _incarnation, ...withoutIncarnation } = toSystemItem(
      { organizationId: 'org_1', name: 'app', policy: { factors: ['pin'], rules: [], pin: { length: 6, ttlSeconds: 300, maxAttempts: 5 }, passwordless: { ttlSeconds: 900 }, tokenTtlSeconds: 3600 }, passwordlessUrl: null, webauthn: null, redirectUris: [], tokenSigningAlg: 'ES256', clientSecretHash: null, createdAt: now, updatedAt: now },
      'inc_1',
    );
    expect(() => fromSystemItem(withoutIncarnation)).toThrow(MalformedItemError);
    expect(() => toEndUser({ ...toEndUserItem(user), phone: 33612345678 })).toThrow(/Malformed EndUser item: phone$/);
    expect(() => fromMembershipItem({ accountId: 'acc_1', userId: 'usr_1', role: 'admin', scope: 'all', createdAt: now })).toThrow(MalformedItemError);
  });
});
