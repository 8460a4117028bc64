/**
 * Undeliverable addresses (SPEC §8): what SES's bounces and complaints do, and the one rule every
 * send follows — nothing goes to an address SES reported as undeliverable. The feedback function
 * (functions/platform/handle-email-feedback.ts) records; `SuppressingEmailSender` checks.
 */
import { METRIC_NAMES } from '../../metrics-names.ts';
import type { Metrics } from '../kernel/metrics.ts';
import type { EmailMessage, EmailSender, EmailSuppressions, UndeliverableReason } from './email.ts';

/**
 * One SES report, as the adapter read it from the notification: a bounce (permanent, transient or
 * undetermined, SES's `bounceType`) or a complaint, with its recipients and when it happened.
 */
export type EmailFeedback =
  | { kind: 'bounce'; bounceType: 'Permanent' | 'Transient' | 'Undetermined'; recipients: string[]; at: string }
  | { kind: 'complaint'; recipients: string[]; at: string };

/** What one report did, addresses masked (for the log). */
export interface FeedbackOutcome {
  kind: EmailFeedback['kind'];
  /** Set when the report suppressed its recipients (`bounce` or `complaint`); else why it did not. */
  reason: UndeliverableReason | 'transient-bounce';
  recipients: string[];
}

/**
 * An address fit for logs (SPEC §6 keeps personal data out of them, as `maskPhone` does for phones):
 * the first character of the local part and of the domain, and the top-level domain
 * (`j***@e***.com`). Enough to tell a provider's bounces apart, never the address.
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${local.charAt(0)}***@${domain.charAt(0)}***${tld}`;
}

/**
 * Records one SES report: a permanent bounce or a complaint marks each recipient undeliverable and is
 * counted (`EmailSuppressed`, one per address); a transient or undetermined bounce (a full mailbox, a
 * server down) marks nothing: SES retried it already, and the next message may arrive.
 */
export async function recordEmailFeedback(feedback: EmailFeedback, suppressions: EmailSuppressions, metrics: Metrics): Promise<FeedbackOutcome> {
  const recipients = feedback.recipients.map(maskEmail);
  const reason: UndeliverableReason | undefined =
    feedback.kind === 'complaint' ? 'complaint' : feedback.bounceType === 'Permanent' ? 'bounce' : undefined;
  if (!reason) return { kind: feedback.kind, reason: 'transient-bounce', recipients };
  for (const recipient of new Set(feedback.recipients.map((address) => address.toLowerCase()))) {
    await suppressions.markUndeliverable(recipient, reason, feedback.at);
    metrics.count(METRIC_NAMES.emailSuppressed);
  }
  return { kind: feedback.kind, reason, recipients };
}

/**
 * The sender every area's mailer uses: asks first whether the address is undeliverable (one read)
 * and, if so, sends nothing and says so through `onSkipped` (with the address masked). Mail to such
 * an address would bounce again, or land as spam again, and SES judges the sender's reputation on
 * both. The sign-in's e-mail factors check the suppression in their own batched reads instead.
 */
export class SuppressingEmailSender implements EmailSender {
  constructor(
    private readonly sender: EmailSender,
    private readonly suppressions: Pick<EmailSuppressions, 'isUndeliverable'>,
    private readonly onSkipped: (maskedTo: string) => void = () => undefined,
  ) {}

  async send(message: EmailMessage): Promise<void> {
    if (await this.suppressions.isUndeliverable(message.to)) {
      this.onSkipped(maskEmail(message.to));
      return;
    }
    await this.sender.send(message);
  }
}
