import type { MessageAttributeValue, SNSClient } from '@aws-sdk/client-sns';
import type { SmsMessage, SmsSender } from '../domain/sign-in/sms-sender.ts';

export interface SnsSmsOptions {
  /** Alphanumeric sender id, where the destination country supports one. */
  senderId: string | undefined;
  /** A registered origination number (toll-free, 10DLC, short code) in E.164. */
  originationNumber: string | undefined;
}

const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });

/** Sends SMS straight to a phone number through SNS, as Transactional (highest delivery priority). */
export class SnsSmsSender implements SmsSender {
  private readonly client: () => Promise<SNSClient>;

  /** `sns` may be a function answering the client, so that the SNS SDK loads on the first SMS only. */
  constructor(
    sns: SNSClient | (() => Promise<SNSClient>),
    private readonly options: SnsSmsOptions,
  ) {
    this.client = typeof sns === 'function' ? sns : () => Promise.resolve(sns);
  }

  async send(message: SmsMessage): Promise<void> {
    const attributes: Record<string, MessageAttributeValue> = { 'AWS.SNS.SMS.SMSType': text('Transactional') };
    if (this.options.senderId) attributes['AWS.SNS.SMS.SenderID'] = text(this.options.senderId);
    if (this.options.originationNumber) attributes['AWS.MM.SMS.OriginationNumber'] = text(this.options.originationNumber);
    const { PublishCommand } = await import('@aws-sdk/client-sns');
    await (await this.client()).send(new PublishCommand({ PhoneNumber: message.to, Message: message.body, MessageAttributes: attributes }));
  }
}
