/** An owner-issued enrolment link, stored by the SHA-256 of its token (`mfaEnrollmentKey`); DynamoDB's TTL removes it after expiry. */
import * as z from '#shared/schemas/zod.ts';
import { mfaEnrollmentKey } from '../../data/keys.ts';
import type { EnrollmentLinkRecord } from '../../domain/mfa/enrollment-links.ts';

export const ENROLLMENT_LINK_ENTITY = 'MfaEnrollmentLink';

const EnrollmentLinkItem = z.object({
  tokenHash: z.string(),
  userId: z.string(),
  accountId: z.string(),
  createdBy: z.string(),
  expiresAt: z.int(),
});

export function enrollmentLinkToItem(record: EnrollmentLinkRecord): Record<string, unknown> {
  return {
    ...mfaEnrollmentKey(record.tokenHash),
    entity: ENROLLMENT_LINK_ENTITY,
    tokenHash: record.tokenHash,
    userId: record.userId,
    accountId: record.accountId,
    createdBy: record.createdBy,
    expiresAt: record.expiresAt,
    ttl: record.expiresAt,
  };
}

/** The link of a stored item; a malformed item is an error, never a guess. */
export function enrollmentLinkFromItem(item: Record<string, unknown>): EnrollmentLinkRecord {
  const parsed = EnrollmentLinkItem.safeParse(item);
  if (!parsed.success) throw new Error(`Malformed ${ENROLLMENT_LINK_ENTITY} item`, { cause: parsed.error });
  return parsed.data;
}
