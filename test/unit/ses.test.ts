import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SesEmailSender } from '#shared/adapters/ses-email-sender.ts';
import { loadConfig } from '#shared/config.ts';
import { renderEmail } from '#shared/domain/platform/email.ts';
import { en } from '#shared/domain/platform/messages/en.ts';

const ses = mockClient(SESv2Client);
afterEach(() => {
  ses.reset();
});

/** The sender as a function's container builds it from the environment CDK gives (infra/constructs/access-role.ts). */
function senderFor(env: Record<string, string>): SesEmailSender {
  const email = loadConfig({ TABLE_NAME: 't', SMS_ALLOWED_COUNTRIES: 'FR', API_BASE: 'https://auth.example.test', EMAIL_PROVIDER: 'ses', ...env }).email;
  if (email.provider !== 'ses') throw new Error('expected the SES provider');
  return new SesEmailSender(new SESv2Client({ region: 'eu-west-1' }), { from: email.from, configurationSet: email.configurationSet, replyTo: email.replyTo });
}

const DEPLOYMENT = { EMAIL_FROM: 'Example <no-reply@auth.example.test>', EMAIL_CONFIGURATION_SET: 'portcullis-prod-set' };
const message = renderEmail('Ana.Lima@Example.test', en.passwordReset({ url: 'https://console.example.test/reset-password?token=t', minutes: 30 }));

describe('e-mail through SES v2 SendEmail', () => {
  it('sends simple content: the sender, one recipient, the reply-to, the configuration set, subject, text and HTML in UTF-8', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    await senderFor({ ...DEPLOYMENT, EMAIL_REPLY_TO: 'support@example.test' }).send(message);
    expect(ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input)).toEqual([
      {
        FromEmailAddress: 'Example <no-reply@auth.example.test>',
        Destination: { ToAddresses: ['Ana.Lima@Example.test'] },
        ReplyToAddresses: ['support@example.test'],
        ConfigurationSetName: 'portcullis-prod-set',
        Content: {
          Simple: {
            Subject: { Data: 'Reset your Portcullis password', Charset: 'UTF-8' },
            Body: { Text: { Data: message.text, Charset: 'UTF-8' }, Html: { Data: message.html, Charset: 'UTF-8' } },
          },
        },
      },
    ]);
    // Both parts carry the link (SPEC §8: every message has a plain-text part).
    expect(message.text).toContain('https://console.example.test/reset-password?token=t');
    expect(message.html).toContain('href="https://console.example.test/reset-password?token=t"');
  });

  it('leaves the reply-to out when the deployment sets none (replies go to the sender)', async () => {
    ses.on(SendEmailCommand).resolves({});
    await senderFor(DEPLOYMENT).send(message);
    const [input] = ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input);
    expect(input).not.toHaveProperty('ReplyToAddresses');
    expect(input).toMatchObject({ FromEmailAddress: DEPLOYMENT.EMAIL_FROM, ConfigurationSetName: 'portcullis-prod-set' });
  });

  it('never sends raw MIME: one SendEmail per message, with no Raw content', async () => {
    ses.on(SendEmailCommand).resolves({});
    await senderFor(DEPLOYMENT).send(message);
    expect(ses.calls()).toHaveLength(1);
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Content).not.toHaveProperty('Raw');
  });

  it('lets an SES failure reach the caller', async () => {
    ses.on(SendEmailCommand).rejects(new Error('MessageRejected'));
    await expect(senderFor(DEPLOYMENT).send(message)).rejects.toThrow('MessageRejected');
  });
});
