/**
 * An access grant: two items written and deleted together, one listed under its system
 * (`AccessGrant`) and one under its end user (`EndUserGrant`), both naming the incarnation of the
 * system they were granted for.
 */
import * as z from '#shared/schemas/zod.ts';
import { accessGrantKey, endUserGrantKey, endUserKey, grantsOfEndUserPrefix, grantsOfSystemPrefix, systemKey, type ItemKey } from '../../data/keys.ts';
import type { AccessGrant } from '../../domain/sign-in/model.ts';
import { parseItem } from '../dynamodb.ts';

export { accessGrantKey };

/** The partition and sort-key prefix of a system's grants (user-id order). */
export const grantsOfSystem = (organizationId: string, systemName: string) => ({ pk: systemKey(organizationId, systemName).pk, prefix: grantsOfSystemPrefix(systemName) });
/** The partition and sort-key prefix of an end user's grants. */
export const grantsOfEndUser = (organizationId: string, userId: string) => ({ pk: endUserKey(organizationId, userId).pk, prefix: grantsOfEndUserPrefix(userId) });

const GrantItem = z.object({
  organizationId: z.string(),
  systemName: z.string(),
  userId: z.string(),
  createdAt: z.string(),
  incarnation: z.string(),
});

/** A grant as read from either of its items, with the incarnation it is of. */
export interface StoredGrantItem {
  grant: AccessGrant;
  incarnation: string;
}

/** Both items of a grant of the system's incarnation `incarnation`: by system first, by user second. */
export function toAccessGrantItems(grant: AccessGrant, incarnation: string): [Record<string, unknown> & ItemKey, Record<string, unknown> & ItemKey] {
  const { organizationId, systemName, userId } = grant;
  const attributes = { organizationId, systemName, userId, createdAt: grant.createdAt, incarnation };
  return [
    { ...accessGrantKey(organizationId, systemName, userId), entity: 'AccessGrant', ...attributes },
    { ...endUserGrantKey(organizationId, userId, systemName), ...attributes, entity: 'EndUserGrant' },
  ];
}

export function fromAccessGrantItem(item: Record<string, unknown>): StoredGrantItem {
  const { incarnation, ...grant } = parseItem(item.entity === 'EndUserGrant' ? 'EndUserGrant' : 'AccessGrant', GrantItem, item);
  return { grant, incarnation };
}

/** The keys of both items of the grant of `userId` to `systemName`. */
export function accessGrantItemKeys(organizationId: string, systemName: string, userId: string): ItemKey[] {
  return [accessGrantKey(organizationId, systemName, userId), endUserGrantKey(organizationId, userId, systemName)];
}
