/**
 * A sign-in's SMS budget (SPEC §6, SMS pumping defence), on the limits of sms-limits.ts: the
 * destination's country, the subject's window (one per 30 s, five per hour) and the daily caps. A
 * start either plans the counter writes from the subject's sends read with it (they commit with the
 * challenge) or reserves them one conditional write at a time; a step-up reserves the daily caps
 * only. Whatever is reserved for an SMS that is never sent is given back.
 */
import { RateLimitError } from '../kernel/errors.ts';
import type { Organization } from '../kernel/model.ts';
import type { LimitDecision, PlannedSms, SmsLimits, SmsReservation, SubjectSends } from './sms-limits.ts';

export type SmsRefusal = Extract<LimitDecision, { ok: false }>;

/** The 429 of a refused SMS, with its `Retry-After`. */
export const smsRateLimited = (refusal: SmsRefusal) => new RateLimitError(refusal.retryAfterSeconds, 'Too many SMS; try again later.');

const reservationsOf = (decision: LimitDecision): SmsReservation[] => (decision.ok && decision.reservation ? [decision.reservation] : []);

export class SmsBudget {
  constructor(private readonly limits: SmsLimits) {}

  /** As `reserve`, from the subject's sends read with the sign-in: the writes are planned, not made (the challenge commits them). */
  plan(organization: Organization, subject: string, phone: string | undefined, current: SubjectSends | undefined): { ok: true; planned: PlannedSms } | SmsRefusal {
    return this.countryRefusal(organization, phone) ?? this.limits.plan(organization, subject, current);
  }

  /**
   * Country allow-list (real numbers only), then the subject's window, then the organization's day.
   * When the day refuses, the subject's slot goes back (no SMS leaves).
   */
  async reserve(organization: Organization, subject: string, phone: string | undefined): Promise<{ ok: true; reservations: SmsReservation[] } | SmsRefusal> {
    const country = this.countryRefusal(organization, phone);
    if (country) return country;
    const perSubject = await this.limits.reserveSubject(organization.id, subject);
    if (!perSubject.ok) return perSubject;
    let daily: LimitDecision;
    try {
      daily = await this.limits.reserveDaily(organization);
    } catch (error) {
      await this.giveBack(reservationsOf(perSubject));
      throw error;
    }
    if (!daily.ok) {
      await this.giveBack(reservationsOf(perSubject));
      return daily;
    }
    return { ok: true, reservations: [...reservationsOf(perSubject), ...reservationsOf(daily)] };
  }

  /**
   * The SMS of a step-up: the per-user SMS window does not apply inside one sign-in (the first factor
   * was proven), the destination (a TOTP first factor checked none) and the daily caps do.
   */
  async reserveStepUp(organization: Organization, phone: string): Promise<{ ok: true; reservations: SmsReservation[] } | SmsRefusal> {
    const daily = this.countryRefusal(organization, phone) ?? (await this.limits.reserveDaily(organization));
    return daily.ok ? { ok: true, reservations: reservationsOf(daily) } : daily;
  }

  /** Compensation, best effort: when even this write fails, the original failure is still the answer. */
  async giveBack(reservations: SmsReservation[]): Promise<void> {
    if (reservations.length === 0) return;
    try {
      await this.limits.release(reservations);
    } catch {
      // The budget stays taken (the safe side for abuse limits); the caller rethrows its own error.
    }
  }

  /** The destination (a mobile number, an allowed country) refusing a real number (a decoy has none: it sends nothing). */
  private countryRefusal(organization: Organization, phone: string | undefined): SmsRefusal | undefined {
    if (!phone) return undefined;
    const country = this.limits.checkDestination(phone, organization.settings.smsAllowedCountries);
    return country.ok ? undefined : country;
  }
}
