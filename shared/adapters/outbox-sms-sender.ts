import type { SmsMessage, SmsSender } from '../domain/sign-in/sms-sender.ts';

export interface OutboxEntry extends SmsMessage {
  sentAt: string;
}

/**
 * Local stand-in for SNS: messages are kept in memory (served by the local server at
 * `GET /_local/sms`) and, when asked, printed so a developer can read the PIN or link.
 */
export class OutboxSmsSender implements SmsSender {
  private readonly entries: OutboxEntry[] = [];

  /** Where to echo each message (the local server prints to the console; tests keep quiet). */
  print: ((line: string) => void) | undefined;

  send(message: SmsMessage): Promise<void> {
    const entry = { ...message, sentAt: new Date().toISOString() };
    this.entries.push(entry);
    this.print?.(`[sms outbox] to ${entry.to}: ${entry.body}`);
    return Promise.resolve();
  }

  /** Newest first, optionally only those sent to `to`. */
  list(to?: string): OutboxEntry[] {
    return this.entries.filter((entry) => to === undefined || entry.to === to).reverse();
  }
}
