/**
 * Security notices to an operator (SPEC §8): "your password was changed", "2FA was turned off", …
 * They are sent after the change has committed and never decide its outcome: a failed send is
 * logged (the address masked, never the message) and the change stands, since undoing a password
 * change or failing the request because SES hiccuped would help nobody (and answer a retry with a
 * second change).
 */
import type { EmailCatalogue, EmailKind } from './email.ts';

/** What sends one message of the catalogue: the `Mailer`. */
export interface NoticeMailer {
  send<K extends EmailKind>(to: string, kind: K, values: Parameters<EmailCatalogue[K]>[0]): Promise<void>;
}

/** Where a failed send is reported (the application log). */
export type NoticeFailureLog = (message: string, details: Record<string, unknown>) => void;

/** `ada@example.com` → `a***@example.com`: enough for support to recognise, not to harvest. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}

export class SecurityNotices {
  constructor(
    private readonly mailer: NoticeMailer,
    private readonly logFailure: NoticeFailureLog,
  ) {}

  /** Sends the notice; never throws. Answers whether it was handed to the sender. */
  async send<K extends EmailKind>(to: string, kind: K, values: Parameters<EmailCatalogue[K]>[0]): Promise<boolean> {
    try {
      await this.mailer.send(to, kind, values);
      return true;
    } catch (error) {
      this.logFailure('security notice not sent', { kind, to: maskEmail(to), error: error instanceof Error ? error.name : 'unknown' });
      return false;
    }
  }
}
