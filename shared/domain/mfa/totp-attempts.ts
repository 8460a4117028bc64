/**
 * A TOTP factor's attempt budget (SPEC §6): 5 failures in 15 minutes lock the factor for 15 minutes,
 * counted per subject (not per login attempt). Every check (code, confirmation code, recovery code)
 * first takes an attempt with one conditional write (kernel/attempt-budget.ts): of N concurrent wrong
 * codes at most 5 are checked.
 */
import { pauseBeforeRetake, type AttemptTake } from '../kernel/attempt-budget.ts';
import type { MfaSubject } from './mfa-subject.ts';

export const MAX_TOTP_FAILURES = 5;
export const TOTP_FAILURE_WINDOW_SECONDS = 15 * 60;
export const TOTP_LOCK_SECONDS = 15 * 60;

/** The TOTP attempt budget: `max` failures in `windowSeconds`, then locked for `lockSeconds`. */
export interface AttemptPolicy {
  max: number;
  windowSeconds: number;
  lockSeconds: number;
}

const TOTP_ATTEMPTS: AttemptPolicy = { max: MAX_TOTP_FAILURES, windowSeconds: TOTP_FAILURE_WINDOW_SECONDS, lockSeconds: TOTP_LOCK_SECONDS };

/** The budget's half of the factor store (`TotpFactorStore` in totp-factors.ts extends it). */
export interface TotpAttemptStore {
  /** The factor's lock, read to tell a spent budget from attempts still in flight. */
  findTotpFactor(subject: MfaSubject): Promise<{ lockedUntil: number } | undefined>;
  /**
   * Takes one attempt before a code or recovery code is checked (attempt-budget.ts): one conditional
   * write adds one to the failure count if the factor exists, is not locked and the count of the
   * current window is under `max` (a window older than `windowSeconds` restarts at one). Refused:
   * `locked` (locked, or `max` attempts in flight), `missing` (no factor): nothing may be checked.
   */
  takeAttempt(subject: MfaSubject, nowSeconds: number, policy: AttemptPolicy): Promise<AttemptTake<'locked' | 'missing'>>;
  /** Gives an attempt back (a right code that could not be used: replayed, changed meanwhile). */
  giveBackAttempt(subject: MfaSubject): Promise<void>;
  /** After a wrong code: locks the factor if its count reached `max`; true for exactly the request that locked it. */
  lockIfExhausted(subject: MfaSubject, nowSeconds: number, policy: AttemptPolicy): Promise<boolean>;
}

/** Takes, gives back and settles the attempts of one factor under the TOTP policy. */
export class TotpAttempts {
  constructor(private readonly store: TotpAttemptStore) {}

  /**
   * Takes an attempt before a check. While the last attempts of the budget are in flight (taken, not
   * yet settled) the take is refused; it is tried again briefly, so that a right code arriving then
   * answers what it would alone (the in-flight ones settle: a wrong one locks, a right one resets).
   */
  async take(subject: MfaSubject, nowSeconds: number): Promise<AttemptTake<'locked' | 'missing'>> {
    for (let tries = 0; ; tries++) {
      const taken = await this.store.takeAttempt(subject, nowSeconds, TOTP_ATTEMPTS);
      if (taken.taken || taken.refusal === 'missing' || tries >= 6) return taken;
      const current = await this.store.findTotpFactor(subject);
      if (!current) return { taken: false, refusal: 'missing' };
      if (current.lockedUntil > nowSeconds) return taken;
      await pauseBeforeRetake(tries);
    }
  }

  /** A right code that could not be used (replayed, changed meanwhile) is not a failure. */
  giveBack(subject: MfaSubject): Promise<void> {
    return this.store.giveBackAttempt(subject);
  }

  /** After a wrong code (its attempt stays spent): true for exactly the request that locked the factor. */
  lockIfExhausted(subject: MfaSubject, nowSeconds: number): Promise<boolean> {
    return this.store.lockIfExhausted(subject, nowSeconds, TOTP_ATTEMPTS);
  }
}
