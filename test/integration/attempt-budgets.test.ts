/**
 * SPEC §6 attempt budgets: of N concurrent wrong guesses at most the budget is ever compared with the
 * secret, however the requests interleave, and the right secret is refused afterwards. Each factor
 * goes through its real service and DynamoDB Local; the comparison itself is counted where it
 * happens, by a pass-through wrapper around the function that compares:
 * - PIN and link: `constantTimeEqual` (secrets.ts), the engine's comparison of the hashed guess
 *   with the challenge's stored hash (nothing else in these requests calls it);
 * - TOTP: `matchTotp` (totp.ts), which checks a code against the opened secret;
 * - recovery codes: `findRecoveryCodeHash` (recovery-codes.ts);
 * - operator passwords: `verifyPassword` (passwords.ts), the scrypt check (`verifyAgainstDummy`
 *   calls it too, so an unknown email would be counted as well), at login and at a password change.
 */
import { describe, expect, it, vi } from 'vitest';
import { operatorMfa, totpFactors } from '#shared/compose/mfa.ts';
import { operatorSessions, passwordLifecycle } from '#shared/compose/sessions.ts';
import type { AuditContext } from '#shared/domain/kernel/audit-events.ts';
import { USER_FAILURE_LIMIT } from '#shared/domain/sign-in/failure-window.ts';
import type { MfaSubject } from '#shared/domain/mfa/mfa-subject.ts';
import { LOGIN_MAX_ATTEMPTS } from '#shared/domain/sessions/login-throttle.ts';
import { MAX_TOTP_FAILURES } from '#shared/domain/mfa/totp-attempts.ts';
import { race } from '#test/support/concurrency.ts';
import { POLICY, outcome, world } from '#test/support/challenge-world.ts';
import { enrolledOwner } from '#test/support/enrolled-owner.ts';
import { signupBody } from '#test/support/factories.ts';
import { codeInSteps, referenceCode } from '#test/support/totp.ts';

const counted = vi.hoisted(() => ({ compare: 0, totp: 0, recovery: 0, password: 0 }));

vi.mock('#shared/domain/kernel/secrets.ts', async (original) => {
  const actual = await original<typeof import('#shared/domain/kernel/secrets.ts')>();
  return {
    ...actual,
    constantTimeEqual: (a: string, b: string) => {
      counted.compare++;
      return actual.constantTimeEqual(a, b);
    },
  };
});
vi.mock('#shared/domain/mfa/totp.ts', async (original) => {
  const actual = await original<typeof import('#shared/domain/mfa/totp.ts')>();
  return {
    ...actual,
    matchTotp: (secret: string, code: string, at: number) => {
      counted.totp++;
      return actual.matchTotp(secret, code, at);
    },
  };
});
vi.mock('#shared/domain/mfa/recovery-codes.ts', async (original) => {
  const actual = await original<typeof import('#shared/domain/mfa/recovery-codes.ts')>();
  return {
    ...actual,
    findRecoveryCodeHash: (stored: readonly string[], submitted: string) => {
      counted.recovery++;
      return actual.findRecoveryCodeHash(stored, submitted);
    },
  };
});
vi.mock('#shared/domain/sessions/passwords.ts', async (original) => {
  const actual = await original<typeof import('#shared/domain/sessions/passwords.ts')>();
  return {
    ...actual,
    verifyPassword: (password: string, stored: string) => {
      counted.password++;
      return actual.verifyPassword(password, stored);
    },
  };
});

const BURST = 50;
const facts = { requestId: 'test', sourceIp: '127.0.0.1' };
const context = (userId: string): AuditContext => ({ actor: { kind: 'operator', id: userId }, requestId: null, sourceIp: null });

/** Counts what `key` counted while `burst` ran. */
async function countDuring(key: keyof typeof counted, burst: () => Promise<unknown>): Promise<number> {
  const before = counted[key];
  await burst();
  return counted[key] - before;
}


describe(`${BURST} concurrent wrong guesses compare at most the budget`, () => {
  it('PIN: at most maxAttempts comparisons, then the right PIN is refused', async () => {
    const w = await world();
    await w.start();
    const pin = w.outbox.lastPin();
    const wrong = pin === '000001' ? '000002' : '000001';
    const compared = await countDuring('compare', () => race(BURST, () => outcome(w.complete({ pin: wrong })), (code) => code === 'ok'));
    expect(compared).toBeGreaterThan(0);
    expect(compared).toBeLessThanOrEqual(POLICY.pin.maxAttempts);
    expect(await outcome(w.complete({ pin }))).toBe('too_many_attempts');
  });

  it(`PIN: the user's window (${USER_FAILURE_LIMIT} in 15 minutes) bounds the comparisons when maxAttempts is larger`, async () => {
    const w = await world({ ...POLICY, pin: { ...POLICY.pin, maxAttempts: 40 } });
    await w.start();
    const pin = w.outbox.lastPin();
    const wrong = pin === '000001' ? '000002' : '000001';
    const compared = await countDuring('compare', () => race(BURST, () => outcome(w.complete({ pin: wrong })), (code) => code === 'ok'));
    expect(compared).toBeGreaterThan(0);
    expect(compared).toBeLessThanOrEqual(USER_FAILURE_LIMIT);
    expect(await outcome(w.complete({ pin }))).toBe('too_many_attempts');
  });

  it('link: at most maxAttempts comparisons, then the right link is refused', async () => {
    const w = await world({ ...POLICY, factors: ['passwordless'], rules: [] });
    await w.start();
    const link = w.outbox.lastLink();
    const compared = await countDuring('compare', () =>
      race(BURST, (i) => outcome(w.complete({ passwordless: `https://portal.example.com/in?token=wrong${i}` })), (code) => code === 'ok'),
    );
    expect(compared).toBeGreaterThan(0);
    expect(compared).toBeLessThanOrEqual(POLICY.pin.maxAttempts);
    expect(await outcome(w.complete({ passwordless: link }))).toBe('too_many_attempts');
  });

  it('e-mailed PIN (email_pin): at most maxAttempts comparisons, then the right PIN is refused', async () => {
    const w = await world({ ...POLICY, factors: ['email_pin'], rules: [] });
    await w.start();
    const pin = /sign-in code is (\d+)/.exec(w.emails.list(w.user.email)[0]?.text ?? '')?.[1] ?? '';
    expect(pin).toMatch(/^\d{6}$/);
    const wrong = pin === '000001' ? '000002' : '000001';
    const compared = await countDuring('compare', () => race(BURST, () => outcome(w.complete({ pin: wrong })), (code) => code === 'ok'));
    expect(compared).toBeGreaterThan(0);
    expect(compared).toBeLessThanOrEqual(POLICY.pin.maxAttempts);
    expect(await outcome(w.complete({ pin }))).toBe('too_many_attempts');
  });

  it('e-mailed link (email_link): at most maxAttempts comparisons, then the right link is refused', async () => {
    const w = await world({ ...POLICY, factors: ['email_link'], rules: [] });
    await w.start();
    const link = /https:\/\/\S+\?token=\S+/.exec(w.emails.list(w.user.email)[0]?.text ?? '')?.[0] ?? '';
    expect(link.startsWith('https://portal.example.com/in?token=')).toBe(true);
    const compared = await countDuring('compare', () =>
      race(BURST, (i) => outcome(w.complete({ passwordless: `https://portal.example.com/in?token=wrong${i}` })), (code) => code === 'ok'),
    );
    expect(compared).toBeGreaterThan(0);
    expect(compared).toBeLessThanOrEqual(POLICY.pin.maxAttempts);
    expect(await outcome(w.complete({ passwordless: link }))).toBe('too_many_attempts');
  });

  it(`TOTP: at most ${MAX_TOTP_FAILURES} codes checked, then the right code is refused (locked)`, async () => {
    const owner = await enrolledOwner();
    const right = codeInSteps(owner.secret, 1);
    const wrong = right === '000000' ? '111111' : '000000';
    const compared = await countDuring('totp', () => race(BURST, () => totpFactors().verify(owner.subject, wrong, context(owner.userId)), () => false));
    expect(compared).toBeGreaterThan(0);
    expect(compared).toBeLessThanOrEqual(MAX_TOTP_FAILURES);
    expect(await totpFactors().verify(owner.subject, right, context(owner.userId))).toBe('locked');
  });

  it(`TOTP confirm: at most ${MAX_TOTP_FAILURES} codes checked against a pending secret`, async () => {
    const body = signupBody();
    const { userId } = await operatorSessions().signUp(body);
    const { secret } = await operatorMfa().startEnrollment(userId, { password: body.password, viaEnrollmentToken: false }, facts);
    const subject: MfaSubject = { kind: 'operator', userId };
    const right = referenceCode(secret);
    const wrong = right === '000000' ? '111111' : '000000';
    const compared = await countDuring('totp', () => race(BURST, () => outcome(totpFactors().confirm(subject, wrong, context(userId))), () => false));
    expect(compared).toBeGreaterThan(0);
    expect(compared).toBeLessThanOrEqual(MAX_TOTP_FAILURES);
    expect(await outcome(totpFactors().confirm(subject, right, context(userId)))).toBe('too_many_attempts');
  });

  it(`recovery codes: at most ${MAX_TOTP_FAILURES} checked, then a right code is refused (locked)`, async () => {
    const owner = await enrolledOwner();
    const compared = await countDuring('recovery', () =>
      race(BURST, (i) => totpFactors().useRecoveryCode(owner.subject, `AAAA-BBBB-${String(i).padStart(4, '0')}`, context(owner.userId)), () => false),
    );
    expect(compared).toBeGreaterThan(0);
    expect(compared).toBeLessThanOrEqual(MAX_TOTP_FAILURES);
    expect((await totpFactors().useRecoveryCode(owner.subject, owner.recoveryCodes[0] ?? '', context(owner.userId))).outcome).toBe('locked');
  });

  it(`operator password: at most ${LOGIN_MAX_ATTEMPTS} scrypt checks, then the right password is refused`, async () => {
    const body = signupBody();
    await operatorSessions().signUp(body);
    const compared = await countDuring('password', () =>
      race(BURST, () => outcome(operatorSessions().logIn({ email: body.email, password: `${body.password}-wrong` }, facts)), () => false),
    );
    expect(compared).toBeGreaterThan(0);
    expect(compared).toBeLessThanOrEqual(LOGIN_MAX_ATTEMPTS);
    expect(await outcome(operatorSessions().logIn({ email: body.email, password: body.password }, facts))).toBe('rate_limited');
  }, 120_000);

  it(`password change: at most ${LOGIN_MAX_ATTEMPTS} scrypt checks of the current password, then the right one is refused`, async () => {
    const body = signupBody();
    const { userId } = await operatorSessions().signUp(body);
    const caller = { userId, amr: ['pwd'] };
    const change = (currentPassword: string) => passwordLifecycle().changePassword(caller, { currentPassword, newPassword: `${body.password}-new` }, facts);
    const compared = await countDuring('password', () => race(BURST, () => outcome(change(`${body.password}-wrong`)), () => false));
    expect(compared).toBeGreaterThan(0);
    expect(compared).toBeLessThanOrEqual(LOGIN_MAX_ATTEMPTS);
    expect(await outcome(change(body.password))).toBe('rate_limited');
  }, 120_000);
});
