/** Port: the login attempts recorded per email (the login throttle's budget). */

export interface LoginAttempts {
  /** Epoch milliseconds of recorded attempts (stale ones included until pruned). */
  attempts: number[];
  version: number;
}

export interface LoginThrottleStore {
  /** Atomically appends an attempt unless `max` are already recorded; false when full. */
  appendLoginAttempt(email: string, at: number, max: number, expiresAt: number): Promise<boolean>;
  findLoginAttempts(email: string): Promise<LoginAttempts | undefined>;
  /** Replaces the attempts if nobody wrote since `expectedVersion`; false on a lost race. */
  replaceLoginAttempts(email: string, attempts: number[], expectedVersion: number, expiresAt: number): Promise<boolean>;
  clearLoginAttempts(email: string): Promise<void>;
  /** True exactly once per lock of the email (until `lockedUntil`, epoch ms): the lockout is counted once. */
  noticeLoginLock(email: string, lockedUntil: number, now: number): Promise<boolean>;
}
