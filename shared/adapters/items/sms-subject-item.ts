/**
 * The SmsSubjectLimit item: the SMS sent lately to one sign-in subject of an organization (keyed by a
 * hash of the email), as their send times and a `version` that every write is conditional on. It
 * expires an hour after its last send. Written by sms-limit-repository.ts, read there and by
 * sign-in-reads.ts.
 */
import * as z from '#shared/schemas/zod.ts';
import { smsSubjectLimitKey, type ItemKey } from '../../data/keys.ts';
import type { PlannedSms, SubjectSends } from '../../domain/sign-in/sms-limits.ts';
import { parseItem } from '../dynamodb.ts';

export const ENTITY = 'SmsSubjectLimit';

export const key = (orgId: string, subjectHash: string): ItemKey => smsSubjectLimitKey(orgId, subjectHash);

const SmsSubjectItem = z.object({
  sentAt: z.array(z.number()),
  version: z.int(),
}) satisfies z.ZodMiniType<SubjectSends>;

/** The item a write of `write.sentAt` puts: one version past the one it expects. */
export function toItem(write: PlannedSms['subject']): Record<string, unknown> {
  const { orgId, subjectHash, sentAt, expectedVersion, expiresAtSeconds } = write;
  return { ...key(orgId, subjectHash), entity: ENTITY, sentAt, version: expectedVersion + 1, ttl: expiresAtSeconds };
}

export function fromItem(item: Record<string, unknown>): SubjectSends {
  return parseItem(ENTITY, SmsSubjectItem, item);
}
