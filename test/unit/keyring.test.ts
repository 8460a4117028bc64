import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { signAccessToken } from '#shared/domain/sessions/access-tokens.ts';
import { EndUserTokens } from '#shared/domain/sign-in/end-user-tokens.ts';
import { DataKey, PIN_HMAC_PURPOSE, provisionKeyrings, RS256_SIGNING_PURPOSE, TOKEN_SIGNING_PURPOSE, TOTP_SECRETS_PURPOSE, TokenSigningKeys } from '#shared/domain/platform/keyring.ts';
import { FixedClock } from '#test/support/fakes/clock.ts';
import { MemoryKeyrings, provisionedSigningKeys } from '#test/support/fakes/keyrings.ts';
import { MemoryMasterKey } from '#test/support/fakes/master-key.ts';

const TOKEN = { issuer: 'urn:portcullis:unit', audience: 'portcullis:management', subject: 'usr_1', amr: ['pwd'] };
const END_USER = { audience: 'app', subject: 'usr_1', organizationId: 'org_1', amr: ['sms'], ttlSeconds: 60 };

function keyFunction() {
  const clock = new FixedClock();
  const store = new MemoryKeyrings();
  const signing = new MemoryMasterKey();
  const data = new MemoryMasterKey();
  const options = { now: clock.now, publishLeadSeconds: 3600, retireAfterSeconds: 90_000, refreshSeconds: 0 };
  const run = (rotate = false) => provisionKeyrings(store, { signing: () => signing, data: () => data }, { rotate, signing: options });
  const coldStart = () => new TokenSigningKeys(store, () => signing, options);
  return { clock, store, signing, data, run, coldStart };
}

describe('provisionKeyrings (the key function)', () => {
  it('creates both signing keys (ES256, RS256) and both data keys once, each data key under the data master key', async () => {
    const { store, signing, data, run } = keyFunction();

    const first = await run();
    const second = await run();

    expect(first.created.sort()).toEqual([PIN_HMAC_PURPOSE, RS256_SIGNING_PURPOSE, TOKEN_SIGNING_PURPOSE, TOTP_SECRETS_PURPOSE].sort());
    expect(second).toEqual({ signingKid: first.signingKid, created: [] });
    expect([...store.items.keys()].sort()).toEqual([PIN_HMAC_PURPOSE, RS256_SIGNING_PURPOSE, TOKEN_SIGNING_PURPOSE, TOTP_SECRETS_PURPOSE].sort());
    expect({ signing: signing.generated, data: data.generated }).toEqual({ signing: 2, data: 2 });
  });

  it('rotation keeps the previous public key in the JWKS, so tokens it signed still verify', async () => {
    const { clock, run, coldStart } = keyFunction();
    await run();
    const signer = coldStart();
    const before = await signAccessToken(await signer.signingKey(), { ...TOKEN, ttlSeconds: 86_400 });

    const { rotated } = await run(true);
    clock.advance(3600); // the new key signs from now on

    const after = await signAccessToken(await signer.signingKey(), { ...TOKEN, ttlSeconds: 60 });
    expect(decodeProtectedHeader(after).kid).toBe(rotated?.ES256.kid);
    const jwks = createLocalJWKSet({ keys: await coldStart().verificationKeys() });
    await expect(jwtVerify(before, jwks, { currentDate: clock.now() })).resolves.toBeTruthy();
    await expect(jwtVerify(after, jwks, { currentDate: clock.now() })).resolves.toBeTruthy();
  });

  it('publishes a rotated key before it signs with it', async () => {
    const { run, coldStart } = keyFunction();
    const { signingKid } = await run();

    const rsaKid = (await coldStart().signingKey('RS256')).kid;

    const { rotated } = await run(true);

    // Both algorithms' chains, each newest first.
    expect((await coldStart().verificationKeys()).map((key) => key.kid)).toEqual([rotated?.ES256.kid, signingKid, rotated?.RS256.kid, rsaKid]);
    expect((await coldStart().signingKey()).kid).toBe(signingKid);
    expect((await coldStart().signingKey('RS256')).kid).toBe(rsaKid);
  });

  it('retires the previous public key once the tokens it signed have expired', async () => {
    const { clock, run, coldStart } = keyFunction();
    await run();
    const { rotated } = await run(true);

    clock.advance(3600 + 90_000);

    expect((await coldStart().verificationKeys()).map((key) => key.kid)).toEqual([rotated?.ES256.kid, rotated?.RS256.kid]);
  });
});

describe('TokenSigningKeys', () => {
  it('concurrent first creations settle on one key, which every process signs with', async () => {
    const store = new MemoryKeyrings();
    const masterKey = new MemoryMasterKey();
    const coldStart = () => new TokenSigningKeys(store, () => masterKey);

    const kids = await Promise.all(Array.from({ length: 5 }, () => coldStart().ensure()));

    expect(new Set(kids).size).toBe(1);
    expect((await coldStart().signingKey()).kid).toBe(kids[0]);
  });

  it('unwraps the private key once per process, not per request', async () => {
    const { keys, masterKey } = await provisionedSigningKeys(new FixedClock());

    await Promise.all([keys.signingKey(), keys.signingKey(), keys.signingKey()]);
    await keys.signingKey();

    expect(masterKey.decrypted).toBe(1);
  });

  it('a failed unwrap (master key unavailable) does not poison the process: the next request unwraps', async () => {
    const { keys, masterKey } = await provisionedSigningKeys(new FixedClock());
    masterKey.failNext();

    await expect(keys.signingKey()).rejects.toThrow('master key unavailable');

    await expect(keys.signingKey()).resolves.toMatchObject({ kid: expect.any(String) as string });
  });

  it('publishes only public halves', async () => {
    const { keys } = await provisionedSigningKeys(new FixedClock());

    const [published] = await keys.verificationKeys();

    expect(published).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(published).not.toHaveProperty('d');
  });
});

describe('RS256 signing keys', () => {
  it('a deployment from before RS256 (ES256 key only) answers 503 for RS256 until the key function runs, then signs RS256', async () => {
    const { clock, store, signing, coldStart, run } = keyFunction();
    await run();
    store.items.delete(RS256_SIGNING_PURPOSE); // what a deployment provisioned before RS256 holds
    const esKid = (await coldStart().signingKey()).kid;

    await expect(coldStart().signingKey('RS256')).rejects.toMatchObject({ status: 503, code: 'service_unavailable', purpose: RS256_SIGNING_PURPOSE });
    expect((await coldStart().verificationKeys()).map((key) => key.alg)).toEqual(['ES256']);

    const next = await run(); // the key function's next run (deployment or schedule)
    expect(next).toEqual({ signingKid: esKid, created: [RS256_SIGNING_PURPOSE] });
    expect(signing.generated).toBe(3);
    const signer = coldStart();
    const key = await signer.signingKey('RS256');
    expect(key.alg).toBe('RS256');
    const token = await new EndUserTokens(signer, { apiBase: 'https://auth.example.test' }, clock.now).issue({ ...END_USER, alg: 'RS256' });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', kid: key.kid, typ: 'JWT' });
    await expect(jwtVerify(token, createLocalJWKSet({ keys: await coldStart().verificationKeys() }), { currentDate: clock.now(), algorithms: ['RS256'] })).resolves.toBeTruthy();
    expect((await coldStart().signingKey()).kid).toBe(esKid); // the ES256 key is untouched
  });

  it('publishes an RSA-2048 public key with its own kid, alg RS256 and use sig, never the private members', async () => {
    const { run, coldStart } = keyFunction();
    await run();

    const keys = await coldStart().verificationKeys();

    expect(keys.map((key) => [key.kty, key.alg, key.use])).toEqual([['EC', 'ES256', 'sig'], ['RSA', 'RS256', 'sig']]);
    expect(new Set(keys.map((key) => key.kid)).size).toBe(2);
    const rsa = keys.find((key) => key.alg === 'RS256');
    expect(Object.keys(rsa ?? {}).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(Buffer.from(rsa?.n ?? '', 'base64url').length * 8).toBe(2048);
  });

  it('rotation publishes both new keys at once, signs with each only after the lead, and retires both old keys together', async () => {
    const { clock, run, coldStart } = keyFunction();
    const { signingKid } = await run();
    const signer = coldStart();
    const rsaKid = (await signer.signingKey('RS256')).kid;
    const tokens = new EndUserTokens(signer, { apiBase: 'https://auth.example.test' }, clock.now);
    const oldRsaToken = await tokens.issue({ ...END_USER, alg: 'RS256', ttlSeconds: 86_400 });

    const { rotated } = await run(true);

    expect((await coldStart().verificationKeys(['RS256'])).map((key) => key.kid)).toEqual([rotated?.RS256.kid, rsaKid]);
    expect((await signer.signingKey('RS256')).kid).toBe(rsaKid);
    clock.advance(3600);
    expect((await signer.signingKey('RS256')).kid).toBe(rotated?.RS256.kid);
    expect((await signer.signingKey('ES256')).kid).toBe(rotated?.ES256.kid);
    const newRsaToken = await tokens.issue({ ...END_USER, alg: 'RS256' });
    const jwks = createLocalJWKSet({ keys: await coldStart().verificationKeys() });
    await expect(jwtVerify(oldRsaToken, jwks, { currentDate: clock.now() })).resolves.toBeTruthy();
    await expect(jwtVerify(newRsaToken, jwks, { currentDate: clock.now() })).resolves.toBeTruthy();

    clock.advance(90_000);
    const published = (await coldStart().verificationKeys()).map((key) => key.kid);
    expect(published).toEqual([rotated?.ES256.kid, rotated?.RS256.kid]);
    expect(published).not.toContain(signingKid);
    expect(published).not.toContain(rsaKid);
  });

  it('unwraps each key once per process: no master key call when warm, whichever algorithm signs', async () => {
    const { run, coldStart, signing } = keyFunction();
    await run();
    const signer = coldStart();
    const before = signing.decrypted;

    await Promise.all([signer.signingKey('RS256'), signer.signingKey('RS256'), signer.signingKey('ES256')]);
    const afterCold = signing.decrypted;
    for (let i = 0; i < 5; i++) await Promise.all([signer.signingKey('RS256'), signer.signingKey('ES256')]);

    expect(afterCold - before).toBe(2); // one unwrap per kid
    expect(signing.decrypted).toBe(afterCold);
  });

  it('signing ES256 never reads the RSA keys', async () => {
    const { run, store, signing } = keyFunction();
    await run();
    const reads: string[] = [];
    const spy = { findKeyring: (purpose: string) => (reads.push(purpose), store.findKeyring(purpose)), createKeyring: (keyring: Parameters<typeof store.createKeyring>[0]) => store.createKeyring(keyring) };

    await new TokenSigningKeys(spy, () => signing).signingKey();
    await new TokenSigningKeys(spy, () => signing).verificationKeys(['ES256']);

    expect(reads.every((purpose) => purpose.startsWith(TOKEN_SIGNING_PURPOSE) && !purpose.startsWith(RS256_SIGNING_PURPOSE))).toBe(true);
  });
});

describe('DataKey', () => {
  it('is missing (503) until provisioned, writes nothing meanwhile, then answers the provisioned key', async () => {
    const { store, data, run } = keyFunction();
    const pinKey = new DataKey(store, () => data, PIN_HMAC_PURPOSE);

    await expect(pinKey.get()).rejects.toMatchObject({ status: 503, purpose: PIN_HMAC_PURPOSE });
    expect(store.writes).toBe(0);

    await run();
    const key = await pinKey.get();
    expect(key).toHaveLength(32);
    expect(await new DataKey(store, () => data, PIN_HMAC_PURPOSE).get()).toEqual(key);
  });

  it('gives each purpose its own key', async () => {
    const { store, data, run } = keyFunction();
    await run();

    const pin = await new DataKey(store, () => data, PIN_HMAC_PURPOSE).get();
    const totp = await new DataKey(store, () => data, TOTP_SECRETS_PURPOSE).get();

    expect(Buffer.from(pin).equals(Buffer.from(totp))).toBe(false);
  });

  it('ensure creates the keyring once and says whether it did', async () => {
    const { store, data } = keyFunction();
    const key = new DataKey(store, () => data, PIN_HMAC_PURPOSE);

    expect(await key.ensure()).toBe(true);
    expect(await key.ensure()).toBe(false);
    expect(data.generated).toBe(1);
  });
});
