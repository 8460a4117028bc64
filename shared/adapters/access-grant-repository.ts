import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AccessGrantStore, ListedGrant } from '../domain/directory/access-grants.ts';
import { isGrantLive } from '../domain/directory/grants.ts';
import type { AuditEvent } from '../domain/kernel/audit-events.ts';
import { UnavailableError } from '../domain/kernel/errors.ts';
import type { Page, PageRequest } from '../domain/kernel/request.ts';
import type { AccessGrant } from '../domain/sign-in/model.ts';
import type { ItemKey } from '../data/keys.ts';
import { auditEventPut } from './audit-repository.ts';
import { batchGetItems, getItem, queryAllItems, queryPrefixPage, transactWrite, type TransactItem } from './dynamodb.ts';
import { setGuardGrant } from './end-user-email-guard.ts';
import { accessGrantItemKeys, accessGrantKey, fromAccessGrantItem, grantsOfSystem, toAccessGrantItems } from './items/access-grant-item.ts';
import { endUserKey, fromEndUserItem, toEndUser } from './items/end-user-item.ts';
import { fromSystemItem, systemKey } from './items/system-item.ts';

/** Retries of a write whose system or user changed between our read and our write (a grant, a delete). */
export const DELETE_ATTEMPTS = 5;

/**
 * Access grants, in the organization's partition: two items per grant (by system, to list a system's
 * access; by user, to delete a user's), written with the incarnation of the system they grant.
 *
 * A grant exists only while its system and its user do: the grant transaction requires both and bumps
 * `grantVersion` on both, and deleting either is conditional on the `grantVersion` read before listing
 * its grants (strongly consistent Query), so a grant committed meanwhile makes the delete re-read and
 * retry. Every grant and revoke also sets the grant on the user's email guard (its sign-in copy: see
 * end-user-repository.ts) in the same transaction. Whether a grant counts is the domain's rule,
 * `isGrantLive` (shared/domain/directory/grants.ts).
 */
export class AccessGrantRepository implements AccessGrantStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** One BatchGetItem: the system, the user and the grant, judged by `isGrantLive`. */
  async hasAccess(organizationId: string, systemName: string, userId: string): Promise<boolean> {
    const keys = [systemKey(organizationId, systemName), endUserKey(organizationId, userId), accessGrantKey(organizationId, systemName, userId)];
    const items = await batchGetItems(this.db, this.tableName, keys);
    const [system, user, grant] = keys.map((key) => items.find((item) => item.pk === key.pk && item.sk === key.sk));
    return isGrantLive({
      systemIncarnation: system ? fromSystemItem(system).incarnation : undefined,
      userExists: (user ? toEndUser(user) : undefined) !== undefined,
      grantIncarnation: grant ? fromAccessGrantItem(grant).incarnation : undefined,
    });
  }

  /**
   * The grant (both items), `grantVersion` bumped on the system (of the incarnation read) and on the
   * user (which must exist), and the audit event: one transaction, so a grant never outlives either.
   */
  async putGrant(grant: AccessGrant, event: AuditEvent): Promise<{ outcome: 'created'; grant: AccessGrant } | { outcome: 'exists'; grant: AccessGrant } | { outcome: 'no_system' } | { outcome: 'no_user' }> {
    const { organizationId, systemName, userId } = grant;
    for (let attempt = 1; ; attempt++) {
      const [systemItem, userItem, existingItem] = await Promise.all([
        getItem(this.db, this.tableName, systemKey(organizationId, systemName)),
        getItem(this.db, this.tableName, endUserKey(organizationId, userId)),
        getItem(this.db, this.tableName, accessGrantKey(organizationId, systemName, userId)),
      ]);
      if (!systemItem) return { outcome: 'no_system' };
      if (!userItem) return { outcome: 'no_user' };
      const { incarnation } = fromSystemItem(systemItem);
      const { user, version } = fromEndUserItem(userItem);
      const existing = existingItem ? fromAccessGrantItem(existingItem) : undefined;
      if (existing && existing.incarnation === incarnation) return { outcome: 'exists', grant: existing.grant };
      const [bySystem, byUser] = toAccessGrantItems(grant, incarnation);
      const failed = await transactWrite(this.db, {
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: bySystem,
              // A leftover grant of a deleted system of the same name is overwritten.
              ConditionExpression: 'attribute_not_exists(pk) OR incarnation <> :incarnation',
              ExpressionAttributeValues: { ':incarnation': incarnation },
            },
          },
          { Put: { TableName: this.tableName, Item: byUser } },
          {
            Update: {
              TableName: this.tableName,
              Key: systemKey(organizationId, systemName),
              UpdateExpression: 'ADD grantVersion :one',
              ConditionExpression: 'incarnation = :incarnation',
              ExpressionAttributeValues: { ':one': 1, ':incarnation': incarnation },
            },
          },
          bumpGrantVersion(this.tableName, organizationId, userId, version),
          setGuardGrant(this.tableName, user, systemName, incarnation),
          auditEventPut(this.tableName, event),
        ],
      });
      if (failed.length === 0) return { outcome: 'created', grant: { organizationId, systemName, userId, createdAt: grant.createdAt } };
      // Something changed since the reads (a concurrent grant, a delete): read again and decide.
      if (attempt >= DELETE_ATTEMPTS) throw new UnavailableError(1);
    }
  }

  /** Both grant items, the grant off the user's guard and `grantVersion` bumped on the user (when the user still exists), and the event. */
  async deleteGrant(organizationId: string, systemName: string, userId: string, event: AuditEvent): Promise<boolean> {
    const [bySystem, byUser] = accessGrantItemKeys(organizationId, systemName, userId);
    for (let attempt = 1; ; attempt++) {
      const [systemItem, userItem] = await Promise.all([
        getItem(this.db, this.tableName, systemKey(organizationId, systemName)),
        getItem(this.db, this.tableName, endUserKey(organizationId, userId)),
      ]);
      if (!systemItem) return false;
      const { incarnation } = fromSystemItem(systemItem);
      const stored = userItem ? fromEndUserItem(userItem) : undefined;
      const failed = await transactWrite(this.db, {
        TransactItems: [
          {
            Delete: {
              TableName: this.tableName,
              Key: bySystem,
              ConditionExpression: 'incarnation = :incarnation',
              ExpressionAttributeValues: { ':incarnation': incarnation },
            },
          },
          { Delete: { TableName: this.tableName, Key: byUser } },
          auditEventPut(this.tableName, event),
          ...(stored ? [bumpGrantVersion(this.tableName, organizationId, userId, stored.version), setGuardGrant(this.tableName, stored.user, systemName, null)] : []),
        ],
      });
      if (failed.length === 0) return true;
      if (failed.includes(0)) return false;
      // The user changed (an email move, a delete) between the read and the write: read again.
      if (attempt >= DELETE_ATTEMPTS) throw new UnavailableError(1);
    }
  }

  /**
   * A system's grants in user-id order, each with its user's email (one BatchGetItem per page). Grants
   * that do not count (`isGrantLive`: of an earlier incarnation, or whose user is gone while a large
   * delete is still cleaning up) are left out.
   */
  async listGrants(organizationId: string, systemName: string, page: PageRequest): Promise<Page<ListedGrant> | undefined> {
    const systemItem = await getItem(this.db, this.tableName, systemKey(organizationId, systemName));
    if (!systemItem) return undefined;
    const systemIncarnation = fromSystemItem(systemItem).incarnation;
    const { pk, prefix } = grantsOfSystem(organizationId, systemName);
    const result = await queryPrefixPage(this.db, this.tableName, pk, prefix, page);
    // The users are not read yet: judged as present here, only the users of grants that can count are read.
    const grants = result.items.map(fromAccessGrantItem).filter(({ incarnation }) => isGrantLive({ systemIncarnation, userExists: true, grantIncarnation: incarnation }));
    const users = await batchGetItems(this.db, this.tableName, grants.map(({ grant }) => endUserKey(organizationId, grant.userId)));
    const emails = new Map(users.map(toEndUser).map((user) => [user.id, user.email]));
    const items = grants.flatMap(({ grant }) => {
      const email = emails.get(grant.userId);
      return email === undefined ? [] : [{ ...grant, email }];
    });
    return { items, lastKey: result.lastKey };
  }
}

/** Every grant and revoke bumps the user's `grantVersion`; the user must be the one read (same `version`: same email, same guard). */
function bumpGrantVersion(tableName: string, organizationId: string, userId: string, version: number): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: endUserKey(organizationId, userId),
      UpdateExpression: 'ADD grantVersion :one',
      ConditionExpression: 'version = :version',
      ExpressionAttributeValues: { ':one': 1, ':version': version },
    },
  };
}

// ---- For the system and end-user repositories, which delete their grants with them --------------

/** The condition "no grant or revoke since `grantVersion` was read" (absent: never granted). */
export function grantVersionCondition(grantVersion: number | undefined): { condition: string; values: Record<string, unknown> } {
  return grantVersion === undefined
    ? { condition: 'attribute_not_exists(grantVersion)', values: {} }
    : { condition: 'grantVersion = :grantVersion', values: { ':grantVersion': grantVersion } };
}

/**
 * Deletes a system or end user if it is unchanged since it was read: same `version` (an end user's
 * email, and so the guard deleted with it, is what was read) and no grant since (`grantVersion`).
 */
export function deleteUnlessGrantedSince(tableName: string, key: ItemKey, read: { version: number; grantVersion: number | undefined }): TransactItem {
  const grants = grantVersionCondition(read.grantVersion);
  return {
    Delete: {
      TableName: tableName,
      Key: key,
      ConditionExpression: `version = :version AND ${grants.condition}`,
      ExpressionAttributeValues: { ':version': read.version, ...grants.values },
    },
  };
}

/** Every grant under a system's or a user's prefix (strongly consistent), with the incarnation it is of. */
export async function listAllGrants(db: DynamoDBDocumentClient, tableName: string, of: { pk: string; prefix: string }): Promise<(AccessGrant & { incarnation: string })[]> {
  return (await queryAllItems(db, tableName, of.pk, of.prefix)).map(fromAccessGrantItem).map(({ grant, incarnation }) => ({ ...grant, incarnation }));
}

/** Deletes of both items of each grant, for the transaction of its system's or user's delete. */
export function grantItemDeletes(tableName: string, organizationId: string, grants: AccessGrant[]): TransactItem[] {
  return grants.flatMap((grant) => accessGrantItemKeys(organizationId, grant.systemName, grant.userId)).map((Key) => ({ Delete: { TableName: tableName, Key } }));
}
