/**
 * SMS abuse limits (SPEC §6, SMS pumping defence): per sign-in subject at most one SMS per 30 s and
 * five per hour, per organization a daily cap, and an allow-list of destination countries. Every
 * refusal is a 429 `rate_limited` with `Retry-After`.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export const SMS_MIN_INTERVAL_SECONDS = 30;
export const SMS_HOURLY_LIMIT = 5;
const HOUR_MS = 3_600_000;

/**
 * The organization's daily count is split over this many items (one partition takes about 1,000
 * writes/s; a busy organization must not funnel every sign-in through one). Each shard has its own
 * cap, `limit / N` with the remainder spread over the first shards, so the caps sum to the limit and a
 * conditional increment of one shard can never overshoot it: no read-and-sum, no race.
 */
export const SMS_DAILY_SHARDS = 10;

export type SmsLimitName = 'interval' | 'hourly' | 'daily' | 'country';

/**
 * What a granted reservation took, so it can be given back when the SMS is never sent (SNS refused
 * it, or the request failed before handing it over): a send that did not happen consumes no budget.
 */
export type SmsReservation =
  | { kind: 'subject'; orgId: string; subjectHash: string; sentAt: number }
  | { kind: 'daily'; orgId: string; day: string; shard: number };

export type LimitDecision = { ok: true; reservation?: SmsReservation } | { ok: false; limit: SmsLimitName; retryAfterSeconds: number };

export interface SubjectSends {
  /** Epoch milliseconds of the SMS sent within the last hour (older ones pruned on write). */
  sentAt: number[];
  version: number;
}

/**
 * The counter writes of one SMS, decided from counters already read, for the store to commit in the
 * same transaction as the challenge (one round trip instead of a read and two writes). Each write is
 * conditional on what was read, so a concurrent change cancels the whole transaction.
 */
export interface PlannedSms {
  subject: { orgId: string; subjectHash: string; sentAt: number[]; expectedVersion: number; expiresAtSeconds: number };
  daily: { orgId: string; day: string; shard: number; cap: number; expiresAtSeconds: number };
  /** What the writes take, to give back if the SMS is never sent. */
  reservations: SmsReservation[];
}

/** Where the counters live (DynamoDB: shared/adapters/sms-limit-repository.ts). */
export interface SmsLimitStore {
  findSubjectSends(orgId: string, subjectHash: string): Promise<SubjectSends | undefined>;
  /** Writes the list if nobody wrote since `expectedVersion` (0 = the item must not exist yet). */
  replaceSubjectSends(orgId: string, subjectHash: string, sentAt: number[], expectedVersion: number, expiresAtSeconds: number): Promise<boolean>;
  /** Adds one to the shard unless it already holds `cap`; false when it is full. */
  incrementDailyShard(orgId: string, day: string, shard: number, cap: number, expiresAtSeconds: number): Promise<boolean>;
  /** Takes one off the shard if it holds more than zero (a conditional decrement: never below zero). */
  decrementDailyShard(orgId: string, day: string, shard: number): Promise<void>;
}

/** Per-shard caps that sum exactly to `limit`. */
export function dailyShardCaps(limit: number, shards = SMS_DAILY_SHARDS): number[] {
  const base = Math.floor(limit / shards);
  const remainder = limit % shards;
  return Array.from({ length: shards }, (_, index) => base + (index < remainder ? 1 : 0));
}

/** ISO 3166-1 alpha-2 country of an E.164 number (full metadata), or undefined when unknown. */
export function phoneCountry(phone: string): string | undefined {
  return parsePhoneNumberFromString(phone)?.country;
}

const SECONDS_PER_DAY = 86_400;

export class SmsLimits {
  constructor(
    private readonly store: SmsLimitStore,
    private readonly now: () => Date = () => new Date(),
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * The destination country must be on the organization's allow-list. An empty list means no country
   * restriction (the organization default; the per-subject and daily caps still apply). A number
   * whose country cannot be determined is refused whenever a list is set.
   */
  checkCountry(phone: string, allowedCountries: string[]): LimitDecision {
    if (allowedCountries.length === 0) return { ok: true };
    const country = phoneCountry(phone);
    if (country && allowedCountries.includes(country)) return { ok: true };
    // Retrying will not help until the settings change; a day is as good an answer as any.
    return { ok: false, limit: 'country', retryAfterSeconds: SECONDS_PER_DAY };
  }

  /**
   * Records one SMS for the subject unless it got one in the last 30 s or five in the last hour.
   * Optimistic: read, decide, write conditional on the version read; a lost race re-reads.
   */
  async reserveSubject(orgId: string, subjectHash: string): Promise<LimitDecision> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const nowMs = this.now().getTime();
      const current = await this.store.findSubjectSends(orgId, subjectHash);
      const decided = decideSubject(current, nowMs);
      if (!decided.ok) return decided;
      if (await this.store.replaceSubjectSends(orgId, subjectHash, decided.sentAt, current?.version ?? 0, decided.expiresAtSeconds)) {
        return { ok: true, reservation: { kind: 'subject', orgId, subjectHash, sentAt: nowMs } };
      }
    }
    // Five lost races in a row: someone is hammering this subject; refusing is the safe answer.
    return { ok: false, limit: 'interval', retryAfterSeconds: SMS_MIN_INTERVAL_SECONDS };
  }

  /**
   * Both counter writes of one SMS from the subject's sends already read (`current`) and a random
   * daily shard, without a round trip: the caller commits them with its challenge. When the commit is
   * cancelled (the subject was written meanwhile, or that shard is full), `reserveSubject` and
   * `reserveDaily` decide again the slow way. Refusals are the same as theirs.
   */
  plan(orgId: string, subjectHash: string, dailyLimit: number, current: SubjectSends | undefined): { ok: true; planned: PlannedSms } | Extract<LimitDecision, { ok: false }> {
    const nowMs = this.now().getTime();
    const decided = decideSubject(current, nowMs);
    if (!decided.ok) return decided;
    const window = dailyWindow(this.now());
    const caps = dailyShardCaps(dailyLimit);
    const open = caps.flatMap((cap, shard) => (cap > 0 ? [shard] : []));
    const shard = open[Math.floor(this.random() * open.length)];
    if (shard === undefined) return { ok: false, limit: 'daily', retryAfterSeconds: window.retryAfterSeconds };
    return {
      ok: true,
      planned: {
        subject: { orgId, subjectHash, sentAt: decided.sentAt, expectedVersion: current?.version ?? 0, expiresAtSeconds: decided.expiresAtSeconds },
        daily: { orgId, day: window.day, shard, cap: caps[shard] ?? 0, expiresAtSeconds: window.expiresAtSeconds },
        reservations: [
          { kind: 'subject', orgId, subjectHash, sentAt: nowMs },
          { kind: 'daily', orgId, day: window.day, shard },
        ],
      },
    };
  }

  /**
   * Counts one SMS against the organization's daily limit: a random shard first, then the others
   * in turn while shards are full. At low volume that is one write; only near the cap does it walk.
   */
  async reserveDaily(orgId: string, dailyLimit: number): Promise<LimitDecision> {
    const { day, expiresAtSeconds, retryAfterSeconds } = dailyWindow(this.now());
    const caps = dailyShardCaps(dailyLimit);
    const start = Math.floor(this.random() * SMS_DAILY_SHARDS);
    for (let step = 0; step < SMS_DAILY_SHARDS; step++) {
      const shard = (start + step) % SMS_DAILY_SHARDS;
      const cap = caps[shard] ?? 0;
      if (cap === 0) continue;
      if (await this.store.incrementDailyShard(orgId, day, shard, cap, expiresAtSeconds)) {
        return { ok: true, reservation: { kind: 'daily', orgId, day, shard } };
      }
    }
    return { ok: false, limit: 'daily', retryAfterSeconds };
  }

  /**
   * Gives reservations back (compensation for an SMS that was never sent): the subject's send time is
   * removed with the same versioned write that added it, the daily shard is decremented conditionally.
   */
  async release(reservations: SmsReservation[]): Promise<void> {
    for (const reservation of reservations) {
      if (reservation.kind === 'daily') {
        await this.store.decrementDailyShard(reservation.orgId, reservation.day, reservation.shard);
        continue;
      }
      for (let attempt = 0; attempt < 5; attempt++) {
        const current = await this.store.findSubjectSends(reservation.orgId, reservation.subjectHash);
        if (!current?.sentAt.includes(reservation.sentAt)) break;
        const sentAt = current.sentAt.filter((at) => at !== reservation.sentAt);
        const expiresAtSeconds = Math.ceil((Math.max(this.now().getTime(), ...sentAt) + HOUR_MS) / 1000);
        if (await this.store.replaceSubjectSends(reservation.orgId, reservation.subjectHash, sentAt, current.version, expiresAtSeconds)) break;
      }
    }
  }
}

/** The subject's sends with one more at `nowMs`, or why not: one per 30 s, five per hour. */
function decideSubject(current: SubjectSends | undefined, nowMs: number): { ok: true; sentAt: number[]; expiresAtSeconds: number } | Extract<LimitDecision, { ok: false }> {
  const recent = (current?.sentAt ?? []).filter((at) => at > nowMs - HOUR_MS).sort((a, b) => a - b);
  const last = recent.at(-1);
  if (last !== undefined && nowMs - last < SMS_MIN_INTERVAL_SECONDS * 1000) {
    return { ok: false, limit: 'interval', retryAfterSeconds: (last + SMS_MIN_INTERVAL_SECONDS * 1000 - nowMs) / 1000 };
  }
  if (recent.length >= SMS_HOURLY_LIMIT) {
    const oldest = recent[recent.length - SMS_HOURLY_LIMIT] ?? nowMs;
    return { ok: false, limit: 'hourly', retryAfterSeconds: (oldest + HOUR_MS - nowMs) / 1000 };
  }
  return { ok: true, sentAt: [...recent, nowMs], expiresAtSeconds: Math.ceil((nowMs + HOUR_MS) / 1000) };
}

/** The UTC day of `now`, when its shards expire (a day past the day itself, then TTL removes them) and the seconds until the next. */
function dailyWindow(now: Date): { day: string; expiresAtSeconds: number; retryAfterSeconds: number } {
  const nextMidnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return { day: now.toISOString().slice(0, 10), expiresAtSeconds: Math.floor(nextMidnight / 1000) + SECONDS_PER_DAY, retryAfterSeconds: (nextMidnight - now.getTime()) / 1000 };
}
