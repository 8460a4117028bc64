/**
 * An operator session: its refresh family (one login) and its refresh tokens (by the SHA-256 of the
 * secret). Keys, items written (with their DynamoDB TTL), items read (validated).
 */
import * as z from '#shared/schemas/zod.ts';
import { refreshFamilyByUserGsi, refreshFamilyKey, refreshTokenKey, sessionsOfUserPartition, type ItemKey } from '../../data/keys.ts';
import type { RefreshFamily, RefreshTokenRecord } from '../../domain/kernel/model.ts';
import { parseItem } from '../dynamodb.ts';

export { refreshFamilyKey, refreshTokenKey, sessionsOfUserPartition };

const RefreshFamilyItem = z.object({
  familyId: z.string(),
  userId: z.string(),
  amr: z.array(z.string()),
  revoked: z.boolean(),
  expiresAt: z.number(),
  createdAt: z.optional(z.string()),
  lastUsedAt: z.optional(z.string()),
  userAgent: z.optional(z.string()),
  ipPrefix: z.optional(z.string()),
});
const RefreshTokenItem = z.object({
  tokenHash: z.string(),
  familyId: z.string(),
  userId: z.string(),
  status: z.enum(['active', 'used', 'superseded']),
  expiresAt: z.number(),
  usedAt: z.optional(z.number()),
  nextHash: z.optional(z.string()),
  repeatedAt: z.optional(z.number()),
});

/**
 * The family expires (TTL) when the login does: a refresh never moves it. Listed under its operator
 * (GSI1) once it has a `createdAt`.
 */
export function toRefreshFamilyItem(family: RefreshFamily): Record<string, unknown> & ItemKey {
  const listed = family.createdAt ? refreshFamilyByUserGsi(family.userId, family.createdAt, family.familyId) : {};
  return { ...refreshFamilyKey(family.familyId), ...listed, entity: 'RefreshFamily', ...family, ttl: family.expiresAt };
}

export function fromRefreshFamilyItem(item: Record<string, unknown>): RefreshFamily {
  return parseItem('RefreshFamily', RefreshFamilyItem, item);
}

export function toRefreshTokenItem(token: RefreshTokenRecord): Record<string, unknown> & ItemKey {
  return { ...refreshTokenKey(token.tokenHash), entity: 'RefreshToken', ...token, ttl: token.expiresAt };
}

export function fromRefreshTokenItem(item: Record<string, unknown>): RefreshTokenRecord {
  return parseItem('RefreshToken', RefreshTokenItem, item);
}
