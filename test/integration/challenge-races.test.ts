/**
 * The challenge engine against DynamoDB Local with a controllable clock: races, expiry, windows and
 * the failure paths that the HTTP tests cannot reach in real time. The directory, the TOTP factor and
 * the SMS sender are small in-test implementations of their ports; the storage is the real one.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ChallengeRepository } from '#shared/adapters/challenge-repository.ts';
import { SmsLimitRepository } from '#shared/adapters/sms-limit-repository.ts';
import { config } from '#shared/config.ts';
import { documentClient, tokenSigningKeys } from '#shared/container.ts';
import { AccessControl } from '#shared/domain/access-control.ts';
import type { AuditEvent } from '#shared/domain/audit.ts';
import { ChallengeEngine, type CompletedChallenge } from '#shared/domain/challenges.ts';
import { EndUserTokens } from '#shared/domain/end-user-tokens.ts';
import type { AppError } from '#shared/domain/errors.ts';
import type { Organization } from '#shared/domain/model.ts';
import type { SmsMessage, SmsSender } from '#shared/domain/ports.ts';
import type { Principal } from '#shared/domain/principal.ts';
import { newId } from '#shared/domain/secrets.ts';
import type { EndUser, EndUserSecondFactor, Policy, SecondFactorOutcome, SignInDirectory, SignInSystem } from '#shared/domain/sign-in-model.ts';
import { SmsLimits } from '#shared/domain/sms-limits.ts';

const POLICY: Policy = {
  factors: ['pin'],
  rules: [{ if: { sensitivity: ['high'] }, factors: ['pin', 'totp'] }],
  pin: { length: 6, ttlSeconds: 300, maxAttempts: 5 },
  passwordless: { ttlSeconds: 600 },
  tokenTtlSeconds: 3600,
};

class Outbox implements SmsSender {
  readonly sent: SmsMessage[] = [];
  failing = false;
  send(message: SmsMessage): Promise<void> {
    if (this.failing) return Promise.reject(new Error('SNS: throttled'));
    this.sent.push(message);
    return Promise.resolve();
  }
  lastPin(): string {
    return /your code is (\d+)$/.exec(this.sent.at(-1)?.body ?? '')?.[1] ?? '';
  }
}

/** TOTP test double: `123456` is right, `000000` locks, anything else is wrong. */
class FakeTotp implements EndUserSecondFactor {
  isEnrolled(): Promise<boolean> {
    return Promise.resolve(true);
  }
  verifyTotp(_org: string, _user: string, code: string): Promise<SecondFactorOutcome> {
    return Promise.resolve(code === '123456' ? 'ok' : code === '000000' ? 'locked' : 'invalid');
  }
  useRecoveryCode(): Promise<SecondFactorOutcome> {
    return Promise.resolve('invalid');
  }
}

/** One organization with one system and one user with access, an engine over them and a clock. */
function world(policy: Policy = POLICY) {
  let nowMs = Date.parse('2026-03-02T10:00:00.000Z') + Math.floor(Math.random() * 1000) * 60_000;
  const clock = { now: () => new Date(nowMs), advance: (seconds: number) => (nowMs += seconds * 1000) };
  const accountId = newId('acc');
  const organization: Organization = {
    id: newId('org'),
    accountId,
    name: 'Acme',
    settings: { requireMfa: false, smsDailyLimit: 1000, smsAllowedCountries: [] },
    status: 'active',
    createdAt: clock.now().toISOString(),
    updatedAt: clock.now().toISOString(),
  };
  const system: SignInSystem = { organizationId: organization.id, name: 'portal', policy, passwordlessUrl: 'https://portal.example.com/in', createdAt: '', updatedAt: '' };
  const user: EndUser = {
    id: newId('eu'),
    organizationId: organization.id,
    email: `${randomBytes(6).toString('hex')}@example.com`,
    phone: `+3361${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`,
    name: null,
    status: 'active',
    createdAt: '',
    updatedAt: '',
  };
  const directory: SignInDirectory = {
    findSystem: (orgId, name) => Promise.resolve(orgId === organization.id && name === system.name ? system : undefined),
    findEndUserByEmail: (orgId, email) => Promise.resolve(orgId === organization.id && email.toLowerCase() === user.email ? user : undefined),
    findEndUser: (orgId, id) => Promise.resolve(orgId === organization.id && id === user.id ? user : undefined),
    hasAccess: (_orgId, _name, userId) => Promise.resolve(userId === user.id),
  };
  const outbox = new Outbox();
  const audit: AuditEvent[] = [];
  const engine = new ChallengeEngine({
    access: new AccessControl({
      findMembership: () => Promise.resolve(undefined),
      findOrganization: (orgId) => Promise.resolve(orgId === organization.id ? organization : undefined),
      listGroupsOfAccount: () => Promise.resolve([]),
    }),
    directory,
    secondFactor: new FakeTotp(),
    store: new ChallengeRepository(documentClient(), config().tableName),
    limits: new SmsLimits(new SmsLimitRepository(documentClient(), config().tableName), config().limits, { now: clock.now }),
    sms: outbox,
    pinKey: { get: () => Promise.resolve(new Uint8Array(32).fill(1)) },
    tokens: new EndUserTokens(tokenSigningKeys(), clock.now),
    audit: (event) => {
      audit.push(event);
      return Promise.resolve();
    },
    issuer: 'urn:test',
    now: clock.now,
  });
  const principal: Principal = { kind: 'key', keyId: 'key-1', accountId, permissions: ['authenticate'], organizations: [organization.id] };
  const request = { principal, requestId: 'req', sourceIp: '127.0.0.1' };
  const start = (context?: Record<string, string>) => engine.start(request, { email: user.email, system: system.name, ...(context ? { context } : {}) });
  const complete = (credential: Record<string, string>) => engine.complete(request, { email: user.email, system: system.name, ...credential });
  return { clock, organization, user, outbox, audit, engine, start, complete };
}

/** The problem code of a rejected call (or 'ok'). */
async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return (error as AppError).code;
  }
}

describe('check-and-consume', () => {
  it('of 20 concurrent completes with the correct PIN exactly one gets a token', async () => {
    const w = world();
    await w.start();
    const pin = w.outbox.lastPin();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => w.complete({ pin })));
    const tokens = results.filter((r): r is PromiseFulfilledResult<CompletedChallenge> => r.status === 'fulfilled' && r.value.authenticated);
    expect(tokens).toHaveLength(1);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as AppError).status);
    expect(refused).toEqual(Array.from({ length: 19 }, () => 401));
  });
});

describe('expiry and voiding', () => {
  it('refuses the right PIN once the policy TTL has passed', async () => {
    const w = world();
    await w.start();
    w.clock.advance(301);
    expect(await outcome(w.complete({ pin: w.outbox.lastPin() }))).toBe('expired');
  });

  it('accepts the right PIN just before the TTL', async () => {
    const w = world();
    await w.start();
    w.clock.advance(299);
    expect(await outcome(w.complete({ pin: w.outbox.lastPin() }))).toBe('ok');
  });

  it('a new challenge voids the previous one for the same user and system', async () => {
    const w = world();
    const first = await w.start();
    const oldPin = w.outbox.lastPin();
    w.clock.advance(31);
    const second = await w.start();
    expect(second.challengeId).not.toBe(first.challengeId);
    expect(await outcome(w.complete({ pin: oldPin, challengeId: first.challengeId }))).toBe('expired');
    expect(await outcome(w.complete({ pin: w.outbox.lastPin() }))).toBe('ok');
  });

  it('voids the challenge and answers 502 sms_failed when SNS fails', async () => {
    const w = world();
    w.outbox.failing = true;
    const failed = w.start();
    expect(await outcome(failed)).toBe('sms_failed');
    expect(w.audit.at(-1)).toMatchObject({ type: 'challenge.failed', details: { reason: 'sms_failed' } });
    // The voided challenge is the live one, yet nothing completes it.
    expect(await outcome(w.complete({ pin: '123456' }))).toBe('expired');
  });
});

describe('wrong codes', () => {
  it('locks the user for the system after 10 wrong codes across challenges in 15 minutes', async () => {
    const w = world();
    const codes: string[] = [];
    for (let round = 0; round < 2; round++) {
      await w.start();
      const wrong = w.outbox.lastPin() === '000001' ? '000002' : '000001';
      for (let i = 0; i < 5; i++) codes.push(await outcome(w.complete({ pin: wrong })));
      w.clock.advance(31);
    }
    const round = ['invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'too_many_attempts'];
    expect(codes).toEqual([...round, ...round]);
    expect(w.audit.filter((event) => event.type === 'challenge.locked').map((event) => event.details.scope)).toEqual(['challenge', 'user']);

    // A third challenge: even the right PIN is refused while the window holds 10 failures.
    await w.start();
    expect(await outcome(w.complete({ pin: w.outbox.lastPin() }))).toBe('too_many_attempts');
    // Once the oldest failures age out of the 15 minutes, a fresh challenge works again.
    w.clock.advance(15 * 60);
    await w.start();
    expect(await outcome(w.complete({ pin: w.outbox.lastPin() }))).toBe('ok');
  });
});

describe('SMS windows', () => {
  it('allows five SMS per hour to a user, then 429 until the oldest is an hour old', async () => {
    const w = world();
    for (let i = 0; i < 5; i++) {
      await w.start();
      w.clock.advance(31);
    }
    const refused = await w.start().catch((error: unknown) => error as AppError);
    expect(refused).toMatchObject({ status: 429, code: 'rate_limited' });
    const retryAfter = Number((refused as AppError).headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(3600 - 5 * 31 - 1);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    w.clock.advance(retryAfter);
    expect(await outcome(w.start())).toBe('ok');
  });

  it('the daily shards never let concurrent SMS exceed the limit', async () => {
    const w = world();
    const limits = new SmsLimits(new SmsLimitRepository(documentClient(), config().tableName), config().limits, { now: w.clock.now });
    const payer = { ...w.organization, settings: { ...w.organization.settings, smsDailyLimit: 23 } };
    const results = await Promise.all(Array.from({ length: 30 }, () => limits.reserveDaily(payer)));
    expect(results.filter((result) => result.ok)).toHaveLength(23);
  });
});

describe('step-up', () => {
  it('sensitivity high: PIN then TOTP on the same challenge; remaining [totp] after the PIN', async () => {
    const w = world();
    const started = await w.start({ sensitivity: 'high' });
    expect(started.method).toBe('pin');
    const first = await w.complete({ pin: w.outbox.lastPin() });
    expect(first).toEqual({ authenticated: false, challengeId: started.challengeId, remaining: ['totp'] });
    expect(await outcome(w.complete({ totp: '654321' }))).toBe('invalid_credentials');
    const done = await w.complete({ totp: '123456' });
    expect(done).toMatchObject({ authenticated: true, amr: ['sms', 'otp', 'mfa'] });
  });

  it('a locked TOTP factor answers too_many_attempts', async () => {
    const w = world();
    await w.start({ sensitivity: 'high' });
    await w.complete({ pin: w.outbox.lastPin() });
    expect(await outcome(w.complete({ totp: '000000' }))).toBe('too_many_attempts');
  });
});
