/**
 * Sends a challenge's secret by SMS. When the SMS cannot be sent the challenge is voided (a live
 * factor nobody received would only invite guessing) and the sign-in answers 502.
 */
import { METRIC_NAMES } from '../../metrics-names.ts';
import { AppError } from '../kernel/errors.ts';
import { NO_METRICS, type Metrics } from '../kernel/metrics.ts';
import type { SmsSender } from './sms-sender.ts';
import { smsText } from './challenge-rules.ts';
import type { Challenge, EndUser, SignInSystem } from './model.ts';
import type { Auditor } from './sign-in-audit.ts';

/** Where a challenge is voided (DynamoDB: shared/adapters/challenge-repository.ts). */
export interface ChallengeVoiding {
  /** Voids an open challenge (its SMS could not be sent). */
  voidChallenge(challengeId: string): Promise<void>;
}

const smsFailed = () => new AppError(502, 'sms_failed', 'Bad Gateway', 'The SMS could not be sent; start a new sign-in.');

export class SmsDelivery {
  private readonly metrics: Metrics;

  constructor(private readonly deps: { sms: SmsSender; store: ChallengeVoiding; metrics?: Metrics | undefined }) {
    this.metrics = deps.metrics ?? NO_METRICS;
  }

  /** Sends the factor's SMS (counted as `SmsSent`), or voids the challenge, audits why and answers 502. */
  async sendOrVoid(challenge: Challenge, system: SignInSystem, user: EndUser, factor: 'pin' | 'passwordless', secret: string, audit: Auditor): Promise<void> {
    try {
      await this.deps.sms.send({ to: user.phone, body: smsText(system, factor, secret) });
    } catch {
      await this.deps.store.voidChallenge(challenge.id);
      await audit('challenge.failed', { challengeId: challenge.id, reason: 'sms_failed' });
      throw smsFailed();
    }
    this.metrics.count(METRIC_NAMES.smsSent);
  }
}
