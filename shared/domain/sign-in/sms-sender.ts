/** Port: sends one SMS (SNS in the cloud, the outbox locally). */

export interface SmsMessage {
  /** E.164 destination. */
  to: string;
  body: string;
}

export interface SmsSender {
  send(message: SmsMessage): Promise<void>;
}
