import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { signAccessToken } from '#shared/domain/sessions/access-tokens.ts';
import { DataKey, PIN_HMAC_PURPOSE, provisionKeyrings, TOKEN_SIGNING_PURPOSE, TOTP_SECRETS_PURPOSE, TokenSigningKeys } from '#shared/domain/platform/keyring.ts';
import { FixedClock } from '#test/support/fakes/clock.ts';
import { MemoryKeyrings, provisionedSigningKeys } from '#test/support/fakes/keyrings.ts';
import { MemoryMasterKey } from '#test/support/fakes/master-key.ts';

const TOKEN = { issuer: 'urn:portcullis:unit', audience: 'portcullis:management', subject: 'usr_1', amr: ['pwd'] };

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
  it('creates the signing key and both data keys once, each data key under the data master key', async () => {
    const { store, signing, data, run } = keyFunction();

    const first = await run();
    const second = await run();

    expect(first.created.sort()).toEqual([PIN_HMAC_PURPOSE, TOKEN_SIGNING_PURPOSE, TOTP_SECRETS_PURPOSE].sort());
    expect(second).toEqual({ signingKid: first.signingKid, created: [] });
    expect([...store.items.keys()].sort()).toEqual([PIN_HMAC_PURPOSE, TOKEN_SIGNING_PURPOSE, TOTP_SECRETS_PURPOSE].sort());
    expect({ signing: signing.generated, data: data.generated }).toEqual({ signing: 1, data: 2 });
  });

  it('rotation keeps the previous public key in the JWKS, so tokens it signed still verify', async () => {
    const { clock, run, coldStart } = keyFunction();
    await run();
    const signer = coldStart();
    const before = await signAccessToken(await signer.signingKey(), { ...TOKEN, ttlSeconds: 86_400 });

    const { rotated } = await run(true);
    clock.advance(3600); // the new key signs from now on

    const after = await signAccessToken(await signer.signingKey(), { ...TOKEN, ttlSeconds: 60 });
    expect(decodeProtectedHeader(after).kid).toBe(rotated?.kid);
    const jwks = createLocalJWKSet({ keys: await coldStart().verificationKeys() });
    await expect(jwtVerify(before, jwks, { currentDate: clock.now() })).resolves.toBeTruthy();
    await expect(jwtVerify(after, jwks, { currentDate: clock.now() })).resolves.toBeTruthy();
  });

  it('publishes a rotated key before it signs with it', async () => {
    const { run, coldStart } = keyFunction();
    const { signingKid } = await run();

    const { rotated } = await run(true);

    expect((await coldStart().verificationKeys()).map((key) => key.kid)).toEqual([rotated?.kid, signingKid]);
    expect((await coldStart().signingKey()).kid).toBe(signingKid);
  });

  it('retires the previous public key once the tokens it signed have expired', async () => {
    const { clock, run, coldStart } = keyFunction();
    await run();
    const { rotated } = await run(true);

    clock.advance(3600 + 90_000);

    expect((await coldStart().verificationKeys()).map((key) => key.kid)).toEqual([rotated?.kid]);
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
