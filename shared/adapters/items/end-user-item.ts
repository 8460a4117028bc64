/** An end user of an organization's directory: its keys, the item written, the item read (validated). */
import * as z from '#shared/schemas/zod.ts';
import { endUserByOrganizationGsi, endUserKey, endUsersOfOrganizationPartition, type ItemKey } from '../../data/keys.ts';
import type { EndUser } from '../../domain/sign-in/model.ts';
import { parseItem } from '../dynamodb.ts';

export { endUserKey, endUsersOfOrganizationPartition };

/** The end user's own fields: the user item, and the sign-in copy on its email guard. */
export const EndUserRecord = z.object({
  id: z.string(),
  organizationId: z.string(),
  email: z.string(),
  phone: z.string(),
  name: z.pipe(z.nullish(z.string()), z.transform((name) => name ?? null)),
  status: z.enum(['active', 'disabled']),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const EndUserItem = z.extend(EndUserRecord, {
  /** Optimistic concurrency of PATCH; the guard moves with the version read. */
  version: z.number(),
  /** Bumped by every grant and revoke: an email move and a delete are conditional on the one read. */
  grantVersion: z.optional(z.number()),
});

/** An end user as read from its item, with the attributes its writes are conditional on. */
export interface StoredEndUserItem {
  user: EndUser;
  version: number;
  grantVersion: number | undefined;
}

/** The item of a new end user (version 1), listed on GSI1 under its organization. */
export function toEndUserItem(user: EndUser): Record<string, unknown> & ItemKey {
  return {
    ...endUserKey(user.organizationId, user.id),
    ...endUserByOrganizationGsi(user.organizationId, user.createdAt, user.id),
    entity: 'EndUser',
    ...user,
    version: 1,
  };
}

export function fromEndUserItem(item: Record<string, unknown>): StoredEndUserItem {
  const { version, grantVersion, ...user } = parseItem('EndUser', EndUserItem, item);
  return { user, version, grantVersion };
}

/** Just the end user: from its item, or from the sign-in copy on its email guard. */
export function toEndUser(item: Record<string, unknown>): EndUser {
  return parseItem('EndUser', EndUserRecord, item);
}
