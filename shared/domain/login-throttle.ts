import { RateLimitError, UnavailableError } from './errors.ts';
import { METRIC_NAMES } from '../metrics-names.ts';
import { NO_METRICS, type Metrics } from './metrics.ts';
import type { LoginThrottleStore } from './ports.ts';

export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const LOGIN_MAX_ATTEMPTS = 10;

/**
 * Password guessing limit per email (never per session or IP: an attacker rotates those). Each attempt
 * is recorded with an atomic conditional append *before* the password is checked, so concurrent
 * guesses cannot slip past the limit while scrypt runs; a successful login clears the record. Unknown
 * emails go through the same steps, so the answer never tells whether an account exists.
 */
export class LoginThrottle {
  constructor(
    private readonly store: LoginThrottleStore,
    private readonly now: () => number = Date.now,
    private readonly metrics: Metrics = NO_METRICS,
  ) {}

  /** Records one attempt or throws `RateLimitError` with the seconds until the oldest one ages out. */
  async reserveAttempt(email: string): Promise<void> {
    for (let tries = 0; tries < 5; tries++) {
      const now = this.now();
      const expiresAt = Math.ceil((now + LOGIN_WINDOW_MS) / 1000);
      if (await this.store.appendLoginAttempt(email, now, LOGIN_MAX_ATTEMPTS, expiresAt)) return;
      // The list is full: drop attempts older than the window, or refuse if none are.
      const current = await this.store.findLoginAttempts(email);
      if (!current) continue;
      const recent = current.attempts.filter((at) => at > now - LOGIN_WINDOW_MS);
      if (recent.length >= LOGIN_MAX_ATTEMPTS) {
        // Counted on every refusal: the throttle keeps no lock state, so the moment the email became
        // locked is not known here (refused attempts are not recorded).
        this.metrics.count(METRIC_NAMES.lockouts);
        throw new RateLimitError((Math.min(...recent) + LOGIN_WINDOW_MS - now) / 1000, 'Too many sign-in attempts; try again later.');
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
