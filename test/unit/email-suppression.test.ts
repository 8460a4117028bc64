/**
 * Undeliverable addresses (SPEC §8): what an SES report does, how it is read, and that the mailer
 * sends nothing to a suppressed address. Fakes of the ports; the repository and the real handler
 * against DynamoDB Local are in test/integration/email-feedback.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { MetricName } from '#shared/metrics-names.ts';
import { Mailer, type EmailMessage, type EmailSender, type EmailSuppressions, type UndeliverableReason } from '#shared/domain/platform/email.ts';
import { maskEmail, recordEmailFeedback, SuppressingEmailSender } from '#shared/domain/platform/email-suppression.ts';
import { en } from '#shared/domain/platform/messages/en.ts';
import { readSesFeedback, snsMessagesOf } from '#shared/http/ses-feedback.ts';

/** In-memory suppressions with the repository's contract: lower-cased, first report kept, reads counted. */
class FakeSuppressions implements EmailSuppressions {
  readonly marked = new Map<string, { reason: UndeliverableReason; since: string }>();
  reads = 0;
  isUndeliverable(email: string): Promise<boolean> {
    this.reads += 1;
    return Promise.resolve(this.marked.has(email.toLowerCase()));
  }
  markUndeliverable(email: string, reason: UndeliverableReason, at: string): Promise<void> {
    if (!this.marked.has(email.toLowerCase())) this.marked.set(email.toLowerCase(), { reason, since: at });
    return Promise.resolve();
  }
}

class FakeSender implements EmailSender {
  readonly sent: EmailMessage[] = [];
  send(message: EmailMessage): Promise<void> {
    this.sent.push(message);
    return Promise.resolve();
  }
}

const countingMetrics = () => {
  const counts: Partial<Record<MetricName, number>> = {};
  return { counts, count: (name: MetricName, value = 1) => void (counts[name] = (counts[name] ?? 0) + value) };
};

const AT = '2026-12-05T10:00:00.000Z';

describe('recording SES feedback', () => {
  it('marks each recipient of a permanent bounce undeliverable, lower-cased, and counts each', async () => {
    const suppressions = new FakeSuppressions();
    const metrics = countingMetrics();
    const outcome = await recordEmailFeedback({ kind: 'bounce', bounceType: 'Permanent', recipients: ['Gone@Example.test', 'old@example.test'], at: AT }, suppressions, metrics);
    expect([...suppressions.marked]).toEqual([
      ['gone@example.test', { reason: 'bounce', since: AT }],
      ['old@example.test', { reason: 'bounce', since: AT }],
    ]);
    expect(metrics.counts).toEqual({ EmailSuppressed: 2 });
    expect(outcome).toEqual({ kind: 'bounce', reason: 'bounce', recipients: ['G***@E***.test', 'o***@e***.test'] });
  });

  it('marks the recipients of a complaint undeliverable', async () => {
    const suppressions = new FakeSuppressions();
    await recordEmailFeedback({ kind: 'complaint', recipients: ['angry@example.test'], at: AT }, suppressions, countingMetrics());
    expect(suppressions.marked.get('angry@example.test')).toEqual({ reason: 'complaint', since: AT });
  });

  it.each(['Transient', 'Undetermined'] as const)('marks nothing and counts nothing for a %s bounce', async (bounceType) => {
    const suppressions = new FakeSuppressions();
    const metrics = countingMetrics();
    const outcome = await recordEmailFeedback({ kind: 'bounce', bounceType, recipients: ['full@example.test'], at: AT }, suppressions, metrics);
    expect(suppressions.marked.size).toBe(0);
    expect(metrics.counts).toEqual({});
    expect(outcome.reason).toBe('transient-bounce');
  });
});

describe('masking addresses for the logs', () => {
  it.each([
    ['ana.lima@example.com', 'a***@e***.com'],
    ['x@mail.example.co.uk', 'x***@m***.uk'],
    ['nodomain', '***'],
    ['@example.com', '***'],
  ])('%s → %s', (address, masked) => {
    expect(maskEmail(address)).toBe(masked);
    expect(maskEmail(address)).not.toContain(address.split('@')[0]?.slice(1) || '\u0000');
  });
});

describe('the mailer never writes to an undeliverable address', () => {
  const compose = () => {
    const suppressions = new FakeSuppressions();
    const sender = new FakeSender();
    const skipped: string[] = [];
    const mailer = new Mailer(new SuppressingEmailSender(sender, suppressions, (to) => skipped.push(to)), en);
    return { suppressions, sender, skipped, mailer };
  };

  it('sends to a deliverable address after one read', async () => {
    const { suppressions, sender, skipped, mailer } = compose();
    await mailer.send('fine@example.test', 'passwordChanged', { at: AT });
    expect(sender.sent.map((message) => message.to)).toEqual(['fine@example.test']);
    expect(suppressions.reads).toBe(1);
    expect(skipped).toEqual([]);
  });

  it('skips a suppressed address, whatever its case, and reports it masked', async () => {
    const { suppressions, sender, skipped, mailer } = compose();
    await suppressions.markUndeliverable('gone@example.test', 'bounce', AT);
    await mailer.send('Gone@Example.test', 'passwordReset', { url: 'https://console.example.test/reset-password?token=t', minutes: 30 });
    expect(sender.sent).toEqual([]);
    expect(skipped).toEqual(['G***@E***.test']);
  });
});

const bounce = (bounceType: string, recipients: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    eventType: 'Bounce',
    bounce: { bounceType, bounceSubType: 'General', bouncedRecipients: recipients, timestamp: '2026-12-05T10:00:00.123Z', feedbackId: 'f-1' },
    mail: { timestamp: '2026-12-05T09:59:59.000Z', source: 'no-reply@auth.example.test', messageId: 'm-1', destination: ['gone@example.test'] },
    ...extra,
  });

describe('reading SES notifications', () => {
  it('reads a permanent bounce of the event-publishing format', () => {
    expect(readSesFeedback(bounce('Permanent', [{ emailAddress: 'gone@example.test', action: 'failed', status: '5.1.1' }]))).toEqual({
      status: 'feedback',
      feedback: { kind: 'bounce', bounceType: 'Permanent', recipients: ['gone@example.test'], at: '2026-12-05T10:00:00.123Z' },
    });
  });

  it('reads a complaint of the older notification format, and a recipient with a display name', () => {
    const complaint = JSON.stringify({
      notificationType: 'Complaint',
      complaint: { complainedRecipients: [{ emailAddress: 'Angry Person <angry@example.test>' }], timestamp: '2026-12-05T10:00:00+01:00', feedbackId: 'f-2' },
    });
    expect(readSesFeedback(complaint)).toEqual({ status: 'feedback', feedback: { kind: 'complaint', recipients: ['angry@example.test'], at: '2026-12-05T09:00:00.000Z' } });
  });

  it('ignores the other event types', () => {
    expect(readSesFeedback(JSON.stringify({ eventType: 'Delivery', delivery: {} }))).toEqual({ status: 'ignored', eventType: 'Delivery' });
  });

  it.each([
    ['not JSON', '{"eventType": "Bounce"', ['(message): not JSON']],
    ['no event type', JSON.stringify({ bounce: {} }), ['eventType: missing']],
    ['an unknown bounce type', bounce('Soft', [{ emailAddress: 'a@example.test' }]), ['bounce.bounceType: invalid_value']],
    ['no recipient', bounce('Permanent', []), ['bounce.bouncedRecipients: too_small']],
    ['a recipient that is no address', bounce('Permanent', [{ emailAddress: 'a@example.test' }, { emailAddress: 'nobody' }]), ['bounce.bouncedRecipients.1.emailAddress: invalid_format']],
    ['a recipient list', bounce('Permanent', [{ emailAddress: 'a@example.test, b@example.test' }]), ['bounce.bouncedRecipients.0.emailAddress: invalid_format']],
    ['no timestamp', JSON.stringify({ eventType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: 'a@example.test' }] } }), ['complaint.timestamp: invalid_type']],
    ['a JSON array', '[1, 2]', ['(message): invalid_type']],
  ])('reports a message with %s as malformed, naming the paths and never the values', (_, message, problems) => {
    const read = readSesFeedback(message);
    expect(read).toEqual({ status: 'malformed', problems });
    expect(JSON.stringify(read)).not.toContain('example.test');
  });

  it('reads the SNS records of an invocation, and refuses an event that is not one', () => {
    expect(snsMessagesOf({ Records: [{ EventSource: 'aws:sns', Sns: { MessageId: 'sns-1', Message: 'x' } }] })).toEqual({ messages: [{ id: 'sns-1', body: 'x' }] });
    expect(snsMessagesOf({ Records: [{ Sns: { Message: 42 } }] })).toEqual({ problems: ['Records.0.Sns.Message: invalid_type'] });
    expect(snsMessagesOf(undefined)).toEqual({ problems: ['(message): invalid_type'] });
  });
});
