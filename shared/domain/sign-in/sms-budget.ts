/**
 * A sign-in's send budget (SPEC §6, SMS pumping defence; §8, e-mail limits mirror it), on the limits of
 * sms-limits.ts, per channel: for an SMS the destination's country, then for both channels the
 * subject's window (one per 30 s, five per hour) and the daily caps, each channel on its own counters.
 * A start either plans the counter writes from the subject's sends read with it (they commit with the
 * challenge) or reserves them one conditional write at a time; a step-up reserves the daily caps
 * only. Whatever is reserved for a message that is never sent is given back.
 */
import { RateLimitError } from '../kernel/errors.ts';
import type { Organization } from '../kernel/model.ts';
import type { Channel, LimitDecision, PlannedSms, SmsLimits, SmsReservation, SubjectSends } from './sms-limits.ts';

export type SmsRefusal = Extract<LimitDecision, { ok: false }>;

/** The 429 of a refused SMS or e-mail, with its `Retry-After`. */
export const smsRateLimited = (refusal: SmsRefusal, channel: Channel = 'sms') =>
  new RateLimitError(refusal.retryAfterSeconds, channel === 'email' ? 'Too many e-mails; try again later.' : 'Too many SMS; try again later.');

const reservationsOf = (decision: LimitDecision): SmsReservation[] => (decision.ok && decision.reservation ? [decision.reservation] : []);

export class SmsBudget {
  private readonly limits: Record<Channel, SmsLimits>;

  /** One `SmsLimits` per channel (`channel` option: the e-mail one counts e-mails on their own items). */
  constructor(sms: SmsLimits, email: SmsLimits) {
    if (sms.channel !== 'sms' || email.channel !== 'email') throw new Error('SmsBudget takes the SMS limits, then the e-mail limits');
    this.limits = { sms, email };
  }

  /** As `reserve`, from the subject's sends read with the sign-in: the writes are planned, not made (the challenge commits them). */
  plan(organization: Organization, subject: string, phone: string | undefined, current: SubjectSends | undefined, channel: Channel): { ok: true; planned: PlannedSms } | SmsRefusal {
    return this.countryRefusal(organization, phone, channel) ?? this.limits[channel].plan(organization, subject, current);
  }

  /**
   * Country allow-list (real numbers, SMS only), then the subject's window, then the organization's
   * day. When the day refuses, the subject's slot goes back (nothing leaves).
   */
  async reserve(organization: Organization, subject: string, phone: string | undefined, channel: Channel): Promise<{ ok: true; reservations: SmsReservation[] } | SmsRefusal> {
    const country = this.countryRefusal(organization, phone, channel);
    if (country) return country;
    const limits = this.limits[channel];
    const perSubject = await limits.reserveSubject(organization.id, subject);
    if (!perSubject.ok) return perSubject;
    let daily: LimitDecision;
    try {
      daily = await limits.reserveDaily(organization);
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
   * The message of a step-up: the per-user window does not apply inside one sign-in (the first factor
   * was proven), the destination (a TOTP first factor checked none) and the daily caps do.
   */
  async reserveStepUp(organization: Organization, phone: string, channel: Channel): Promise<{ ok: true; reservations: SmsReservation[] } | SmsRefusal> {
    const daily = this.countryRefusal(organization, phone, channel) ?? (await this.limits[channel].reserveDaily(organization));
    return daily.ok ? { ok: true, reservations: reservationsOf(daily) } : daily;
  }

  /** Compensation, best effort: when even this write fails, the original failure is still the answer. */
  async giveBack(reservations: SmsReservation[]): Promise<void> {
    if (reservations.length === 0) return;
    try {
      // Each reservation names its channel's items: either instance releases any of them.
      await this.limits.sms.release(reservations);
    } catch {
      // The budget stays taken (the safe side for abuse limits); the caller rethrows its own error.
    }
  }

  /** The destination (a mobile number, an allowed country) refusing a real number for an SMS (a decoy has none: it sends nothing). */
  private countryRefusal(organization: Organization, phone: string | undefined, channel: Channel): SmsRefusal | undefined {
    if (!phone || channel !== 'sms') return undefined;
    const country = this.limits.sms.checkDestination(phone, organization.settings.smsAllowedCountries);
    return country.ok ? undefined : country;
  }
}
