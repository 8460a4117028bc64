/**
 * The user's attempt window (SPEC §6 attempt budgets): attempts per end user and system, across
 * challenges, at most `USER_FAILURE_LIMIT` in any `USER_FAILURE_WINDOW_SECONDS`. It lives on the
 * sign-in state (model.ts `SignInState.window`): one slot per attempt, taken in the same transaction as
 * the challenge's attempt (challenge-attempts.ts) and given back by a right code.
 */
import { windowLockedUntil } from '../kernel/attempt-budget.ts';
import type { SignInState } from './model.ts';

/** Wrong codes per end user and system across challenges: at most 10 in any 15 minutes. */
export const USER_FAILURE_LIMIT = 10;
export const USER_FAILURE_WINDOW_SECONDS = 15 * 60;

/** One slot of the user's window, taken with an attempt. */
export interface WindowSlot {
  id: string;
  at: number;
}

/** Until when the user's window is full (every attempt refused), or null. */
export function userLockedUntil(state: SignInState | undefined, nowMs: number): number | null {
  return windowLockedUntil(Object.values(state?.window ?? {}), nowMs, USER_FAILURE_WINDOW_SECONDS * 1000, USER_FAILURE_LIMIT);
}

/** The slots of the window still inside it at `nowMs`: what a prune keeps. */
export function recentSlots(state: SignInState | undefined, nowMs: number): Record<string, number> {
  const windowStart = nowMs - USER_FAILURE_WINDOW_SECONDS * 1000;
  return Object.fromEntries(Object.entries(state?.window ?? {}).filter(([, at]) => at > windowStart));
}

/** The sign-in state, read at most once unless read afresh; `known()` is undefined until it was read. */
export class LazyState {
  private current: { value: SignInState | undefined } | undefined;
  constructor(
    private readonly read: () => Promise<SignInState | undefined>,
    initial?: { value: SignInState | undefined },
  ) {
    this.current = initial;
  }
  known(): { value: SignInState | undefined } | undefined {
    return this.current;
  }
  async load(): Promise<{ value: SignInState | undefined }> {
    this.current ??= { value: await this.read() };
    return this.current;
  }
  async reload(): Promise<{ value: SignInState | undefined }> {
    this.current = { value: await this.read() };
    return this.current;
  }
}
