/**
 * Sends a challenge's secret by SMS (`pin`, `passwordless`) or by e-mail to the user's address
 * (`email_pin`, `email_link`, SPEC §8). When it cannot be sent the challenge is voided (a live factor
 * nobody received would only invite guessing) and the sign-in answers 502.
 */
import { METRIC_NAMES } from '../../metrics-names.ts';
import { AppError } from '../kernel/errors.ts';
import { NO_METRICS, type Metrics } from '../kernel/metrics.ts';
import type { Organization } from '../kernel/model.ts';
import type { Mailer } from '../platform/email.ts';
import type { SmsSender } from './sms-sender.ts';
import { isEmailFactor, linkOf, smsText, ttlSecondsOf, type DeliveredFactor } from './challenge-rules.ts';
import type { Challenge, EndUser, SignInSystem } from './model.ts';
import type { Auditor } from './sign-in-audit.ts';

/** Where a challenge is voided (DynamoDB: shared/adapters/challenge-repository.ts). */
export interface ChallengeVoiding {
  /** Voids an open challenge (its SMS or e-mail could not be sent). */
  voidChallenge(challengeId: string): Promise<void>;
}

/** The e-mails a sign-in sends: the catalogue's `signInPin` and `signInLink` (shared/domain/platform/messages/en.ts). */
export type SignInMailer = Pick<Mailer, 'send'>;

const smsFailed = () => new AppError(502, 'sms_failed', 'Bad Gateway', 'The SMS could not be sent; start a new sign-in.');
const emailFailed = () => new AppError(502, 'email_failed', 'Bad Gateway', 'The e-mail could not be sent; start a new sign-in.');

/** Whose challenge is delivered: the organization names itself in the e-mail, the system in the SMS and the link. */
export interface DeliveryTarget {
  organization: Organization;
  system: SignInSystem;
  user: EndUser;
}

export class ChallengeDelivery {
  private readonly metrics: Metrics;

  constructor(private readonly deps: { sms: SmsSender; mailer: SignInMailer; store: ChallengeVoiding; metrics?: Metrics | undefined }) {
    this.metrics = deps.metrics ?? NO_METRICS;
  }

  /** Sends the factor's SMS (counted as `SmsSent`) or e-mail, or voids the challenge, audits why and answers 502. */
  async sendOrVoid(challenge: Challenge, target: DeliveryTarget, factor: DeliveredFactor, secret: string, audit: Auditor): Promise<void> {
    const email = isEmailFactor(factor);
    try {
      await (email ? this.sendEmail(target, factor, secret) : this.deps.sms.send({ to: target.user.phone, body: smsText(target.system, factor, secret) }));
    } catch {
      await this.deps.store.voidChallenge(challenge.id);
      await audit('challenge.failed', { challengeId: challenge.id, reason: email ? 'email_failed' : 'sms_failed' });
      throw email ? emailFailed() : smsFailed();
    }
    if (!email) this.metrics.count(METRIC_NAMES.smsSent);
  }

  private sendEmail({ organization, system, user }: DeliveryTarget, factor: 'email_pin' | 'email_link', secret: string): Promise<void> {
    const minutes = Math.ceil(ttlSecondsOf(system, factor) / 60);
    const organizationName = organization.name;
    return factor === 'email_pin'
      ? this.deps.mailer.send(user.email, 'signInPin', { organizationName, pin: secret, minutes })
      : this.deps.mailer.send(user.email, 'signInLink', { organizationName, url: linkOf(system, secret), minutes });
  }
}
