/**
 * The attempts of a complete (SPEC §6 attempt budgets): one is taken on the challenge and a slot in the
 * user's window (failure-window.ts), in one transaction, before any code is checked; a wrong code keeps
 * both spent and may lock the challenge or the user. And the audited refusals of a complete: a
 * challenge that is unknown, not live or exhausted, a locked user, a lost race.
 */
import { METRIC_NAMES } from '../../metrics-names.ts';
import { pauseBeforeRetake, type AttemptTake } from '../kernel/attempt-budget.ts';
import { UnavailableError } from '../kernel/errors.ts';
import { NO_METRICS, type Metrics } from '../kernel/metrics.ts';
import { expired, invalidCredentials, refusalOfChallenge, settledElsewhere, tooManyAttempts, type ChallengeScope } from './challenge-rules.ts';
import { recentSlots, userLockedUntil, USER_FAILURE_LIMIT, type LazyState, type WindowSlot } from './failure-window.ts';
import type { Challenge, Factor, SignInState } from './model.ts';
import type { Auditor } from './sign-in-audit.ts';
import type { SignInReads } from './sign-in-facts.ts';

/** Why an attempt could not be taken: the challenge (not live, exhausted) or the user's window (full, superseded). */
export type TakeRefusal = 'challenge' | 'window';

/** Where attempts are taken (DynamoDB: shared/adapters/challenge-repository.ts). */
export interface AttemptStore {
  /**
   * Takes one attempt before a code is checked: ONE transaction adds one to the challenge's attempts
   * if it is open at `step`, unexpired at `nowMs` and under its `maxAttempts`, and takes `slot` in the
   * user's window if the challenge is still the live one and the window holds fewer than `limit` (or,
   * with `prune`, at the version read, replacing the window by the slots to `keep` and this one).
   * Refused: nothing was written and nothing may be compared.
   */
  takeAttempt(challenge: Challenge, step: number, slot: WindowSlot, nowMs: number, limit: number, prune?: { keep: Record<string, number>; version: number }): Promise<AttemptTake<TakeRefusal>>;
  /** True exactly once, for the first caller after the challenge ran out of attempts. */
  noticeExhausted(challenge: Challenge, nowMs: number): Promise<boolean>;
  /** True exactly once per lock period of the user's window (until `lockedUntil`). */
  noticeUserLocked(challenge: Challenge, lockedUntil: number, nowMs: number): Promise<boolean>;
}

export class ChallengeAttempts {
  private readonly metrics: Metrics;

  constructor(private readonly deps: { store: AttemptStore; reads: Pick<SignInReads, 'findChallenge'>; metrics?: Metrics | undefined }) {
    this.metrics = deps.metrics ?? NO_METRICS;
  }

  /** Refuses (audited) a challenge that is unknown, not live, expired or exhausted, or a locked user; `state` when read. */
  async check(
    challenge: Challenge | undefined,
    scope: ChallengeScope,
    state: { value: SignInState | undefined } | undefined,
    nowMs: number,
    audit: Auditor,
    options: { exhaustion: boolean } = { exhaustion: true },
  ): Promise<void> {
    const refusal = refusalOfChallenge(challenge, scope, state, nowMs, options);
    if (!refusal) return;
    await audit('challenge.failed', { ...(challenge && refusal.reason !== 'user_locked' && refusal.reason !== 'unknown_challenge' ? { challengeId: challenge.id } : {}), reason: refusal.reason });
    throw refusal.error();
  }

  /**
   * Takes the attempt (challenge and user's window, one transaction) or refuses the complete, audited,
   * without checking anything. A full window of stale slots is pruned and taken again (at the version
   * read); a window hammered past a few tries fails closed (503), never through to a comparison.
   */
  async take(challenge: Challenge, scope: ChallengeScope, slot: WindowSlot, state: LazyState, nowMs: number, audit: Auditor): Promise<AttemptTake<never>> {
    let prune: { keep: Record<string, number>; version: number } | undefined;
    for (let tries = 0; tries < 6; tries++) {
      const taken = await this.deps.store.takeAttempt(challenge, challenge.step, slot, nowMs, USER_FAILURE_LIMIT, prune);
      if (taken.taken) return taken;
      const fresh = await this.deps.reads.findChallenge(challenge.id);
      // Consumed, voided or moved on by a concurrent request: this one lost to it (expired), whatever
      // the attempts and window slots that request and its peers still hold.
      if (settledElsewhere(fresh, challenge)) {
        await this.check(fresh, scope, undefined, nowMs, audit);
        return this.lostRace(challenge, audit);
      }
      const current = taken.refusal === 'window' ? await state.reload() : undefined;
      const recent = recentSlots(current?.value, nowMs);
      // Every attempt (or window slot) taken while the challenge is still open: some may be in flight
      // (concurrent right answers, one of which will consume it), so take again shortly before calling
      // the challenge exhausted or the user locked.
      const full = taken.refusal === 'challenge' ? (fresh?.attempts ?? 0) >= (fresh?.maxAttempts ?? 0) : Object.keys(recent).length >= USER_FAILURE_LIMIT;
      if (full && tries < 4) {
        await pauseBeforeRetake(tries);
        continue;
      }
      if (taken.refusal === 'challenge') {
        // Ran out of attempts or expired: the fresh item says which.
        await this.check(fresh, scope, await state.reload(), nowMs, audit);
        return this.lostRace(challenge, audit);
      }
      // The window refused: superseded, locked, or full of slots older than the window.
      await this.check(challenge, scope, current, nowMs, audit);
      prune = { keep: recent, version: current?.value?.version ?? 0 };
    }
    throw new UnavailableError(1);
  }

  /** A wrong code (its attempt and window slot stay spent): answers why, raising a lockout once per locked subject. */
  async refuse(challenge: Challenge, state: LazyState, nowMs: number, audit: Auditor, what: { factor: Factor; reason: string }): Promise<never> {
    const details = { challengeId: challenge.id, factor: what.factor };
    const lockedUntil = userLockedUntil((await state.reload()).value, nowMs);
    if (lockedUntil !== null) {
      if (await this.deps.store.noticeUserLocked(challenge, lockedUntil, nowMs)) {
        this.metrics.count(METRIC_NAMES.lockouts);
        await audit('challenge.locked', { ...details, scope: 'user' });
      } else {
        await audit('challenge.failed', { ...details, reason: what.reason, locked: 'user' });
      }
      throw tooManyAttempts();
    }
    const fresh = await this.deps.reads.findChallenge(challenge.id);
    const attempts = fresh?.attempts ?? challenge.maxAttempts;
    if (attempts >= challenge.maxAttempts) {
      if (await this.deps.store.noticeExhausted(challenge, nowMs)) {
        this.metrics.count(METRIC_NAMES.lockouts);
        await audit('challenge.locked', { ...details, scope: 'challenge' });
      } else {
        await audit('challenge.failed', { ...details, reason: what.reason, locked: 'challenge' });
      }
      throw tooManyAttempts();
    }
    await audit('challenge.failed', { ...details, reason: what.reason, attemptsLeft: challenge.maxAttempts - attempts });
    throw invalidCredentials();
  }

  /**
   * The consuming write was refused: the state, read afresh, says why (user locked, challenge
   * superseded); otherwise a concurrent complete won the challenge.
   */
  async advanceRefused(challenge: Challenge, scope: ChallengeScope, state: LazyState, nowMs: number, audit: Auditor): Promise<never> {
    const fresh = await this.deps.reads.findChallenge(challenge.id);
    await this.check(fresh, scope, settledElsewhere(fresh, challenge) ? undefined : await state.reload(), nowMs, audit);
    return this.lostRace(challenge, audit);
  }

  private async lostRace(challenge: Challenge, audit: Auditor): Promise<never> {
    await audit('challenge.failed', { challengeId: challenge.id, reason: 'lost_race' });
    throw expired();
  }
}
