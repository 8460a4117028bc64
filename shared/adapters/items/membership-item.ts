/** A membership of an operator in an account: keys (account partition, GSI1 under the operator), item written, item read (validated). */
import * as z from '#shared/schemas/zod.ts';
import { MEMBER_SK_PREFIX, membershipByUserGsi, membershipKey, membershipsOfUserPartition, type ItemKey } from '../../data/keys.ts';
import type { Membership } from '../../domain/kernel/model.ts';
import { parseItem } from '../dynamodb.ts';
import { accountKey } from './account-item.ts';

export { membershipKey, membershipsOfUserPartition };

/** The partition and sort-key prefix of an account's memberships (user-id order). */
export const membershipsOfAccount = (accountId: string) => ({ pk: accountKey(accountId).pk, prefix: MEMBER_SK_PREFIX });

export const RoleField = z.enum(['owner', 'manager', 'viewer']);
export const ScopeField = z.union([z.literal('all'), z.object({ organizations: z.array(z.string()), groups: z.array(z.string()) })]);

const MembershipItem = z.object({ accountId: z.string(), userId: z.string(), role: RoleField, scope: ScopeField, createdAt: z.string() });

/** The stored form of a membership: in the account's partition, and on GSI1 under the operator. */
export function toMembershipItem(membership: Membership): Record<string, unknown> & ItemKey {
  return {
    ...membershipKey(membership.accountId, membership.userId),
    ...membershipByUserGsi(membership.userId, membership.accountId),
    entity: 'Membership',
    ...membership,
  };
}

export function fromMembershipItem(item: Record<string, unknown>): Membership {
  return parseItem('Membership', MembershipItem, item);
}
