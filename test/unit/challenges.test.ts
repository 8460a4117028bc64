import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { LocalMasterKey } from '#shared/adapters/local-master-key.ts';
import { generatePin, linkToken, smsText } from '#shared/domain/sign-in/challenge-rules.ts';
import { emailDelivery } from '#shared/domain/sign-in/decoys.ts';
import { amrOf, EndUserTokens } from '#shared/domain/sign-in/end-user-tokens.ts';
import { TokenSigningKeys } from '#shared/domain/platform/keyring.ts';
import type { KeyringStore, StoredKeyring } from '#shared/domain/platform/keyring-store.ts';
import type { SignInSystem } from '#shared/domain/sign-in/model.ts';
import { dailyShardCaps, SMS_DAILY_SHARDS, SmsLimits, type DailyCounter, type DailyShardWrite } from '#shared/domain/sign-in/sms-limits.ts';

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

  it('names email for a PIN or link sent by e-mail, and mfa with another method', () => {
    expect(amrOf(['email_pin'])).toEqual(['email']);
    expect(amrOf(['email_link'])).toEqual(['email']);
    expect(amrOf(['email_pin', 'totp'])).toEqual(['email', 'otp', 'mfa']);
    expect(amrOf(['pin', 'email_link'])).toEqual(['sms', 'email', 'mfa']);
  });
});

describe("an e-mailed factor's deliveredTo", () => {
  it('has one fixed shape from the email asked for: first character, stars, top-level domain, lower-cased', () => {
    expect(emailDelivery('alice.smith@mail.example.com')).toBe('a*****@*****.com');
    expect(emailDelivery('Alice.Smith@Example.ORG')).toBe('a*****@*****.org');
    expect(emailDelivery('b@x.io')).toBe('b*****@*****.io');
    // The length does not depend on the local part or the domain's other labels.
    expect(emailDelivery('averyveryverylongname@a.b.c.example.com')).toHaveLength(emailDelivery('z@q.com').length);
  });
});

describe('e-mail limits', () => {
  it('count on their own items with the e-mail caps, and refuse (fail closed) without them', async () => {
    const writes: DailyShardWrite[] = [];
    const limits = new SmsLimits(memoryCounters((write) => writes.push(write)), { ...DEPLOYMENT, emailAccountDailyLimit: 20, emailDeploymentDailyLimit: 30 }, { channel: 'email', random: () => 0 });
    const org = { ...payer(1000), settings: { ...payer(1000).settings, emailDailyLimit: 10 } };
    const planned = limits.plan(org, 'subject', undefined);
    if (!planned.ok) throw new Error('refused');
    expect(planned.planned.subject.channel).toBe('email');
    expect(planned.planned.daily.map((write) => [write.channel, write.counter.level, write.cap])).toEqual([
      ['email', 'organization', 1],
      ['email', 'account', 2],
      ['email', 'deployment', 3],
    ]);
    expect(await limits.reserveDaily(org)).toMatchObject({ ok: true, reservation: { kind: 'daily', channel: 'email' } });
    expect(writes.every((write) => write.channel === 'email')).toBe(true);
    // No e-mail caps given: nothing is sent.
    const unconfigured = new SmsLimits(memoryCounters(), DEPLOYMENT, { channel: 'email' });
    expect(await unconfigured.reserveDaily(org)).toMatchObject({ ok: false, limit: 'account_daily' });
    expect(await unconfigured.reserveDaily(payer(1000))).toMatchObject({ ok: false, limit: 'daily' });
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

  it('write one shard per SMS and count, walking to the next only when one is full', async () => {
    const writes: number[] = [];
    const store = memoryCounters((write) => {
      if (write.counter.level === 'organization') writes.push(write.shard);
    });
    const limits = new SmsLimits(store, DEPLOYMENT, { now: () => new Date('2026-03-02T23:00:00Z'), random: () => 0.35 }); // always starts at shard 3
    const org = payer(20);
    expect(await limits.reserveDaily(org)).toMatchObject({ ok: true, reservation: { kind: 'daily', shards: [{ counter: { level: 'organization' }, shard: 3 }, { counter: { level: 'account' } }, { counter: { level: 'deployment' } }] } });
    expect(writes).toEqual([3]);
    await limits.reserveDaily(org); // shard 3 now full (cap 2)
    writes.length = 0;
    expect(await limits.reserveDaily(org)).toMatchObject({ ok: true, reservation: { kind: 'daily', shards: [{ counter: { level: 'organization' }, shard: 4 }, {}, {}] } });
    expect(writes).toEqual([3, 4]);
    for (let i = 0; i < 17; i++) await limits.reserveDaily(org);
    expect(await limits.reserveDaily(org)).toEqual({ ok: false, limit: 'daily', retryAfterSeconds: 3600 });
    // The refused SMS took nothing from the account's and the deployment's counts.
    expect(store.total('account')).toBe(20);
    expect(store.total('deployment')).toBe(20);
  });

  it("stop at the account's cap across its organizations, and give back the organization's shard", async () => {
    const store = memoryCounters();
    const limits = new SmsLimits(store, { ...DEPLOYMENT, smsAccountDailyLimit: 3 }, { now: () => new Date('2026-03-02T23:00:00Z') });
    expect(await limits.reserveDaily(payer(100, 'org_a'))).toMatchObject({ ok: true });
    expect(await limits.reserveDaily(payer(100, 'org_a'))).toMatchObject({ ok: true });
    expect(await limits.reserveDaily(payer(100, 'org_b'))).toMatchObject({ ok: true });
    expect(await limits.reserveDaily(payer(100, 'org_b'))).toEqual({ ok: false, limit: 'account_daily', retryAfterSeconds: 3600 });
    expect(store.total('organization')).toBe(3);
    expect(await limits.reserveDaily({ ...payer(100, 'org_c'), accountId: 'acc_other' })).toMatchObject({ ok: true });
  });

  it("stop at the deployment's cap across accounts, count it for the alarm and then refuse without writing for a minute", async () => {
    const store = memoryCounters();
    let nowMs = Date.parse('2026-03-02T12:00:00Z');
    const counted: string[] = [];
    const limits = new SmsLimits(store, { ...DEPLOYMENT, smsDeploymentDailyLimit: 2 }, { now: () => new Date(nowMs), metrics: { count: (name) => counted.push(name) } });
    expect(await limits.reserveDaily({ ...payer(100), accountId: 'acc_1' })).toMatchObject({ ok: true });
    expect(await limits.reserveDaily({ ...payer(100), accountId: 'acc_2' })).toMatchObject({ ok: true });
    expect(await limits.reserveDaily({ ...payer(100), accountId: 'acc_3' })).toMatchObject({ ok: false, limit: 'deployment_daily' });
    expect(counted).toEqual(['SmsDeploymentCapReached']);
    expect(store.total('organization')).toBe(2);
    expect(store.total('account')).toBe(2);
    const writes = store.writes;
    expect(await limits.reserveDaily({ ...payer(100), accountId: 'acc_4' })).toMatchObject({ ok: false, limit: 'deployment_daily' });
    expect(limits.plan({ ...payer(100), accountId: 'acc_4' }, 'subject', undefined)).toMatchObject({ ok: false, limit: 'deployment_daily' });
    expect(store.writes).toBe(writes);
    // A minute later the shards are asked again (an SMS given back may have freed one).
    nowMs += 61_000;
    await store.decrementDailyShard({ level: 'deployment', id: '' }, '2026-03-02', store.fullShard('deployment'));
    expect(await limits.reserveDaily({ ...payer(100), accountId: 'acc_4' })).toMatchObject({ ok: true });
  });

  it('plan a shard of each count for the challenge transaction, and refuse a count with no room', () => {
    const limits = new SmsLimits(memoryCounters(), DEPLOYMENT, { now: () => new Date('2026-03-02T23:00:00Z'), random: () => 0 });
    const planned = limits.plan(payer(20), 'subject', undefined);
    if (!planned.ok) throw new Error('refused');
    expect(planned.planned.daily.map((write) => [write.counter.level, write.shard, write.cap])).toEqual([
      ['organization', 0, 2],
      ['account', 0, DEPLOYMENT.smsAccountDailyLimit / SMS_DAILY_SHARDS],
      ['deployment', 0, DEPLOYMENT.smsDeploymentDailyLimit / SMS_DAILY_SHARDS],
    ]);
    expect(limits.plan(payer(0), 'subject', undefined)).toMatchObject({ ok: false, limit: 'daily' });
  });

  it("refuse a destination outside the deployment's countries, an empty organization list included, and any number that is not a mobile", () => {
    const limits = new SmsLimits({} as never, { ...DEPLOYMENT, smsAllowedCountries: ['FR', 'DE'] });
    expect(limits.checkDestination('+33612345678', [])).toEqual({ ok: true });
    expect(limits.checkDestination('+33612345678', ['FR'])).toEqual({ ok: true });
    expect(limits.checkDestination('+33612345678', ['DE'])).toMatchObject({ ok: false, limit: 'country' });
    // An empty organization list is the deployment's list, never every country.
    expect(limits.checkDestination('+447400123456', [])).toMatchObject({ ok: false, limit: 'country' });
    // An organization list naming a country the deployment does not allow (written before it was narrowed) allows nothing more.
    expect(limits.checkDestination('+447400123456', ['GB'])).toMatchObject({ ok: false, limit: 'country' });
    for (const notMobile of ['+33142685300', '+33899123456', '+33800123456']) expect(limits.checkDestination(notMobile, []), notMobile).toMatchObject({ ok: false, limit: 'country' });
  });
});

const DEPLOYMENT = { smsAllowedCountries: ['FR'], smsDeploymentDailyLimit: 10_000, smsAccountDailyLimit: 1_000 };

const payer = (smsDailyLimit: number, id = 'org_1') => ({ id, accountId: 'acc_1', settings: { smsDailyLimit, smsAllowedCountries: [] } });

/** Daily counters in memory, with the store's semantics (conditional increment, never below zero). */
function memoryCounters(onWrite: (write: DailyShardWrite) => void = () => undefined) {
  const counts = new Map<string, number>();
  const key = (counter: DailyCounter, day: string, shard: number) => `${counter.level}#${counter.id}#${day}#${String(shard)}`;
  const store = {
    writes: 0,
    findSubjectSends: () => Promise.resolve(undefined),
    replaceSubjectSends: () => Promise.resolve(true),
    incrementDailyShard: (write: DailyShardWrite) => {
      store.writes++;
      onWrite(write);
      const k = key(write.counter, write.day, write.shard);
      const count = counts.get(k) ?? 0;
      if (count >= write.cap) return Promise.resolve(false);
      counts.set(k, count + 1);
      return Promise.resolve(true);
    },
    decrementDailyShard: (counter: DailyCounter, day: string, shard: number) => {
      const k = key(counter, day, shard);
      const count = counts.get(k) ?? 0;
      if (count > 0) counts.set(k, count - 1);
      return Promise.resolve();
    },
    /** Sum of every shard of a level. */
    total: (level: DailyCounter['level']) => [...counts].filter(([k]) => k.startsWith(`${level}#`)).reduce((sum, [, count]) => sum + count, 0),
    /** A shard of the level holding a count. */
    fullShard: (level: DailyCounter['level']) => Number([...counts].find(([k, count]) => k.startsWith(`${level}#`) && count > 0)?.[0].split('#').at(-1)),
  };
  return store;
}

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
    expect((await verifier.verificationKeys(['ES256'])).map((key) => key.kid)).toEqual([original.kid]);

    const rotation = await process().rotate();
    // Published at once, newest first, but not signing yet.
    expect((await verifier.verificationKeys(['ES256'])).map((key) => key.kid)).toEqual([rotation.ES256.kid, original.kid]);
    expect((await signer.signingKey()).kid).toBe(original.kid);
    const tokens = new EndUserTokens(signer, { apiBase: 'https://auth.example.test' }, clock.now);
    const oldToken = await tokens.issue({ audience: 'a', subject: 's', organizationId: 'o', amr: ['sms'], ttlSeconds: 86_400 });

    clock.advance(3600);
    expect((await signer.signingKey()).kid).toBe(rotation.ES256.kid);
    const newToken = await tokens.issue({ audience: 'a', subject: 's', organizationId: 'o', amr: ['sms'], ttlSeconds: 60 });
    expect(decodeProtectedHeader(newToken).kid).toBe(rotation.ES256.kid);
    // Both verify with the JWKS while the old key's tokens may still be alive.
    const jwks = createLocalJWKSet({ keys: await verifier.verificationKeys() });
    await expect(jwtVerify(newToken, jwks, { currentDate: clock.now() })).resolves.toBeTruthy();
    await expect(jwtVerify(oldToken, jwks, { currentDate: clock.now() })).resolves.toBeTruthy();

    // After the retention the old key leaves the JWKS.
    clock.advance(90_000);
    expect((await verifier.verificationKeys(['ES256'])).map((key) => key.kid)).toEqual([rotation.ES256.kid]);
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
    const token = await new EndUserTokens(process(), { apiBase: 'https://auth.example.test' }).issue({ audience: 'a', subject: 's', organizationId: 'o', amr: [], ttlSeconds: 60 });
    expect(decodeProtectedHeader(token).kid).toBe(key.kid);
    const { importJWK } = await import('jose');
    await expect(compactVerify(token, await importJWK(published ?? {}, 'ES256'))).resolves.toBeTruthy();
  });
});
