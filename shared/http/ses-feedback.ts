/**
 * The e-mail feedback function's input, as `custom-resource.ts` is the key function's: what SES
 * publishes to the configuration set's SNS topic (bounce and complaint events in SES's "event
 * publishing" format, or the older notification format with `notificationType`), read into the
 * domain's `EmailFeedback`. Validated: anything else is malformed (reported by the paths of what is
 * wrong, never the values, which hold addresses) or ignored (another event type), so the function can
 * drop it.
 */
import * as z from '#shared/schemas/zod.ts';
import type { EmailFeedback } from '../domain/platform/email-suppression.ts';

/** The longest address SMTP carries (RFC 5321 path limit). */
const MAX_ADDRESS_LENGTH = 254;
const ADDRESS = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/;

const Recipients = z.array(z.looseObject({ emailAddress: z.string() })).check(z.minLength(1));

const BounceEvent = z.looseObject({
  bounce: z.looseObject({
    bounceType: z.enum(['Permanent', 'Transient', 'Undetermined']),
    bouncedRecipients: Recipients,
    timestamp: z.iso.datetime({ offset: true }),
  }),
});

const ComplaintEvent = z.looseObject({
  complaint: z.looseObject({
    complainedRecipients: Recipients,
    timestamp: z.iso.datetime({ offset: true }),
  }),
});

const EventType = z.looseObject({ eventType: z.optional(z.string()), notificationType: z.optional(z.string()) });

/** The SNS records of a Lambda invocation from a topic. */
const SnsEvent = z.looseObject({
  Records: z.array(z.looseObject({ Sns: z.looseObject({ MessageId: z.optional(z.string()), Message: z.string() }) })),
});

export type ReadFeedback =
  | { status: 'feedback'; feedback: EmailFeedback }
  | { status: 'ignored'; eventType: string }
  | { status: 'malformed'; problems: string[] };

const issuesOf = (error: z.core.$ZodError): string[] => error.issues.map((issue) => `${issue.path.map(String).join('.') || '(message)'}: ${issue.code}`);

/** `Name <a@b.c>` or `a@b.c` → `a@b.c`; undefined for anything that is not one address. */
function addressOf(value: string): string | undefined {
  const address = (/<([^<>]*)>\s*$/.exec(value)?.[1] ?? value).trim();
  return address.length <= MAX_ADDRESS_LENGTH && ADDRESS.test(address) ? address : undefined;
}

function recipientsOf(recipients: readonly { emailAddress: string }[], path: string): { addresses: string[] } | { problems: string[] } {
  const addresses = recipients.map((recipient) => addressOf(recipient.emailAddress));
  const problems = addresses.flatMap((address, index) => (address === undefined ? [`${path}.${String(index)}.emailAddress: invalid_format`] : []));
  return problems.length > 0 ? { problems } : { addresses: addresses.filter((address) => address !== undefined) };
}

/** One SNS message body from SES. */
export function readSesFeedback(message: string): ReadFeedback {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return { status: 'malformed', problems: ['(message): not JSON'] };
  }
  const kind = z.safeParse(EventType, json);
  if (!kind.success) return { status: 'malformed', problems: issuesOf(kind.error) };
  const eventType = kind.data.eventType ?? kind.data.notificationType ?? '';
  if (eventType === 'Bounce') {
    const parsed = z.safeParse(BounceEvent, json);
    if (!parsed.success) return { status: 'malformed', problems: issuesOf(parsed.error) };
    const { bounceType, bouncedRecipients, timestamp } = parsed.data.bounce;
    const recipients = recipientsOf(bouncedRecipients, 'bounce.bouncedRecipients');
    if ('problems' in recipients) return { status: 'malformed', problems: recipients.problems };
    return { status: 'feedback', feedback: { kind: 'bounce', bounceType, recipients: recipients.addresses, at: new Date(timestamp).toISOString() } };
  }
  if (eventType === 'Complaint') {
    const parsed = z.safeParse(ComplaintEvent, json);
    if (!parsed.success) return { status: 'malformed', problems: issuesOf(parsed.error) };
    const { complainedRecipients, timestamp } = parsed.data.complaint;
    const recipients = recipientsOf(complainedRecipients, 'complaint.complainedRecipients');
    if ('problems' in recipients) return { status: 'malformed', problems: recipients.problems };
    return { status: 'feedback', feedback: { kind: 'complaint', recipients: recipients.addresses, at: new Date(timestamp).toISOString() } };
  }
  if (eventType === '') return { status: 'malformed', problems: ['eventType: missing'] };
  return { status: 'ignored', eventType: eventType.slice(0, 40) };
}

/** The messages of an SNS-triggered invocation (with their SNS ids), or why the event is not one. */
export function snsMessagesOf(event: unknown): { messages: { id: string | undefined; body: string }[] } | { problems: string[] } {
  const parsed = z.safeParse(SnsEvent, event);
  if (!parsed.success) return { problems: issuesOf(parsed.error) };
  return { messages: parsed.data.Records.map((record) => ({ id: record.Sns.MessageId, body: record.Sns.Message })) };
}
