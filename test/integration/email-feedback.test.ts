/**
 * The e-mail feedback function through its real handler module, against DynamoDB Local: SES's bounce
 * and complaint events (as SNS delivers them) mark addresses undeliverable, and the mailer then sends
 * them nothing. Unique addresses per test, so the shared table needs no cleanup.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler } from '#functions/platform/handle-email-feedback.ts';
import { getItem } from '#shared/adapters/dynamodb.ts';
import { emailSuppressionItemKey, fromEmailSuppressionItem } from '#shared/adapters/items/email-suppression-item.ts';
import { documentClient, tableName } from '#shared/compose/runtime.ts';
import { emailSuppressions, localEmailOutbox, mailer } from '#shared/compose/shared.ts';

const lines: string[] = [];
beforeAll(() => {
  // Captured (the suppressions log at WARN): the addresses must never reach a log line.
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (write as (chunk: string | Uint8Array, ...more: unknown[]) => boolean)(chunk, ...rest);
    });
  }
});
afterAll(() => {
  vi.restoreAllMocks();
});

const address = (name: string) => `${name}-${randomUUID().slice(0, 8)}@Example.test`;

/** An SNS invocation carrying SES messages (each a JSON string, as SNS delivers it). */
const snsEvent = (...messages: unknown[]) => ({
  Records: messages.map((message, index) => ({
    EventSource: 'aws:sns',
    EventVersion: '1.0',
    Sns: { Type: 'Notification', MessageId: `sns-${String(index)}-${randomUUID()}`, TopicArn: 'arn:aws:sns:eu-west-1:111122223333:feedback', Message: typeof message === 'string' ? message : JSON.stringify(message) },
  })),
});

const bounce = (bounceType: 'Permanent' | 'Transient' | 'Undetermined', recipients: string[], timestamp = '2026-12-05T10:00:00.000Z') => ({
  eventType: 'Bounce',
  bounce: { bounceType, bounceSubType: 'General', bouncedRecipients: recipients.map((emailAddress) => ({ emailAddress, action: 'failed', status: '5.1.1' })), timestamp, feedbackId: randomUUID() },
  mail: { timestamp, source: 'no-reply@auth.example.test', messageId: randomUUID(), destination: recipients },
});

const complaint = (recipients: string[], timestamp = '2026-12-05T11:00:00.000Z') => ({
  eventType: 'Complaint',
  complaint: { complainedRecipients: recipients.map((emailAddress) => ({ emailAddress })), timestamp, feedbackId: randomUUID(), complaintFeedbackType: 'abuse' },
  mail: { timestamp, source: 'no-reply@auth.example.test', messageId: randomUUID(), destination: recipients },
});

const suppressionOf = async (email: string) => {
  const item = await getItem(documentClient(), tableName(), emailSuppressionItemKey(email));
  return item ? fromEmailSuppressionItem(item) : undefined;
};

describe('the e-mail feedback function', () => {
  it('marks the recipients of a permanent bounce undeliverable, under their lower-cased address', async () => {
    const [gone, old] = [address('gone'), address('old')];
    await handler(snsEvent(bounce('Permanent', [gone, old])));
    expect(await suppressionOf(gone)).toEqual({ reason: 'bounce', since: '2026-12-05T10:00:00.000Z' });
    expect(await suppressionOf(old.toLowerCase())).toEqual({ reason: 'bounce', since: '2026-12-05T10:00:00.000Z' });
    expect(await emailSuppressions().isUndeliverable(gone.toUpperCase())).toBe(true);
  });

  it('marks the recipient of a complaint undeliverable', async () => {
    const angry = address('angry');
    await handler(snsEvent(complaint([angry])));
    expect(await suppressionOf(angry)).toEqual({ reason: 'complaint', since: '2026-12-05T11:00:00.000Z' });
  });

  it('keeps an address after a transient or undetermined bounce', async () => {
    const [full, unsure] = [address('full'), address('unsure')];
    await handler(snsEvent(bounce('Transient', [full]), bounce('Undetermined', [unsure])));
    expect(await suppressionOf(full)).toBeUndefined();
    expect(await emailSuppressions().isUndeliverable(unsure)).toBe(false);
  });

  it('drops a malformed message without throwing, and still records the good ones beside it', async () => {
    const [nobody, good] = [address('nobody'), address('good')];
    const malformed = ['{"eventType":"Bounce"', { eventType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: nobody }] } }, { hello: 'world' }, 42];
    await expect(handler(snsEvent(...malformed, bounce('Permanent', [good])))).resolves.toBeUndefined();
    expect(await suppressionOf(nobody)).toBeUndefined();
    expect(await suppressionOf(good)).toEqual({ reason: 'bounce', since: '2026-12-05T10:00:00.000Z' });
    // Not an SNS event at all: dropped too.
    await expect(handler({ detail: 'from somewhere else' })).resolves.toBeUndefined();
    await expect(handler(undefined)).resolves.toBeUndefined();
  });

  it('is idempotent: a replayed notification, or a later complaint, keeps the first report', async () => {
    const replayed = address('replayed');
    const event = snsEvent(bounce('Permanent', [replayed]));
    await handler(event);
    await handler(event);
    await Promise.all([handler(event), handler(snsEvent(complaint([replayed], '2026-12-06T00:00:00.000Z')))]);
    expect(await suppressionOf(replayed)).toEqual({ reason: 'bounce', since: '2026-12-05T10:00:00.000Z' });
  });

  it('logs what it did with the addresses masked, never whole', async () => {
    const secretive = address('secretive');
    const before = lines.length;
    await handler(snsEvent(complaint([secretive]), '{"eventType":"Bounce","bounce":{"bouncedRecipients":[{"emailAddress":"' + secretive + '"}]}}'));
    const logged = lines.slice(before).join('');
    expect(logged).toContain('e-mail addresses marked undeliverable');
    expect(logged).toContain('s***@E***.test');
    expect(logged).toContain('e-mail feedback dropped: malformed SES notification');
    expect(logged.toLowerCase()).not.toContain(secretive.toLowerCase());
    expect(logged.toLowerCase()).not.toContain(secretive.split('@')[0]?.toLowerCase());
  });
});

describe('the mailer after feedback', () => {
  it('sends nothing to an address SES reported, and still sends to the others', async () => {
    const [bounced, fine] = [address('bounced'), address('fine')];
    await handler(snsEvent(bounce('Permanent', [bounced])));
    const before = lines.length;
    await mailer().send(bounced.toUpperCase(), 'passwordChanged', { at: '2026-12-05T12:00:00Z' });
    await mailer().send(fine, 'passwordChanged', { at: '2026-12-05T12:00:00Z' });
    expect(localEmailOutbox().list(bounced)).toEqual([]);
    expect(localEmailOutbox().list(fine).map((message) => message.subject)).toEqual(['Your Portcullis password was changed']);
    const logged = lines.slice(before).join('');
    expect(logged).toContain('e-mail not sent: SES reported the address undeliverable');
    expect(logged.toLowerCase()).not.toContain(bounced.toLowerCase());
  });
});
