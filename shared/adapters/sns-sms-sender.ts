import { PublishCommand, type MessageAttributeValue, type SNSClient } from '@aws-sdk/client-sns';
import type { SmsMessage, SmsSender } from '../domain/ports.ts';

export interface SnsSmsOptions {
  /** Alphanumeric sender id, where the destination country supports one. */
  senderId: string | undefined;
  /** A registered origination number (toll-free, 10DLC, short code) in E.164. */
  originationNumber: string | undefined;
}

const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });

/** Sends SMS straight to a phone number through SNS, as Transactional (highest delivery priority). */
export class SnsSmsSender implements SmsSender {
  constructor(
    private readonly sns: SNSClient,
    private readonly options: SnsSmsOptions,
  ) {}

  async send(message: SmsMessage): Promise<void> {
    const attributes: Record<string, MessageAttributeValue> = { 'AWS.SNS.SMS.SMSType': text('Transactional') };
    if (this.options.senderId) attributes['AWS.SNS.SMS.SenderID'] = text(this.options.senderId);
    if (this.options.originationNumber) attributes['AWS.MM.SMS.OriginationNumber'] = text(this.options.originationNumber);
    await this.sns.send(new PublishCommand({ PhoneNumber: message.to, Message: message.body, MessageAttributes: attributes }));
  }
}
