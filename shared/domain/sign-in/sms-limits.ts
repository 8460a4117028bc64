/**
 * SMS abuse limits (SPEC §6, SMS pumping defence): per sign-in subject at most one SMS per 30 s and
 * five per hour; per UTC day a cap for the organization, one for its account and one for the whole
 * deployment; destinations only mobile numbers of the allowed countries. Every refusal is a 429
 * `rate_limited` with `Retry-After`.
 *
 * The e-mail factors (SPEC §8) have the same limits on their own counters: one `SmsLimits` per
 * channel (`options.channel`), the e-mail one with the organization's `emailDailyLimit` and the
 * deployment's `emailAccountDailyLimit`/`emailDeploymentDailyLimit`, and no destination rule (countries
 * and mobiles are about phone numbers). An SMS never counts against the e-mail limits, nor the reverse.
 *
 * The tenants set the organization's cap and may narrow the countries; the deployment (CDK props,
 * shared/config.ts `DeploymentLimits`) sets the account and deployment caps and the countries, and no
 * organization setting can widen them: an empty organization list means the deployment's list.
 */
import { METRIC_NAMES } from '../../metrics-names.ts';
import { NO_METRICS, type Metrics } from '../kernel/metrics.ts';
import { parseMobileNumber } from '../directory/phone-numbers.ts';

export const SMS_MIN_INTERVAL_SECONDS = 30;
export const SMS_HOURLY_LIMIT = 5;
const HOUR_MS = 3_600_000;

/**
 * Each daily count (organization, account, deployment) is split over this many items (one partition
 * takes about 1,000 writes/s, and concurrent transactions on one item cancel each other). Each shard
 * has its own cap, `limit / N` with the remainder spread over the first shards, so the caps sum to the
 * limit and a conditional increment of one shard can never overshoot it: no read-and-sum, no race.
 *
 * The deployment's count takes every SMS of every tenant. Ten shards carry 10,000 writes/s, far above
 * what SNS sends for an AWS account (tens of SMS per second unless raised on request); what the
 * shards are for is transaction conflicts, which stay rare at SNS's rates. When the deployment cap is
 * reached, each function instance remembers it for `FULL_MEMO_SECONDS` and refuses without writing,
 * so a flood of refused sign-ins does not walk every full shard on every request.
 */
export const SMS_DAILY_SHARDS = 10;
const FULL_MEMO_SECONDS = 60;

/** How a secret goes out; each channel has its own counters and caps. */
export type Channel = 'sms' | 'email';

export type SmsLimitName = 'interval' | 'hourly' | 'daily' | 'account_daily' | 'deployment_daily' | 'country';

/** Whose daily count: an organization's, an account's (all its organizations) or the deployment's (all accounts; `id` is empty). */
export interface DailyCounter {
  level: 'organization' | 'account' | 'deployment';
  id: string;
}

/** The refusal of each daily level (`daily` is the organization's, as before the others existed). */
const DAILY_LIMIT_NAMES = { organization: 'daily', account: 'account_daily', deployment: 'deployment_daily' } as const satisfies Record<DailyCounter['level'], SmsLimitName>;

/**
 * What a granted reservation took, so it can be given back when the SMS is never sent (SNS refused
 * it, or the request failed before handing it over): a send that did not happen consumes no budget.
 * A daily reservation holds one shard of each level.
 */
export type SmsReservation =
  | { kind: 'subject'; channel: Channel; orgId: string; subjectHash: string; sentAt: number }
  | { kind: 'daily'; channel: Channel; day: string; shards: { counter: DailyCounter; shard: number }[] };

export type LimitDecision = { ok: true; reservation?: SmsReservation } | { ok: false; limit: SmsLimitName; retryAfterSeconds: number };

export interface SubjectSends {
  /** Epoch milliseconds of the SMS sent within the last hour (older ones pruned on write). */
  sentAt: number[];
  version: number;
}

/** One more SMS on one shard of a daily count, unless the shard holds `cap`. */
export interface DailyShardWrite {
  channel: Channel;
  counter: DailyCounter;
  day: string;
  shard: number;
  cap: number;
  expiresAtSeconds: number;
}

/**
 * The counter writes of one SMS, decided from counters already read, for the store to commit in the
 * same transaction as the challenge (one round trip instead of a read and several writes). Each write
 * is conditional on what was read, so a concurrent change cancels the whole transaction.
 */
export interface PlannedSms {
  subject: { channel: Channel; orgId: string; subjectHash: string; sentAt: number[]; expectedVersion: number; expiresAtSeconds: number };
  /** The organization's, the account's and the deployment's shard, in that order. */
  daily: DailyShardWrite[];
  /** What the writes take, to give back if the SMS is never sent. */
  reservations: SmsReservation[];
}

/** Where the counters live (DynamoDB: shared/adapters/sms-limit-repository.ts). */
export interface SmsLimitStore {
  findSubjectSends(orgId: string, subjectHash: string, channel: Channel): Promise<SubjectSends | undefined>;
  /** Writes the list if nobody wrote since `expectedVersion` (0 = the item must not exist yet). */
  replaceSubjectSends(orgId: string, subjectHash: string, sentAt: number[], expectedVersion: number, expiresAtSeconds: number, channel: Channel): Promise<boolean>;
  /** Adds one to the shard unless it already holds `cap`; false when it is full. */
  incrementDailyShard(write: DailyShardWrite): Promise<boolean>;
  /** Takes one off the shard if it holds more than zero (a conditional decrement: never below zero). */
  decrementDailyShard(counter: DailyCounter, day: string, shard: number, channel: Channel): Promise<void>;
}

/** Who pays for an SMS: the organization (its limit and countries) and its account. `Organization` fits. */
export interface SmsPayer {
  id: string;
  accountId: string;
  /** `emailDailyLimit` counts for the e-mail channel; missing, that channel refuses (fails closed). */
  settings: { smsDailyLimit: number; smsAllowedCountries: readonly string[]; emailDailyLimit?: number };
}

/** What the deployment allows above every tenant (shared/config.ts `DeploymentLimits`). */
export interface DeploymentSmsLimits {
  smsAllowedCountries: readonly string[];
  smsDeploymentDailyLimit: number;
  smsAccountDailyLimit: number;
}

/** The deployment's e-mail caps (shared/config.ts `DeploymentLimits`); missing, the e-mail channel refuses (fails closed). */
export interface DeploymentEmailLimits {
  emailDeploymentDailyLimit: number;
  emailAccountDailyLimit: number;
}

export interface SmsLimitsOptions {
  now?: () => Date;
  /** Picks the shards. @default Math.random */
  random?: () => number;
  /** Counts `SmsDeploymentCapReached` (its alarm: infra/constructs/alarms.ts). @default - counts nothing */
  metrics?: Metrics;
  /** Whose counters and caps: SMS or e-mail. @default 'sms' */
  channel?: Channel;
}

/** Per-shard caps that sum exactly to `limit`. */
export function dailyShardCaps(limit: number, shards = SMS_DAILY_SHARDS): number[] {
  const base = Math.floor(limit / shards);
  const remainder = limit % shards;
  return Array.from({ length: shards }, (_, index) => base + (index < remainder ? 1 : 0));
}

/**
 * The countries an organization may send to: its own list within the deployment's, or the
 * deployment's when its list is empty. Never "every country".
 */
export function effectiveCountries(organizationList: readonly string[], deploymentList: readonly string[]): string[] {
  return organizationList.length === 0 ? [...deploymentList] : organizationList.filter((country) => deploymentList.includes(country));
}

const SECONDS_PER_DAY = 86_400;

export class SmsLimits {
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly metrics: Metrics;
  readonly channel: Channel;
  /** Epoch ms until which this process takes the deployment's day as full (see `SMS_DAILY_SHARDS`). */
  private deploymentFullUntil = 0;

  constructor(
    private readonly store: SmsLimitStore,
    private readonly deployment: DeploymentSmsLimits & Partial<DeploymentEmailLimits>,
    options: SmsLimitsOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.metrics = options.metrics ?? NO_METRICS;
    this.channel = options.channel ?? 'sms';
  }

  /**
   * Where an SMS may go: a mobile number (shared/domain/directory/phone-numbers.ts) of a country on the
   * organization's list within the deployment's (the deployment's when the organization's is empty).
   * Checked when the SMS is sent, whatever was checked when the number was stored: the lists and the
   * numbers may have changed since.
   */
  checkDestination(phone: string, organizationCountries: readonly string[]): LimitDecision {
    const number = parseMobileNumber(phone);
    const allowed = effectiveCountries(organizationCountries, this.deployment.smsAllowedCountries);
    if (number?.country && allowed.includes(number.country)) return { ok: true };
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
      const current = await this.store.findSubjectSends(orgId, subjectHash, this.channel);
      const decided = decideSubject(current, nowMs);
      if (!decided.ok) return decided;
      if (await this.store.replaceSubjectSends(orgId, subjectHash, decided.sentAt, current?.version ?? 0, decided.expiresAtSeconds, this.channel)) {
        return { ok: true, reservation: { kind: 'subject', channel: this.channel, orgId, subjectHash, sentAt: nowMs } };
      }
    }
    // Five lost races in a row: someone is hammering this subject; refusing is the safe answer.
    return { ok: false, limit: 'interval', retryAfterSeconds: SMS_MIN_INTERVAL_SECONDS };
  }

  /**
   * Every counter write of one SMS from the subject's sends already read (`current`) and a random
   * shard of each daily count, without a round trip: the caller commits them with its challenge. When
   * the commit is cancelled (the subject was written meanwhile, or a shard is full), `reserveSubject`
   * and `reserveDaily` decide again the slow way. Refusals are the same as theirs.
   */
  plan(payer: SmsPayer, subjectHash: string, current: SubjectSends | undefined): { ok: true; planned: PlannedSms } | Extract<LimitDecision, { ok: false }> {
    const nowMs = this.now().getTime();
    const decided = decideSubject(current, nowMs);
    if (!decided.ok) return decided;
    const window = dailyWindow(this.now());
    if (this.deploymentKnownFull()) return this.refuseDeployment(window, { remember: false });
    const daily: DailyShardWrite[] = [];
    for (const { counter, limit } of this.dailyCounts(payer)) {
      const caps = dailyShardCaps(limit);
      const open = caps.flatMap((cap, shard) => (cap > 0 ? [shard] : []));
      const shard = open[Math.floor(this.random() * open.length)];
      if (shard === undefined) return { ok: false, limit: DAILY_LIMIT_NAMES[counter.level], retryAfterSeconds: window.retryAfterSeconds };
      daily.push({ channel: this.channel, counter, day: window.day, shard, cap: caps[shard] ?? 0, expiresAtSeconds: window.expiresAtSeconds });
    }
    return {
      ok: true,
      planned: {
        subject: { channel: this.channel, orgId: payer.id, subjectHash, sentAt: decided.sentAt, expectedVersion: current?.version ?? 0, expiresAtSeconds: decided.expiresAtSeconds },
        daily,
        reservations: [
          { kind: 'subject', channel: this.channel, orgId: payer.id, subjectHash, sentAt: nowMs },
          { kind: 'daily', channel: this.channel, day: window.day, shards: daily.map(({ counter, shard }) => ({ counter, shard })) },
        ],
      },
    };
  }

  /**
   * Counts one SMS against the organization's, the account's and the deployment's day, in that
   * order; when one refuses, the shards already taken go back. Each count: a random shard first, then
   * the others in turn while shards are full. At low volume that is one write each; only near a cap
   * does it walk.
   */
  async reserveDaily(payer: SmsPayer): Promise<LimitDecision> {
    const window = dailyWindow(this.now());
    if (this.deploymentKnownFull()) return this.refuseDeployment(window, { remember: false });
    const taken: { counter: DailyCounter; shard: number }[] = [];
    for (const { counter, limit } of this.dailyCounts(payer)) {
      const shard = await this.takeShard(counter, limit, window);
      if (shard === undefined) {
        await this.release([{ kind: 'daily', channel: this.channel, day: window.day, shards: taken }]);
        if (counter.level === 'deployment') return this.refuseDeployment(window, { remember: true });
        return { ok: false, limit: DAILY_LIMIT_NAMES[counter.level], retryAfterSeconds: window.retryAfterSeconds };
      }
      taken.push({ counter, shard });
    }
    return { ok: true, reservation: { kind: 'daily', channel: this.channel, day: window.day, shards: taken } };
  }

  private deploymentKnownFull(): boolean {
    return this.now().getTime() < this.deploymentFullUntil;
  }

  /**
   * The three daily counts of a message of this organization on this channel, with their limits. The
   * organization's own e-mail limit never exceeds the account's cap in effect: the account count
   * refuses first.
   */
  private dailyCounts(payer: SmsPayer): { counter: DailyCounter; limit: number }[] {
    const email = this.channel === 'email';
    return [
      { counter: { level: 'organization', id: payer.id }, limit: email ? (payer.settings.emailDailyLimit ?? 0) : payer.settings.smsDailyLimit },
      { counter: { level: 'account', id: payer.accountId }, limit: email ? (this.deployment.emailAccountDailyLimit ?? 0) : this.deployment.smsAccountDailyLimit },
      { counter: { level: 'deployment', id: '' }, limit: email ? (this.deployment.emailDeploymentDailyLimit ?? 0) : this.deployment.smsDeploymentDailyLimit },
    ];
  }

  /** One more on a shard of the count with room (random start, then in turn); undefined when every shard is full. */
  private async takeShard(counter: DailyCounter, limit: number, window: DailyWindow): Promise<number | undefined> {
    const caps = dailyShardCaps(limit);
    const start = Math.floor(this.random() * SMS_DAILY_SHARDS);
    for (let step = 0; step < SMS_DAILY_SHARDS; step++) {
      const shard = (start + step) % SMS_DAILY_SHARDS;
      const cap = caps[shard] ?? 0;
      if (cap === 0) continue;
      if (await this.store.incrementDailyShard({ channel: this.channel, counter, day: window.day, shard, cap, expiresAtSeconds: window.expiresAtSeconds })) return shard;
    }
    return undefined;
  }

  /**
   * The deployment's day is full: counted for the alarm, and when the shards said so (not the memo
   * itself, which would then never lapse under steady traffic) remembered for a minute at most, never
   * past midnight.
   */
  private refuseDeployment(window: DailyWindow, options: { remember: boolean }): Extract<LimitDecision, { ok: false }> {
    if (options.remember) this.deploymentFullUntil = this.now().getTime() + Math.min(FULL_MEMO_SECONDS, window.retryAfterSeconds) * 1000;
    // The alarm watches the SMS bill; a full e-mail day is seen in the audit log's rate_limited events.
    if (this.channel === 'sms') this.metrics.count(METRIC_NAMES.smsDeploymentCapReached);
    return { ok: false, limit: 'deployment_daily', retryAfterSeconds: window.retryAfterSeconds };
  }

  /**
   * Gives reservations back (compensation for an SMS that was never sent): the subject's send time is
   * removed with the same versioned write that added it, each daily shard is decremented conditionally.
   */
  async release(reservations: SmsReservation[]): Promise<void> {
    for (const reservation of reservations) {
      if (reservation.kind === 'daily') {
        for (const { counter, shard } of reservation.shards) await this.store.decrementDailyShard(counter, reservation.day, shard, reservation.channel);
        continue;
      }
      for (let attempt = 0; attempt < 5; attempt++) {
        const current = await this.store.findSubjectSends(reservation.orgId, reservation.subjectHash, reservation.channel);
        if (!current?.sentAt.includes(reservation.sentAt)) break;
        const sentAt = current.sentAt.filter((at) => at !== reservation.sentAt);
        const expiresAtSeconds = Math.ceil((Math.max(this.now().getTime(), ...sentAt) + HOUR_MS) / 1000);
        if (await this.store.replaceSubjectSends(reservation.orgId, reservation.subjectHash, sentAt, current.version, expiresAtSeconds, reservation.channel)) break;
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

interface DailyWindow {
  day: string;
  expiresAtSeconds: number;
  retryAfterSeconds: number;
}

/** The UTC day of `now`, when its shards expire (a day past the day itself, then TTL removes them) and the seconds until the next. */
function dailyWindow(now: Date): DailyWindow {
  const nextMidnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return { day: now.toISOString().slice(0, 10), expiresAtSeconds: Math.floor(nextMidnight / 1000) + SECONDS_PER_DAY, retryAfterSeconds: (nextMidnight - now.getTime()) / 1000 };
}
