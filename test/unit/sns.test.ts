import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SnsSmsSender } from '#shared/adapters/sns-sms-sender.ts';
import { loadConfig } from '#shared/config.ts';
import { smsText } from '#shared/domain/sign-in/challenge-rules.ts';
import type { SignInSystem } from '#shared/domain/sign-in/model.ts';

const sns = mockClient(SNSClient);
afterEach(() => {
  sns.reset();
});

/** The sender as the container builds it from a stage's environment. */
function senderFor(env: Record<string, string>): SnsSmsSender {
  const sms = loadConfig({ TABLE_NAME: 't', SMS_ALLOWED_COUNTRIES: 'FR', API_BASE: 'https://auth.example.test', ...env }).sms;
  if (sms.provider !== 'sns') throw new Error('expected the SNS provider');
  return new SnsSmsSender(new SNSClient({ region: 'eu-west-1' }), { senderId: sms.senderId, originationNumber: sms.originationNumber });
}

const system = { name: 'portal', passwordlessUrl: 'https://portal.example.com/in' } as SignInSystem;

describe('sign-in SMS through SNS', () => {
  it('publishes the PIN text as a Transactional SMS with the stage sender id and origination number', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    await senderFor({ SMS_SENDER_ID: 'Portcullis', SMS_ORIGINATION_NUMBER: '+18005550100' }).send({ to: '+33612345678', body: smsText(system, 'pin', '004219') });
    expect(sns.commandCalls(PublishCommand).map((call) => call.args[0].input)).toEqual([
      {
        PhoneNumber: '+33612345678',
        Message: 'portal: your code is 004219',
        MessageAttributes: {
          'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
          'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'Portcullis' },
          'AWS.MM.SMS.OriginationNumber': { DataType: 'String', StringValue: '+18005550100' },
        },
      },
    ]);
  });

  it('publishes the link text with only the SMS type when the stage configures no sender', async () => {
    sns.on(PublishCommand).resolves({});
    await senderFor({}).send({ to: '+447400123456', body: smsText(system, 'passwordless', 'tok_abc') });
    expect(sns.commandCalls(PublishCommand).map((call) => call.args[0].input)).toEqual([
      {
        PhoneNumber: '+447400123456',
        Message: 'portal: sign in https://portal.example.com/in?token=tok_abc',
        MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } },
      },
    ]);
  });

  it('lets an SNS failure reach the engine (which voids the challenge and answers 502)', async () => {
    sns.on(PublishCommand).rejects(new Error('Throttling'));
    await expect(senderFor({}).send({ to: '+33612345678', body: 'x' })).rejects.toThrow('Throttling');
  });
});
