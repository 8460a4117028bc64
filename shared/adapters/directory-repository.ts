import { BatchWriteCommand, GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../domain/kernel/audit-events.ts';
import type { DirectoryStore, ListedGrant, StoredEndUser, StoredSystem } from '../domain/directory/directory.ts';
import { UnavailableError } from '../domain/kernel/errors.ts';
import type { Page, PageRequest } from '../domain/tenancy/organizations.ts';
import { newId } from '../domain/kernel/secrets.ts';
import type { AccessGrant, EndUser, SignInDirectory, SignInSystem } from '../domain/sign-in/model.ts';
import {
  accessGrantKey,
  endUserByOrganizationGsi,
  endUserEmailKey,
  endUserGrantKey,
  endUserKey,
  endUsersOfOrganizationPartition,
  grantsOfEndUserPrefix,
  grantsOfSystemPrefix,
  SYSTEM_SK_PREFIX,
  systemKey,
  type ItemKey,
} from '../data/keys.ts';
import { auditEventPut } from './audit-repository.ts';
import { batchGetItems, queryGsi1Page, queryPrefixPage, transactWrite } from './dynamodb.ts';
import type { TransactItem } from './operator-repository.ts';

/** DynamoDB's limit on the items of one TransactWriteItems call. */
const MAX_TRANSACTION_ITEMS = 100;

/** Retries of a delete whose owner gained a grant between our read and our write. */
const DELETE_ATTEMPTS = 5;


/** The two items of one grant: by system (listing a system's access) and by user (deleting a user). */
interface GrantRef {
  systemName: string;
  userId: string;
}

/**
 * Systems, end users and access grants of organizations, all in the organization's partition.
 *
 * Three invariants are kept by conditions rather than by reads:
 * - a system name and an end user's email (lower-cased, through a guard item) are unique in the
 *   organization: creates are conditional puts in one transaction;
 * - a grant exists only while its system and its user do: the grant transaction bumps `grantVersion`
 *   on both, and deleting either is conditional on the `grantVersion` read before listing its grants
 *   (strongly consistent Query), so a grant committed meanwhile makes the delete re-read and retry;
 * - a system re-created under a deleted one's name never inherits its grants: every system gets a new
 *   `incarnation`, grants carry it, and only grants of the current incarnation count;
 * - the email guard carries the sign-in copy of its user (the user record and one `grant:<system>`
 *   attribute per grant, holding the incarnation), so a sign-in reads user and access with the
 *   organization and system in one round trip: every write of the user or a grant updates the guard
 *   in its transaction, and an email change rebuilds it from the grants, conditional on the user's
 *   `grantVersion` (bumped by every grant and revoke) being the one read before listing them.
 */
export class DirectoryRepository implements SignInDirectory, DirectoryStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  // ---- SignInDirectory (the challenge engine's reads; all strongly consistent) ----------------------

  async findSystem(organizationId: string, systemName: string): Promise<SignInSystem | undefined> {
    const item = await this.get(systemKey(organizationId, systemName));
    return item ? toSystem(item) : undefined;
  }

  async findEndUserByEmail(organizationId: string, email: string): Promise<EndUser | undefined> {
    const guard = await this.get(endUserEmailKey(organizationId, email.toLowerCase()));
    if (!guard) return undefined;
    const user = await this.findEndUser(organizationId, guard.userId as string);
    return user && user.email.toLowerCase() === email.toLowerCase() ? user : undefined;
  }

  async findEndUser(organizationId: string, userId: string): Promise<EndUser | undefined> {
    const item = await this.get(endUserKey(organizationId, userId));
    return item ? toEndUser(item) : undefined;
  }

  /** One BatchGetItem: the grant counts only while its system (same incarnation) and user exist. */
  async hasAccess(organizationId: string, systemName: string, userId: string): Promise<boolean> {
    const keys = [systemKey(organizationId, systemName), endUserKey(organizationId, userId), accessGrantKey(organizationId, systemName, userId)];
    const items = await this.batchGet(keys);
    const [system, user, grant] = keys.map((key) => items.find((item) => item.pk === key.pk && item.sk === key.sk));
    return system !== undefined && user !== undefined && grant !== undefined && grant.incarnation === system.incarnation;
  }

  // ---- Systems -----------------------------------------------------------------------------------

  async findSystemForUpdate(organizationId: string, systemName: string): Promise<StoredSystem | undefined> {
    const item = await this.get(systemKey(organizationId, systemName));
    return item ? { ...toSystem(item), version: item.version as number } : undefined;
  }

  /** Systems of an organization in name order: one Query on its partition. */
  async listSystems(organizationId: string, page: PageRequest): Promise<Page<SignInSystem>> {
    const result = await this.queryPrefix(systemKey(organizationId, '').pk, SYSTEM_SK_PREFIX, page);
    return { items: result.items.map(toSystem), lastKey: result.lastKey };
  }

  async createSystem(system: SignInSystem, event: AuditEvent): Promise<boolean> {
    const failed = await transactWrite(this.db, {
      TransactItems: [
        {
          Put: {
            TableName: this.tableName,
            Item: { ...systemKey(system.organizationId, system.name), entity: 'System', ...system, version: 1, incarnation: newId('inc') },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        auditEventPut(this.tableName, event),
      ],
    });
    return failed.length === 0;
  }

  async updateSystem(system: SignInSystem, expectedVersion: number, event: AuditEvent): Promise<'ok' | 'missing' | 'stale'> {
    const key = systemKey(system.organizationId, system.name);
    const failed = await transactWrite(this.db, {
      TransactItems: [
        {
          Update: {
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'SET #policy = :policy, passwordlessUrl = :url, updatedAt = :at, version = :next',
            ConditionExpression: 'version = :version',
            ExpressionAttributeNames: { '#policy': 'policy' },
            ExpressionAttributeValues: { ':policy': system.policy, ':url': system.passwordlessUrl, ':at': system.updatedAt, ':version': expectedVersion, ':next': expectedVersion + 1 },
          },
        },
        auditEventPut(this.tableName, event),
      ],
    });
    if (failed.length === 0) return 'ok';
    return (await this.get(key)) ? 'stale' : 'missing';
  }

  /**
   * Up to 49 grants (two items each) go in the system's own transaction. Beyond that the system item
   * and its event commit first, then the grants are deleted in batches: from the moment the system is
   * gone its grants reach nothing (`hasAccess` and the access list need the system, and a grant of an
   * earlier incarnation never counts for a re-created system), and no new grant can be written (the
   * grant transaction requires the system).
   */
  async deleteSystem(organizationId: string, systemName: string, event: AuditEvent): Promise<number | undefined> {
    const key = systemKey(organizationId, systemName);
    const inline = Math.floor((MAX_TRANSACTION_ITEMS - 2) / 2);
    for (let attempt = 1; ; attempt++) {
      const system = await this.get(key);
      if (!system) return undefined;
      const grants = (await this.queryAll(key.pk, grantsOfSystemPrefix(systemName))).map(grantRef);
      const small = grants.length <= inline;
      const failed = await transactWrite(this.db, {
        TransactItems: [
          this.deleteAsRead(key, system),
          auditEventPut(this.tableName, { ...event, details: { ...event.details, grantsRemoved: grants.length } }),
          ...(small ? grants.flatMap((grant) => this.grantDeletes(organizationId, grant)) : []),
        ],
      });
      if (failed.length === 0) {
        if (!small) await this.batchDelete(grants.flatMap((grant) => this.grantKeys(organizationId, grant)));
        return grants.length;
      }
      if (attempt >= DELETE_ATTEMPTS) throw new UnavailableError(1);
    }
  }

  // ---- End users ---------------------------------------------------------------------------------

  async findEndUserForUpdate(organizationId: string, userId: string): Promise<StoredEndUser | undefined> {
    const item = await this.get(endUserKey(organizationId, userId));
    return item ? { ...toEndUser(item), version: item.version as number } : undefined;
  }

  /** End users of an organization, oldest first: one Query on GSI1. */
  async listEndUsers(organizationId: string, page: PageRequest): Promise<Page<EndUser>> {
    const result = await queryGsi1Page(this.db, this.tableName, endUsersOfOrganizationPartition(organizationId), page, endUserKey(organizationId, '').pk);
    return { items: result.items.map(toEndUser), lastKey: result.lastKey };
  }

  /** The user and its email guard, both conditional puts: of concurrent creates with one email, one wins. */
  async createEndUser(user: EndUser, event: AuditEvent): Promise<'ok' | 'email_taken'> {
    const failed = await transactWrite(this.db, {
      TransactItems: [
        {
          Put: {
            TableName: this.tableName,
            Item: {
              ...endUserKey(user.organizationId, user.id),
              ...endUserByOrganizationGsi(user.organizationId, user.createdAt, user.id),
              entity: 'EndUser',
              ...user,
              version: 1,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        this.putEmailGuard(user, []),
        auditEventPut(this.tableName, event),
      ],
    });
    if (failed.includes(1)) return 'email_taken';
    if (failed.length > 0) throw new Error('end user id collision');
    return 'ok';
  }

  /**
   * Conditional on the version read; a new email (other than by case) moves the guard atomically, with
   * the user's grants as listed after reading `grantVersion` (a grant or revoke since fails the write).
   */
  async updateEndUser(before: StoredEndUser, after: EndUser, event: AuditEvent): Promise<'ok' | 'missing' | 'stale' | 'email_taken'> {
    const key = endUserKey(before.organizationId, before.id);
    const moveGuard = before.email.toLowerCase() !== after.email.toLowerCase();
    let guardWrites: TransactItem[] = [this.updateGuardCopy(after)];
    let grantVersion: number | undefined;
    if (moveGuard) {
      const item = await this.get(key);
      if (!item) return 'missing';
      grantVersion = item.grantVersion as number | undefined;
      const grants = (await this.queryAll(key.pk, grantsOfEndUserPrefix(before.id))).map((grant) => ({
        systemName: grant.systemName as string,
        incarnation: grant.incarnation as string,
      }));
      guardWrites = [this.deleteEmailGuard(before), this.putEmailGuard(after, grants)];
    }
    const failed = await transactWrite(this.db, {
      TransactItems: [
        {
          Update: {
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'SET email = :email, phone = :phone, #name = :name, #status = :status, updatedAt = :at, version = :next',
            ConditionExpression: `version = :version${moveGuard ? ` AND ${grantVersion === undefined ? 'attribute_not_exists(grantVersion)' : 'grantVersion = :grantVersion'}` : ''}`,
            ExpressionAttributeNames: { '#name': 'name', '#status': 'status' },
            ExpressionAttributeValues: {
              ':email': after.email,
              ':phone': after.phone,
              ':name': after.name,
              ':status': after.status,
              ':at': after.updatedAt,
              ':version': before.version,
              ':next': before.version + 1,
              ...(grantVersion === undefined ? {} : { ':grantVersion': grantVersion }),
            },
          },
        },
        ...guardWrites,
        auditEventPut(this.tableName, event),
      ],
    });
    if (failed.length === 0) return 'ok';
    if (moveGuard && failed.includes(2) && !failed.includes(0)) return 'email_taken';
    return (await this.get(key)) ? 'stale' : 'missing';
  }

  /** As `deleteSystem`: up to 48 grants in the user's transaction, more in batches once the user is gone. */
  async deleteEndUser(organizationId: string, userId: string, event: AuditEvent): Promise<number | undefined> {
    const key = endUserKey(organizationId, userId);
    const inline = Math.floor((MAX_TRANSACTION_ITEMS - 3) / 2);
    for (let attempt = 1; ; attempt++) {
      const item = await this.get(key);
      if (!item) return undefined;
      const user = toEndUser(item);
      const grants = (await this.queryAll(key.pk, grantsOfEndUserPrefix(userId))).map(grantRef);
      const small = grants.length <= inline;
      const failed = await transactWrite(this.db, {
        TransactItems: [
          this.deleteAsRead(key, item),
          this.deleteEmailGuard(user),
          auditEventPut(this.tableName, { ...event, details: { ...event.details, email: user.email, grantsRemoved: grants.length } }),
          ...(small ? grants.flatMap((grant) => this.grantDeletes(organizationId, grant)) : []),
        ],
      });
      if (failed.length === 0) {
        if (!small) await this.batchDelete(grants.flatMap((grant) => this.grantKeys(organizationId, grant)));
        return grants.length;
      }
      if (attempt >= DELETE_ATTEMPTS) throw new UnavailableError(1);
    }
  }

  // ---- Access grants -----------------------------------------------------------------------------

  /**
   * The grant (both items), `grantVersion` bumped on the system (of the incarnation read) and on the
   * user (which must exist), and the audit event: one transaction, so a grant never outlives either.
   */
  async putGrant(grant: AccessGrant, event: AuditEvent): Promise<{ outcome: 'created'; grant: AccessGrant } | { outcome: 'exists'; grant: AccessGrant } | { outcome: 'no_system' } | { outcome: 'no_user' }> {
    const { organizationId, systemName, userId } = grant;
    for (let attempt = 1; ; attempt++) {
      const [system, user, existing] = await Promise.all([
        this.get(systemKey(organizationId, systemName)),
        this.get(endUserKey(organizationId, userId)),
        this.get(accessGrantKey(organizationId, systemName, userId)),
      ]);
      if (!system) return { outcome: 'no_system' };
      if (!user) return { outcome: 'no_user' };
      const incarnation = system.incarnation as string;
      if (existing && existing.incarnation === incarnation) return { outcome: 'exists', grant: toGrant(existing) };
      const attributes = { entity: 'AccessGrant', organizationId, systemName, userId, createdAt: grant.createdAt, incarnation };
      const failed = await transactWrite(this.db, {
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: { ...accessGrantKey(organizationId, systemName, userId), ...attributes },
              // A leftover grant of a deleted system of the same name is overwritten.
              ConditionExpression: 'attribute_not_exists(pk) OR incarnation <> :incarnation',
              ExpressionAttributeValues: { ':incarnation': incarnation },
            },
          },
          { Put: { TableName: this.tableName, Item: { ...endUserGrantKey(organizationId, userId, systemName), ...attributes, entity: 'EndUserGrant' } } },
          {
            Update: {
              TableName: this.tableName,
              Key: systemKey(organizationId, systemName),
              UpdateExpression: 'ADD grantVersion :one',
              ConditionExpression: 'incarnation = :incarnation',
              ExpressionAttributeValues: { ':one': 1, ':incarnation': incarnation },
            },
          },
          this.bumpGrantVersion(organizationId, userId, user.version as number),
          this.setGuardGrant(toEndUser(user), systemName, incarnation),
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
    for (let attempt = 1; ; attempt++) {
      const [system, user] = await Promise.all([this.get(systemKey(organizationId, systemName)), this.get(endUserKey(organizationId, userId))]);
      if (!system) return false;
      const failed = await transactWrite(this.db, {
        TransactItems: [
          {
            Delete: {
              TableName: this.tableName,
              Key: accessGrantKey(organizationId, systemName, userId),
              ConditionExpression: 'incarnation = :incarnation',
              ExpressionAttributeValues: { ':incarnation': system.incarnation },
            },
          },
          { Delete: { TableName: this.tableName, Key: endUserGrantKey(organizationId, userId, systemName) } },
          auditEventPut(this.tableName, event),
          ...(user ? [this.bumpGrantVersion(organizationId, userId, user.version as number), this.setGuardGrant(toEndUser(user), systemName, null)] : []),
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
   * of an earlier incarnation, or whose user is gone (a large delete still cleaning up), are left out.
   */
  async listGrants(organizationId: string, systemName: string, page: PageRequest): Promise<Page<ListedGrant> | undefined> {
    const system = await this.get(systemKey(organizationId, systemName));
    if (!system) return undefined;
    const result = await this.queryPrefix(systemKey(organizationId, '').pk, grantsOfSystemPrefix(systemName), page);
    const grants = result.items.filter((item) => item.incarnation === system.incarnation).map(toGrant);
    const users = await this.batchGet(grants.map((grant) => endUserKey(organizationId, grant.userId)));
    const emails = new Map(users.map((user) => [user.id as string, user.email as string]));
    const items = grants.flatMap((grant) => {
      const email = emails.get(grant.userId);
      return email === undefined ? [] : [{ ...grant, email }];
    });
    return { items, lastKey: result.lastKey };
  }

  // ---- Helpers -----------------------------------------------------------------------------------

  private async get(key: ItemKey): Promise<Record<string, unknown> | undefined> {
    return (await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))).Item;
  }

  private batchGet(keys: ItemKey[]): Promise<Record<string, unknown>[]> {
    return batchGetItems(this.db, this.tableName, keys);
  }

  private async batchDelete(keys: ItemKey[]): Promise<void> {
    for (let start = 0; start < keys.length; start += 25) {
      let pending = keys.slice(start, start + 25).map((key) => ({ DeleteRequest: { Key: key } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= 5) throw new UnavailableError(1);
        if (attempt > 0) await new Promise((done) => setTimeout(done, 20 * 2 ** attempt));
        const result = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = (result.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
      }
    }
  }

  private queryPrefix(pk: string, prefix: string, page: PageRequest) {
    return queryPrefixPage(this.db, this.tableName, pk, prefix, page);
  }

  private async queryAll(pk: string, prefix: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  /**
   * Deletes the item if it is unchanged since it was read: same `version` (an end user's email, and so
   * the guard we delete with it, is what we read) and no grant added since (`grantVersion`).
   */
  private deleteAsRead(key: ItemKey, item: Record<string, unknown>): TransactItem {
    const grantVersion = item.grantVersion as number | undefined;
    return {
      Delete: {
        TableName: this.tableName,
        Key: key,
        ConditionExpression: `version = :version AND ${grantVersion === undefined ? 'attribute_not_exists(grantVersion)' : 'grantVersion = :grantVersion'}`,
        ExpressionAttributeValues: { ':version': item.version, ...(grantVersion === undefined ? {} : { ':grantVersion': grantVersion }) },
      },
    };
  }

  /** A new email guard with its user's sign-in copy and the given grants (see the class comment). */
  private putEmailGuard(user: EndUser, grants: { systemName: string; incarnation: string }[]): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          ...endUserEmailKey(user.organizationId, user.email.toLowerCase()),
          entity: 'EndUserEmail',
          organizationId: user.organizationId,
          userId: user.id,
          user,
          signInCopy: true,
          ...Object.fromEntries(grants.map((grant) => [guardGrantAttribute(grant.systemName), grant.incarnation])),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  /** The user's record on its (unmoved) guard. */
  private updateGuardCopy(user: EndUser): TransactItem {
    return {
      Update: {
        TableName: this.tableName,
        Key: endUserEmailKey(user.organizationId, user.email.toLowerCase()),
        UpdateExpression: 'SET #user = :user',
        ConditionExpression: 'userId = :userId',
        ExpressionAttributeNames: { '#user': 'user' },
        ExpressionAttributeValues: { ':user': user, ':userId': user.id },
      },
    };
  }

  /** A grant (its incarnation) on the user's guard, or off it (`null`). */
  private setGuardGrant(user: EndUser, systemName: string, incarnation: string | null): TransactItem {
    return {
      Update: {
        TableName: this.tableName,
        Key: endUserEmailKey(user.organizationId, user.email.toLowerCase()),
        UpdateExpression: incarnation === null ? 'REMOVE #grant' : 'SET #grant = :incarnation',
        ConditionExpression: 'userId = :userId',
        ExpressionAttributeNames: { '#grant': guardGrantAttribute(systemName) },
        ExpressionAttributeValues: { ':userId': user.id, ...(incarnation === null ? {} : { ':incarnation': incarnation }) },
      },
    };
  }

  /** Every grant and revoke bumps the user's `grantVersion`; the user must be the one read (same `version`: same email, same guard). */
  private bumpGrantVersion(organizationId: string, userId: string, version: number): TransactItem {
    return {
      Update: {
        TableName: this.tableName,
        Key: endUserKey(organizationId, userId),
        UpdateExpression: 'ADD grantVersion :one',
        ConditionExpression: 'version = :version',
        ExpressionAttributeValues: { ':one': 1, ':version': version },
      },
    };
  }

  /** Never removes another user's guard. */
  private deleteEmailGuard(user: EndUser): TransactItem {
    return {
      Delete: {
        TableName: this.tableName,
        Key: endUserEmailKey(user.organizationId, user.email.toLowerCase()),
        ConditionExpression: 'attribute_not_exists(pk) OR userId = :userId',
        ExpressionAttributeValues: { ':userId': user.id },
      },
    };
  }

  private grantKeys(organizationId: string, grant: GrantRef): ItemKey[] {
    return [accessGrantKey(organizationId, grant.systemName, grant.userId), endUserGrantKey(organizationId, grant.userId, grant.systemName)];
  }

  private grantDeletes(organizationId: string, grant: GrantRef): TransactItem[] {
    return this.grantKeys(organizationId, grant).map((Key) => ({ Delete: { TableName: this.tableName, Key } }));
  }
}

function grantRef(item: Record<string, unknown>): GrantRef {
  return { systemName: item.systemName as string, userId: item.userId as string };
}

export function toSystem(item: Record<string, unknown>): SignInSystem {
  return {
    organizationId: item.organizationId as string,
    name: item.name as string,
    policy: item.policy as SignInSystem['policy'],
    passwordlessUrl: (item.passwordlessUrl as string | null | undefined) ?? null,
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
  };
}

export function toEndUser(item: Record<string, unknown>): EndUser {
  return {
    id: item.id as string,
    organizationId: item.organizationId as string,
    email: item.email as string,
    phone: item.phone as string,
    name: (item.name as string | null | undefined) ?? null,
    status: item.status as EndUser['status'],
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
  };
}

function toGrant(item: Record<string, unknown>): AccessGrant {
  return {
    organizationId: item.organizationId as string,
    systemName: item.systemName as string,
    userId: item.userId as string,
    createdAt: item.createdAt as string,
  };
}

/** The guard attribute holding the incarnation of the user's grant to a system. */
export const guardGrantAttribute = (systemName: string): string => `grant:${systemName}`;
