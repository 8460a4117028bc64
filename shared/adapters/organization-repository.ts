import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../domain/kernel/audit-events.ts';
import { UnavailableError } from '../domain/kernel/errors.ts';
import type { Group, Organization } from '../domain/kernel/model.ts';
import type { Page, PageRequest } from '../domain/kernel/request.ts';
import type { GroupWriteOutcome, OrganizationPatch, OrganizationStore } from '../domain/tenancy/organizations.ts';
import { auditEventPut } from './audit-repository.ts';
import { batchGetItems, getItem, invalidCursor, MAX_TRANSACTION_ITEMS, queryAllItems, queryGsi1Page, queryPrefixPage, transactWrite, type TransactItem } from './dynamodb.ts';
import { accountKey } from './items/account-item.ts';
import { fromGroupItem, groupKey, groupsOfAccount, toGroup, toGroupItem } from './items/group-item.ts';
import { fromOrganizationItem, organizationByAccountGsi, organizationKey, organizationsOfAccountPartition, toOrganization, toOrganizationItem } from './items/organization-item.ts';

/** Retries when a group changed between our read and our write (optimistic `version` check). */
const STALE_GROUP_ATTEMPTS = 5;


type StoredGroup = Group & { version: number };

/** Organizations (by id, tombstoned on delete) and the groups of an account. */
export class OrganizationRepository implements OrganizationStore {
  constructor(
    protected readonly db: DynamoDBDocumentClient,
    protected readonly tableName: string,
  ) {}

  /** The active organization with this id; a deleted one is as good as missing. */
  async findOrganization(orgId: string): Promise<Organization | undefined> {
    const item = await getItem(this.db, this.tableName, organizationKey(orgId));
    const organization = item ? toOrganization(item) : undefined;
    return organization?.status === 'active' ? organization : undefined;
  }

  async findOrganizationsByIds(orgIds: string[]): Promise<Organization[]> {
    const items = await batchGetItems(this.db, this.tableName, [...new Set(orgIds)].map((id) => organizationKey(id)));
    return items.map(toOrganization).filter((organization) => organization.status === 'active');
  }

  /**
   * Unscoped readers page through GSI1 (an account's organizations, oldest first; a tombstone leaves
   * the index on delete, so no filter is needed). Scoped readers reach a known, short list of
   * organizations: those are read by id and paged in the same order, with the same kind of cursor.
   */
  async listOrganizationsOfAccount(accountId: string, page: PageRequest & { only?: Set<string> }): Promise<Page<Organization>> {
    const partition = organizationsOfAccountPartition(accountId);
    const cursor = page.cursor;
    if (cursor && (cursor.gsi1pk !== partition || typeof cursor.gsi1sk !== 'string' || typeof cursor.pk !== 'string' || typeof cursor.sk !== 'string')) {
      throw invalidCursor();
    }
    if (page.only) {
      const after = typeof cursor?.gsi1sk === 'string' ? cursor.gsi1sk : undefined;
      const sorted = (await this.findOrganizationsByIds([...page.only]))
        .filter((organization) => organization.accountId === accountId)
        .map((organization) => ({ organization, key: { ...organizationKey(organization.id), ...organizationByAccountGsi(accountId, organization.createdAt, organization.id) } }))
        .sort((a, b) => (a.key.gsi1sk < b.key.gsi1sk ? -1 : 1))
        .filter((entry) => after === undefined || entry.key.gsi1sk > after);
      const items = sorted.slice(0, page.limit);
      return { items: items.map((entry) => entry.organization), lastKey: sorted.length > page.limit ? items.at(-1)?.key : undefined };
    }
    const result = await queryGsi1Page(this.db, this.tableName, partition, page);
    const items = result.items.map(toOrganization).filter((organization) => organization.status === 'active');
    return { items, lastKey: result.lastKey };
  }

  /**
   * The organization, its audit event and one more on the account's `organizationCount`, conditional
   * on the count being under the quota: all or nothing, so concurrent creates at the quota let
   * exactly as many through as there is room for.
   */
  async createOrganization(organization: Organization, event: AuditEvent, quota: number): Promise<boolean> {
    const failed = await transactWrite(this.db, {
      TransactItems: [
        {
          Update: {
            TableName: this.tableName,
            Key: accountKey(organization.accountId),
            UpdateExpression: 'ADD organizationCount :one',
            ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(organizationCount) OR organizationCount < :quota)',
            ExpressionAttributeValues: { ':one': 1, ':quota': quota },
          },
        },
        {
          Put: {
            TableName: this.tableName,
            Item: toOrganizationItem(organization),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        auditEventPut(this.tableName, event),
      ],
    });
    if (failed.includes(0)) return false;
    if (failed.length > 0) throw new Error('organization id collision');
    return true;
  }

  /** Sets each given setting by its own path, so concurrent changes of different settings both stick. */
  async updateOrganization(orgId: string, patch: OrganizationPatch, updatedAt: string, event: AuditEvent): Promise<boolean> {
    const names: Record<string, string> = { '#status': 'status', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':active': 'active', ':updatedAt': updatedAt };
    const sets = ['#updatedAt = :updatedAt'];
    if (patch.name !== undefined) {
      names['#name'] = 'name';
      values[':name'] = patch.name;
      sets.push('#name = :name');
    }
    if (patch.settings && Object.keys(patch.settings).length > 0) names['#settings'] = 'settings';
    for (const [setting, value] of Object.entries(patch.settings ?? {})) {
      names[`#${setting}`] = setting;
      values[`:${setting}`] = value;
      sets.push(`#settings.#${setting} = :${setting}`);
    }
    const failed = await transactWrite(this.db, {
      TransactItems: [
        {
          Update: {
            TableName: this.tableName,
            Key: organizationKey(orgId),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: '#status = :active',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          },
        },
        auditEventPut(this.tableName, event),
      ],
    });
    return !failed.includes(0);
  }

  /**
   * One transaction tombstones the organization (conditional on it being active, and leaving GSI1 so
   * it drops out of lists), writes the audit event and removes it from every group that lists it.
   * Two races are closed by conditions, each making us re-read and retry: a group that changed since
   * we read it (its `version`), and a group that started listing the organization after we read the
   * groups (every group write that adds an organization bumps the organization's `groupVersion`,
   * which we read before the groups and require unchanged). Up to 98 groups fit in that transaction;
   * beyond that the rest are updated right after the tombstone commits (a tombstoned id in a group
   * reaches nothing meanwhile: every lookup reads the organization).
   */
  async deleteOrganization(organization: Organization, deletedAt: string, event: AuditEvent): Promise<boolean> {
    const inline = MAX_TRANSACTION_ITEMS - 2;
    for (let attempt = 1; ; attempt++) {
      const item = await getItem(this.db, this.tableName, organizationKey(organization.id));
      const stored = item ? fromOrganizationItem(item) : undefined;
      if (stored?.organization.status !== 'active') return false;
      const { groupVersion } = stored;
      const listing = (await this.queryGroups(organization.accountId)).filter((group) => group.organizations.includes(organization.id));
      const failed = await transactWrite(this.db, {
        TransactItems: [
          {
            Update: {
              TableName: this.tableName,
              Key: organizationKey(organization.id),
              UpdateExpression: 'SET #status = :deleted, deletedAt = :at, updatedAt = :at REMOVE gsi1pk, gsi1sk',
              ConditionExpression: `#status = :active AND ${groupVersion === undefined ? 'attribute_not_exists(groupVersion)' : 'groupVersion = :groupVersion'}`,
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':deleted': 'deleted',
                ':active': 'active',
                ':at': deletedAt,
                ...(groupVersion === undefined ? {} : { ':groupVersion': groupVersion }),
              },
            },
          },
          auditEventPut(this.tableName, event),
          ...listing.slice(0, inline).map((group) => this.removeFromGroup(group, organization.id, deletedAt)),
        ],
      });
      if (failed.length === 0) {
        await this.uncountOrganization(organization.accountId);
        if (listing.length > inline) await this.removeFromRemainingGroups(organization, deletedAt);
        return true;
      }
      // Item 0 failed: deleted meanwhile (the re-read answers false) or a group gained it (retry).
      if (attempt >= STALE_GROUP_ATTEMPTS) throw new UnavailableError(1);
    }
  }

  /**
   * One less on the account's `organizationCount`, never below zero (accounts older than the count
   * have none, or one too low): right after the tombstone commits, not in its transaction, where a
   * missing count would fail the delete. Best effort: the delete has committed and answers so; should
   * this write fail, the count stays one high and the quota errs on the strict side.
   */
  private async uncountOrganization(accountId: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: accountKey(accountId),
          UpdateExpression: 'ADD organizationCount :minusOne',
          ConditionExpression: 'organizationCount > :zero',
          ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
        }),
      );
    } catch {
      // Already zero (ConditionalCheckFailed), or throttled: see above.
    }
  }

  private async removeFromRemainingGroups(organization: Organization, at: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const listing = (await this.queryGroups(organization.accountId)).filter((group) => group.organizations.includes(organization.id));
      if (listing.length === 0) return;
      const results = await Promise.all(listing.map((group) => transactWrite(this.db, { TransactItems: [this.removeFromGroup(group, organization.id, at)] })));
      if (results.every((failed) => failed.length === 0)) return;
      if (attempt >= STALE_GROUP_ATTEMPTS) throw new UnavailableError(1);
    }
  }

  private removeFromGroup(group: StoredGroup, orgId: string, at: string): TransactItem {
    return {
      Update: {
        TableName: this.tableName,
        Key: groupKey(group.accountId, group.id),
        UpdateExpression: 'SET organizations = :organizations, version = :next, updatedAt = :at',
        ConditionExpression: 'version = :version',
        ExpressionAttributeValues: {
          ':organizations': group.organizations.filter((id) => id !== orgId),
          ':version': group.version,
          ':next': group.version + 1,
          ':at': at,
        },
      },
    };
  }

  /** All groups of an account: one Query on the account partition. */
  async listGroupsOfAccount(accountId: string): Promise<Group[]> {
    return (await this.queryGroups(accountId)).map(withoutVersion);
  }

  async listGroupsPage(accountId: string, page: PageRequest): Promise<Page<Group>> {
    const { pk, prefix } = groupsOfAccount(accountId);
    const result = await queryPrefixPage(this.db, this.tableName, pk, prefix, page);
    return { items: result.items.map(toGroup), lastKey: result.lastKey };
  }

  async findGroup(accountId: string, groupId: string): Promise<StoredGroup | undefined> {
    const item = await getItem(this.db, this.tableName, groupKey(accountId, groupId));
    return item ? fromGroupItem(item) : undefined;
  }

  /** The group, each listed organization checked active in this account, and the event: all or nothing. */
  async createGroup(group: Group, event: AuditEvent): Promise<GroupWriteOutcome> {
    const failed = await transactWrite(this.db, {
      TransactItems: [
        { Put: { TableName: this.tableName, Item: toGroupItem(group, 1), ConditionExpression: 'attribute_not_exists(pk)' } },
        ...group.organizations.map((orgId) => this.attachOrganization(group.accountId, orgId)),
        auditEventPut(this.tableName, event),
      ],
    });
    return outcome(failed, group.organizations);
  }

  async updateGroup(group: Group, expectedVersion: number, added: string[], event: AuditEvent): Promise<GroupWriteOutcome> {
    const failed = await transactWrite(this.db, {
      TransactItems: [
        {
          Put: {
            TableName: this.tableName,
            Item: toGroupItem(group, expectedVersion + 1),
            ConditionExpression: 'version = :version',
            ExpressionAttributeValues: { ':version': expectedVersion },
          },
        },
        ...added.map((orgId) => this.attachOrganization(group.accountId, orgId)),
        auditEventPut(this.tableName, event),
      ],
    });
    return outcome(failed, added);
  }

  async deleteGroup(accountId: string, groupId: string, event: AuditEvent): Promise<boolean> {
    const failed = await transactWrite(this.db, {
      TransactItems: [
        { Delete: { TableName: this.tableName, Key: groupKey(accountId, groupId), ConditionExpression: 'attribute_exists(pk)' } },
        auditEventPut(this.tableName, event),
      ],
    });
    return !failed.includes(0);
  }

  /**
   * A group write that lists an organization: checks it is active and of the account, and bumps its
   * `groupVersion` so that a concurrent delete, which read the groups before this commit, fails its
   * condition and re-reads them.
   */
  private attachOrganization(accountId: string, orgId: string): TransactItem {
    return {
      Update: {
        TableName: this.tableName,
        Key: organizationKey(orgId),
        UpdateExpression: 'ADD groupVersion :one',
        ConditionExpression: '#status = :active AND accountId = :accountId',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':active': 'active', ':accountId': accountId, ':one': 1 },
      },
    };
  }

  private async queryGroups(accountId: string): Promise<StoredGroup[]> {
    const { pk, prefix } = groupsOfAccount(accountId);
    return (await queryAllItems(this.db, this.tableName, pk, prefix)).map(fromGroupItem);
  }
}

/** Item 0 is the group; items 1..n check the listed organizations. */
function outcome(failed: number[], checked: string[]): GroupWriteOutcome {
  if (failed.length === 0) return { ok: true };
  if (failed.includes(0)) return { ok: false, reason: 'stale' };
  const orgId = checked[(failed[0] ?? 1) - 1];
  return orgId === undefined ? { ok: false, reason: 'stale' } : { ok: false, reason: 'organization', orgId };
}

function withoutVersion(group: StoredGroup): Group {
  const { version: _version, ...rest } = group;
  return rest;
}
