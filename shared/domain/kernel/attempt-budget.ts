/**
 * Attempt budgets (SPEC §6): every guessable secret — end-user PIN and magic link, TOTP codes of
 * operators and end users, recovery codes, operator passwords — is checked only after one attempt
 * was taken from its budget, and taking one is ONE conditional write that fails closed:
 *
 *   take (one conditional write) ──ok──▶ compare with the secret ──▶ right: give back / reset
 *        │ refused, failed, thrown                                  wrong: the attempt stays spent
 *        └──────────────▶ no comparison at all
 *
 * So of N concurrent wrong guesses at most the budget is ever compared, however the requests
 * interleave: the condition of the write (count under the limit, not locked, still live) is
 * evaluated by the database one write at a time, and a request that did not get its write through
 * never reaches the comparison. The stores implement `take` (challenge-repository.ts,
 * mfa-repository.ts, login-throttle-repository.ts; the DynamoDB condition is built by
 * `attemptTakeCondition` in adapters/dynamodb.ts); this module is the rule they all go through.
 */

/** What taking an attempt answered: taken, or refused with why (the budget is spent, or the thing is not live). */
export type AttemptTake<Refusal = string> = { taken: true } | { taken: false; refusal: Refusal };

/**
 * Takes one attempt, then — and only then — runs `compare`. A refused take answers the refusal and
 * compares nothing; a take that throws (the database unreachable, a conflict) throws before any
 * comparison too: there is no path from "no write" to "compared".
 */
export async function spendThenCompare<Refusal, Verdict>(
  take: () => Promise<AttemptTake<Refusal>>,
  compare: () => Promise<Verdict>,
): Promise<{ refused: Refusal } | { verdict: Verdict }> {
  const taken = await take();
  if (!taken.taken) return { refused: taken.refusal };
  return { verdict: await compare() };
}

/**
 * A sliding window of attempts (the sign-in's per-user window: 10 in 15 minutes): the times still
 * inside the window, oldest first. The window is full (the subject is locked) when `limit` of them
 * are recent; it is locked until the oldest of those ages out.
 */
export function recentAttempts(times: Iterable<number>, nowMs: number, windowMs: number): number[] {
  return [...times].filter((at) => at > nowMs - windowMs).sort((a, b) => a - b);
}

/** Epoch ms until which a window of `limit` attempts is full, or null when it has room. */
export function windowLockedUntil(times: Iterable<number>, nowMs: number, windowMs: number, limit: number): number | null {
  const recent = recentAttempts(times, nowMs, windowMs);
  if (recent.length < limit) return null;
  return (recent[recent.length - limit] ?? nowMs) + windowMs;
}

/**
 * The pause before taking again an attempt that was refused while the last ones of a budget may still
 * be in flight (taken by concurrent requests, not yet settled): a right answer arriving then should get
 * what it would alone once they settle. Grows with each try, with jitter so retries do not line up.
 */
export function pauseBeforeRetake(tries: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20 + tries * 20 + Math.random() * 20));
}
