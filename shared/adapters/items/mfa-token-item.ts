/** A login's MFA token, stored by the SHA-256 of the token (`mfaTokenKey`); DynamoDB's TTL removes it after expiry. */
import * as z from '#shared/schemas/zod.ts';
import { mfaTokenKey } from '../../data/keys.ts';
import type { MfaTokenRecord } from '../../domain/mfa/mfa-tokens.ts';

export const MFA_TOKEN_ENTITY = 'MfaToken';

const MfaTokenItem = z.object({
  tokenHash: z.string(),
  userId: z.string(),
  purpose: z.enum(['login', 'enroll', 'enrollment_page']),
  expiresAt: z.int(),
  firstFactor: z.optional(z.array(z.string())),
});

export function mfaTokenToItem(record: MfaTokenRecord): Record<string, unknown> {
  return {
    ...mfaTokenKey(record.tokenHash),
    entity: MFA_TOKEN_ENTITY,
    tokenHash: record.tokenHash,
    userId: record.userId,
    purpose: record.purpose,
    expiresAt: record.expiresAt,
    ...(record.firstFactor ? { firstFactor: record.firstFactor } : {}),
    ttl: record.expiresAt,
  };
}

/** The token of a stored item; a malformed item is an error, never a guess. */
export function mfaTokenFromItem(item: Record<string, unknown>): MfaTokenRecord {
  const parsed = MfaTokenItem.safeParse(item);
  if (!parsed.success) throw new Error(`Malformed ${MFA_TOKEN_ENTITY} item`, { cause: parsed.error });
  return parsed.data;
}
