import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { LocalMasterKey } from '#shared/adapters/local-master-key.ts';
import { generatePin, linkToken, smsText } from '#shared/domain/challenges.ts';
import { amrOf, EndUserTokens } from '#shared/domain/end-user-tokens.ts';
import { TokenSigningKeys } from '#shared/domain/keyring.ts';
import type { KeyringStore, StoredKeyring } from '#shared/domain/ports.ts';
import type { SignInSystem } from '#shared/domain/sign-in-model.ts';
import { dailyShardCaps, SMS_DAILY_SHARDS, SmsLimits } from '#shared/domain/sms-limits.ts';

describe('PINs', () => {
  it('are exactly `length` digits, leading zeros included', () => {
    for (const length of [6, 7, 8]) {
      for (let i = 0; i < 200; i++) expect(generatePin(length)).toMatch(new RegExp(`^\\d{${length}}$`));
    }
  });

  it('are spread evenly over the digits (no modulo bias to the low ones)', () => {
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 5000; i++) for (const digit of generatePin(6)) counts[Number(digit)] = (counts[Number(digit)] ?? 0) + 1;
    // 30,000 digits: each expected 3,000; a bias toward 0–5 would show far beyond ±10 %.
    for (const count of counts) expect(Math.abs(count - 3000)).toBeLessThan(300);
  });
});

describe('SMS text and links', () => {
  const system = { name: 'portal', passwordlessUrl: 'https://portal.example.com/in' } as SignInSystem;

  it('says `<system>: your code is <pin>` and `<system>: sign in <url>?token=…`', () => {
    expect(smsText(system, 'pin', '012345')).toBe('portal: your code is 012345');
    expect(smsText(system, 'passwordless', 'tok')).toBe('portal: sign in https://portal.example.com/in?token=tok');
  });

  it('takes the whole link or just its token', () => {
    expect(linkToken('https://portal.example.com/in?token=abc_-1')).toBe('abc_-1');
    expect(linkToken('  abc_-1 ')).toBe('abc_-1');
    expect(linkToken('https://portal.example.com/in')).toBe('');
  });
});

describe('amr', () => {
  it('names sms for PIN and link, otp for TOTP and recovery codes, and mfa for two methods', () => {
    expect(amrOf(['pin'])).toEqual(['sms']);
    expect(amrOf(['passwordless'])).toEqual(['sms']);
    expect(amrOf(['pin', 'passwordless'])).toEqual(['sms']);
    expect(amrOf(['pin', 'totp'])).toEqual(['sms', 'otp', 'mfa']);
    expect(amrOf(['pin', 'recoveryCode'])).toEqual(['sms', 'otp', 'mfa']);
  });
});

describe('daily SMS shards', () => {
  it('split the limit into per-shard caps that sum to it exactly', () => {
    for (const limit of [0, 1, 7, 10, 23, 1000, 999_999]) {
      const caps = dailyShardCaps(limit);
      expect(caps).toHaveLength(SMS_DAILY_SHARDS);
      expect(caps.reduce((a, b) => a + b, 0)).toBe(limit);
      expect(Math.max(...caps) - Math.min(...caps)).toBeLessThanOrEqual(1);
    }
  });

  it('write one shard per SMS, walking to the next only when one is full', async () => {
    const writes: number[] = [];
    const counts = new Map<number, number>();
    const limits = new SmsLimits(
      {
        findSubjectSends: () => Promise.resolve(undefined),
        replaceSubjectSends: () => Promise.resolve(true),
        decrementDailyShard: () => Promise.resolve(),
        incrementDailyShard: (_org, _day, shard, cap) => {
          writes.push(shard);
          const count = counts.get(shard) ?? 0;
          if (count >= cap) return Promise.resolve(false);
          counts.set(shard, count + 1);
          return Promise.resolve(true);
        },
      },
      () => new Date('2026-03-02T23:00:00Z'),
      () => 0.35, // always starts at shard 3
    );
    expect(await limits.reserveDaily('org', 20)).toMatchObject({ ok: true, reservation: { kind: 'daily', shard: 3 } });
    expect(writes).toEqual([3]);
    await limits.reserveDaily('org', 20); // shard 3 now full (cap 2)
    writes.length = 0;
    expect(await limits.reserveDaily('org', 20)).toMatchObject({ ok: true, reservation: { kind: 'daily', shard: 4 } });
    expect(writes).toEqual([3, 4]);
    for (let i = 0; i < 17; i++) await limits.reserveDaily('org', 20);
    expect(await limits.reserveDaily('org', 20)).toEqual({ ok: false, limit: 'daily', retryAfterSeconds: 3600 });
  });

  it('refuse a destination outside a non-empty allow-list; an empty list restricts nothing', () => {
    const limits = new SmsLimits({} as never);
    expect(limits.checkCountry('+33612345678', [])).toEqual({ ok: true });
    expect(limits.checkCountry('+33612345678', ['FR'])).toEqual({ ok: true });
    expect(limits.checkCountry('+33612345678', ['GB'])).toMatchObject({ ok: false, limit: 'country' });
  });
});

class MemoryKeyrings implements KeyringStore {
  readonly items = new Map<string, StoredKeyring>();
  findKeyring(purpose: string): Promise<StoredKeyring | undefined> {
    return Promise.resolve(this.items.get(purpose));
  }
  createKeyring(keyring: StoredKeyring): Promise<boolean> {
    if (this.items.has(keyring.purpose)) return Promise.resolve(false);
    this.items.set(keyring.purpose, structuredClone(keyring));
    return Promise.resolve(true);
  }
}

describe('signing key rotation', () => {
  function keyring() {
    let nowMs = Date.parse('2026-03-02T10:00:00Z');
    const clock = { now: () => new Date(nowMs), advance: (seconds: number) => (nowMs += seconds * 1000) };
    const store = new MemoryKeyrings();
    const masterKey = new LocalMasterKey(join(mkdtempSync(join(tmpdir(), 'pc-rot-')), 'master.key'));
    const process = () => new TokenSigningKeys(store, () => masterKey, { now: clock.now, publishLeadSeconds: 3600, retireAfterSeconds: 90_000, refreshSeconds: 0 });
    return { clock, process, store };
  }

  it('a signer never creates the signing key: before the key function ran it answers 503 and writes nothing', async () => {
    const { process, store } = keyring();
    await expect(process().signingKey()).rejects.toMatchObject({ status: 503, code: 'service_unavailable', purpose: 'token-signing' });
    expect(await process().verificationKeys()).toEqual([]);
    expect(store.items.size).toBe(0);
    const kid = await process().ensure();
    expect((await process().signingKey()).kid).toBe(kid);
    expect(await process().ensure()).toBe(kid); // idempotent: a second deployment keeps the key
  });

  it('publishes a new key before it signs, then signs with it; the old key stays until its tokens expired', async () => {
    const { clock, process } = keyring();
    await process().ensure(); // what the key function does at deployment
    const signer = process();
    const verifier = process();
    const original = await signer.signingKey();
    expect((await verifier.verificationKeys()).map((key) => key.kid)).toEqual([original.kid]);

    const rotation = await process().rotate();
    // Published at once, newest first, but not signing yet.
    expect((await verifier.verificationKeys()).map((key) => key.kid)).toEqual([rotation.kid, original.kid]);
    expect((await signer.signingKey()).kid).toBe(original.kid);
    const tokens = new EndUserTokens(signer, clock.now);
    const oldToken = await tokens.issue({ issuer: 'i', audience: 'a', subject: 's', organizationId: 'o', amr: ['sms'], ttlSeconds: 86_400 });

    clock.advance(3600);
    expect((await signer.signingKey()).kid).toBe(rotation.kid);
    const newToken = await tokens.issue({ issuer: 'i', audience: 'a', subject: 's', organizationId: 'o', amr: ['sms'], ttlSeconds: 60 });
    expect(decodeProtectedHeader(newToken).kid).toBe(rotation.kid);
    // Both verify with the JWKS while the old key's tokens may still be alive.
    const jwks = createLocalJWKSet({ keys: await verifier.verificationKeys() });
    await expect(jwtVerify(newToken, jwks, { currentDate: clock.now() })).resolves.toBeTruthy();
    await expect(jwtVerify(oldToken, jwks, { currentDate: clock.now() })).resolves.toBeTruthy();

    // After the retention the old key leaves the JWKS.
    clock.advance(90_000);
    expect((await verifier.verificationKeys()).map((key) => key.kid)).toEqual([rotation.kid]);
  });

  it('a second rotation while one is pending answers the pending key', async () => {
    const { process } = keyring();
    await process().ensure();
    await process().signingKey();
    const first = await process().rotate();
    const second = await process().rotate();
    expect(second).toEqual(first);
  });

  it('keeps signing operator tokens with the first key when nothing was rotated', async () => {
    const { process } = keyring();
    await process().ensure();
    const key = await process().signingKey();
    const [published] = await process().verificationKeys();
    const token = await new EndUserTokens(process()).issue({ issuer: 'i', audience: 'a', subject: 's', organizationId: 'o', amr: [], ttlSeconds: 60 });
    expect(decodeProtectedHeader(token).kid).toBe(key.kid);
    const { importJWK } = await import('jose');
    await expect(compactVerify(token, await importJWK(published ?? {}, 'ES256'))).resolves.toBeTruthy();
  });
});
