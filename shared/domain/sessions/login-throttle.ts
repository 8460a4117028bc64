import { spendThenCompare, type AttemptTake } from '../kernel/attempt-budget.ts';
import { RateLimitError, UnavailableError } from '../kernel/errors.ts';
import { METRIC_NAMES } from '../../metrics-names.ts';
import { NO_METRICS, type Metrics } from '../kernel/metrics.ts';
import type { LoginThrottleStore } from './login-throttle-store.ts';

export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const LOGIN_MAX_ATTEMPTS = 10;

/**
 * Password guessing limit per email (never per session or IP: an attacker rotates those), the
 * operator password's attempt budget (attempt-budget.ts): each attempt is taken with an atomic
 * conditional append *before* the password is checked, so concurrent guesses cannot slip past the
 * limit while scrypt runs (of N concurrent wrong passwords at most 10 are verified); a failed write
 * throws, so nothing is verified without it; a successful login clears the record. Unknown emails
 * go through the same steps, so the answer never tells whether an account exists.
 */
export class LoginThrottle {
  constructor(
    private readonly store: LoginThrottleStore,
    private readonly now: () => number = Date.now,
    private readonly metrics: Metrics = NO_METRICS,
  ) {}

  /** Takes one attempt or throws `RateLimitError` with the seconds until the oldest one ages out; verify only after it returned. */
  async reserveAttempt(email: string): Promise<void> {
    const taken = await this.take(email);
    if (!taken.taken) throw new RateLimitError(taken.refusal.retryAfterSeconds, 'Too many sign-in attempts; try again later.');
  }

  /** `compare` (the password check) runs only once an attempt was taken; a refused take throws the 429. */
  async attempt<T>(email: string, compare: () => Promise<T>): Promise<T> {
    const checked = await spendThenCompare(() => this.take(email), compare);
    if ('refused' in checked) throw new RateLimitError(checked.refused.retryAfterSeconds, 'Too many sign-in attempts; try again later.');
    return checked.verdict;
  }

  private async take(email: string): Promise<AttemptTake<{ retryAfterSeconds: number }>> {
    for (let tries = 0; tries < 5; tries++) {
      const now = this.now();
      const expiresAt = Math.ceil((now + LOGIN_WINDOW_MS) / 1000);
      if (await this.store.appendLoginAttempt(email, now, LOGIN_MAX_ATTEMPTS, expiresAt)) return { taken: true };
      // The list is full: drop attempts older than the window, or refuse if none are.
      const current = await this.store.findLoginAttempts(email);
      if (!current) continue;
      const recent = current.attempts.filter((at) => at > now - LOGIN_WINDOW_MS);
      if (recent.length >= LOGIN_MAX_ATTEMPTS) {
        const lockedUntil = Math.min(...recent) + LOGIN_WINDOW_MS;
        // One lockout per locked email, however many attempts it refuses meanwhile.
        if (await this.store.noticeLoginLock(email, lockedUntil, now)) this.metrics.count(METRIC_NAMES.lockouts);
        return { taken: false, refusal: { retryAfterSeconds: (lockedUntil - now) / 1000 } };
      }
      await this.store.replaceLoginAttempts(email, recent, current.version, expiresAt);
    }
    throw new UnavailableError(1);
  }

  /** Forgets the attempts after a successful login (failures are counted until then). */
  async recordSuccess(email: string): Promise<void> {
    await this.store.clearLoginAttempts(email);
  }
}
