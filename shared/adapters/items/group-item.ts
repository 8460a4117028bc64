/** A group of organizations, in its account's partition: key, item written, item read (validated). */
import * as z from '#shared/schemas/zod.ts';
import { GROUP_SK_PREFIX, groupKey, type ItemKey } from '../../data/keys.ts';
import type { Group } from '../../domain/kernel/model.ts';
import { parseItem } from '../dynamodb.ts';
import { accountKey } from './account-item.ts';

export { groupKey };

/** The partition and sort-key prefix of an account's groups. */
export const groupsOfAccount = (accountId: string) => ({ pk: accountKey(accountId).pk, prefix: GROUP_SK_PREFIX });

const GroupFields = z.object({
  id: z.string(),
  accountId: z.string(),
  name: z.string(),
  organizations: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const GroupItem = z.extend(GroupFields, { version: z.number() });

/** The group at `version` (optimistic concurrency: every write is conditional on the one read). */
export function toGroupItem(group: Group, version: number): Record<string, unknown> & ItemKey {
  return { ...groupKey(group.accountId, group.id), entity: 'Group', ...group, version };
}

export function fromGroupItem(item: Record<string, unknown>): Group & { version: number } {
  return parseItem('Group', GroupItem, item);
}

/** Just the group. */
export function toGroup(item: Record<string, unknown>): Group {
  return parseItem('Group', GroupFields, item);
}
