import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { EmailMessage, EmailSender } from '../domain/platform/email.ts';

export interface SesEmailOptions {
  /** The verified sender: an address, or `Name <address>`, of the identity CDK grants. */
  from: string;
  /** The configuration set whose event destination reports bounces and complaints. */
  configurationSet: string;
  /** Where replies go. @default - the sender */
  replyTo: string | undefined;
}

/** Sends through SES v2 `SendEmail` (simple content: subject, text and HTML parts, UTF-8). */
export class SesEmailSender implements EmailSender {
  private readonly client: () => Promise<SESv2Client>;

  /** `ses` may be a function answering the client, so that the SES SDK loads on the first message only. */
  constructor(
    ses: SESv2Client | (() => Promise<SESv2Client>),
    private readonly options: SesEmailOptions,
  ) {
    this.client = typeof ses === 'function' ? ses : () => Promise.resolve(ses);
  }

  async send(message: EmailMessage): Promise<void> {
    const { SendEmailCommand } = await import('@aws-sdk/client-sesv2');
    await (await this.client()).send(
      new SendEmailCommand({
        FromEmailAddress: this.options.from,
        Destination: { ToAddresses: [message.to] },
        ...(this.options.replyTo ? { ReplyToAddresses: [this.options.replyTo] } : {}),
        ConfigurationSetName: this.options.configurationSet,
        Content: {
          Simple: {
            Subject: { Data: message.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: message.text, Charset: 'UTF-8' }, Html: { Data: message.html, Charset: 'UTF-8' } },
          },
        },
      }),
    );
  }
}
