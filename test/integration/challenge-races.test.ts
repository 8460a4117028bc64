/**
 * The sign-in services against DynamoDB Local with a controllable clock: races, expiry, windows and
 * the failure paths that the HTTP tests cannot reach in real time. The storage and the reads are the
 * real ones (the organization, system, user and grant are stored); the TOTP factor and the SMS sender
 * are small in-test implementations of their ports.
 */
import { describe, expect, it } from 'vitest';
import { documentClient } from '#shared/compose/runtime.ts';
import { config } from '#shared/config.ts';
import { SmsLimitRepository } from '#shared/adapters/sms-limit-repository.ts';
import type { CompletedChallenge } from '#shared/domain/sign-in/complete-sign-in.ts';
import type { AppError } from '#shared/domain/kernel/errors.ts';
import { SmsLimits } from '#shared/domain/sign-in/sms-limits.ts';
import { outcome, POLICY, world } from '#test/support/challenge-world.ts';

describe('check-and-consume', () => {
  it('of 20 concurrent completes with the correct PIN exactly one gets a token', async () => {
    const w = await world();
    await w.start();
    const pin = w.outbox.lastPin();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => w.complete({ pin })));
    const tokens = results.filter((r): r is PromiseFulfilledResult<CompletedChallenge> => r.status === 'fulfilled' && r.value.authenticated);
    expect(tokens).toHaveLength(1);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as AppError).status);
    expect(refused).toEqual(Array.from({ length: 19 }, () => 401));
  });
});

describe('check-and-consume of an e-mailed PIN', () => {
  it('of 20 concurrent completes with the correct email_pin exactly one gets a token', async () => {
    const w = await world({ ...POLICY, factors: ['email_pin'], rules: [] });
    await w.start();
    const pin = /sign-in code is (\d+)/.exec(w.emails.list(w.user.email)[0]?.text ?? '')?.[1] ?? '';
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => w.complete({ pin })));
    const tokens = results.filter((r): r is PromiseFulfilledResult<CompletedChallenge> => r.status === 'fulfilled' && r.value.authenticated);
    expect(tokens).toHaveLength(1);
    expect(tokens[0]?.value).toMatchObject({ amr: ['email'] });
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as AppError).status);
    expect(refused).toEqual(Array.from({ length: 19 }, () => 401));
  });
});

describe('expiry and voiding', () => {
  it('refuses the right PIN once the policy TTL has passed', async () => {
    const w = await world();
    await w.start();
    w.clock.advance(301);
    expect(await outcome(w.complete({ pin: w.outbox.lastPin() }))).toBe('expired');
  });

  it('accepts the right PIN just before the TTL', async () => {
    const w = await world();
    await w.start();
    w.clock.advance(299);
    expect(await outcome(w.complete({ pin: w.outbox.lastPin() }))).toBe('ok');
  });

  it('a new challenge voids the previous one for the same user and system', async () => {
    const w = await world();
    const first = await w.start();
    const oldPin = w.outbox.lastPin();
    w.clock.advance(31);
    const second = await w.start();
    expect(second.challengeId).not.toBe(first.challengeId);
    expect(await outcome(w.complete({ pin: oldPin, challengeId: first.challengeId }))).toBe('expired');
    expect(await outcome(w.complete({ pin: w.outbox.lastPin() }))).toBe('ok');
  });

  it('voids the challenge and answers 502 sms_failed when SNS fails', async () => {
    const w = await world();
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
    const w = await world();
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
    const w = await world();
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
    const w = await world();
    const limits = new SmsLimits(new SmsLimitRepository(documentClient(), config().tableName), config().limits, { now: w.clock.now });
    const payer = { ...w.organization, settings: { ...w.organization.settings, smsDailyLimit: 23 } };
    const results = await Promise.all(Array.from({ length: 30 }, () => limits.reserveDaily(payer)));
    expect(results.filter((result) => result.ok)).toHaveLength(23);
  });
});

describe('step-up', () => {
  it('sensitivity high: PIN then TOTP on the same challenge; remaining [totp] after the PIN', async () => {
    const w = await world();
    const started = await w.start({ sensitivity: 'high' });
    expect(started.method).toBe('pin');
    const first = await w.complete({ pin: w.outbox.lastPin() });
    expect(first).toEqual({ authenticated: false, challengeId: started.challengeId, remaining: ['totp'] });
    expect(await outcome(w.complete({ totp: '654321' }))).toBe('invalid_credentials');
    const done = await w.complete({ totp: '123456' });
    expect(done).toMatchObject({ authenticated: true, amr: ['sms', 'otp', 'mfa'] });
  });

  it('a locked TOTP factor answers too_many_attempts', async () => {
    const w = await world();
    await w.start({ sensitivity: 'high' });
    await w.complete({ pin: w.outbox.lastPin() });
    expect(await outcome(w.complete({ totp: '000000' }))).toBe('too_many_attempts');
  });
});
