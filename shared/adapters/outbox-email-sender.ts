import type { EmailMessage, EmailSender } from '../domain/platform/email.ts';

export interface EmailOutboxEntry extends EmailMessage {
  sentAt: string;
}

/**
 * Local stand-in for SES: messages are kept in memory (served by the local server at
 * `GET /_local/email?to=`) and, when asked, printed so a developer can follow a link.
 */
export class OutboxEmailSender implements EmailSender {
  private readonly entries: EmailOutboxEntry[] = [];

  /** Where to echo each message (the local server prints to the console; tests keep quiet). */
  print: ((line: string) => void) | undefined;

  send(message: EmailMessage): Promise<void> {
    const entry = { ...message, sentAt: new Date().toISOString() };
    this.entries.push(entry);
    this.print?.(`[email outbox] to ${entry.to}: ${entry.subject}\n${entry.text}`);
    return Promise.resolve();
  }

  /** Newest first, optionally only those sent to `to` (case-insensitive). */
  list(to?: string): EmailOutboxEntry[] {
    const wanted = to?.toLowerCase();
    return this.entries.filter((entry) => wanted === undefined || entry.to.toLowerCase() === wanted).reverse();
  }
}
