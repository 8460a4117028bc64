/**
 * The SmsSubjectLimit item (and its e-mail twin, EmailSubjectLimit): the messages sent lately to one
 * sign-in subject of an organization (keyed by a hash of the email) on one channel, as their send
 * times and a `version` that every write is conditional on. It expires an hour after its last send.
 * Written by sms-limit-repository.ts, read there and by sign-in-reads.ts.
 */
import * as z from '#shared/schemas/zod.ts';
import { emailSubjectLimitKey, smsSubjectLimitKey, type ItemKey } from '../../data/keys.ts';
import type { Channel, PlannedSms, SubjectSends } from '../../domain/sign-in/sms-limits.ts';
import { parseItem } from '../dynamodb.ts';

export const ENTITY = 'SmsSubjectLimit';
export const EMAIL_ENTITY = 'EmailSubjectLimit';

const entityOf = (channel: Channel) => (channel === 'email' ? EMAIL_ENTITY : ENTITY);

export const key = (orgId: string, subjectHash: string, channel: Channel = 'sms'): ItemKey =>
  channel === 'email' ? emailSubjectLimitKey(orgId, subjectHash) : smsSubjectLimitKey(orgId, subjectHash);

const SmsSubjectItem = z.object({
  sentAt: z.array(z.number()),
  version: z.int(),
}) satisfies z.ZodMiniType<SubjectSends>;

/** The item a write of `write.sentAt` puts: one version past the one it expects. */
export function toItem(write: Omit<PlannedSms['subject'], 'channel'> & { channel?: Channel }): Record<string, unknown> {
  const { channel = 'sms', orgId, subjectHash, sentAt, expectedVersion, expiresAtSeconds } = write;
  return { ...key(orgId, subjectHash, channel), entity: entityOf(channel), sentAt, version: expectedVersion + 1, ttl: expiresAtSeconds };
}

export function fromItem(item: Record<string, unknown>, channel: Channel = 'sms'): SubjectSends {
  return parseItem(entityOf(channel), SmsSubjectItem, item);
}
