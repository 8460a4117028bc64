import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Group, Organization } from '../domain/model.ts';
import { accountKey, GROUP_SK_PREFIX, organizationKey } from '../data/keys.ts';

/** Organizations (by id, tombstoned on delete) and the groups of an account. */
export class OrganizationRepository {
  constructor(
    protected readonly db: DynamoDBDocumentClient,
    protected readonly tableName: string,
  ) {}

  /** The active organization with this id; a deleted one is as good as missing. */
  async findOrganization(orgId: string): Promise<Organization | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: organizationKey(orgId), ConsistentRead: true }));
    if (!Item || Item.status !== 'active') return undefined;
    return toOrganization(Item);
  }

  /** All groups of an account: one Query on the account partition. */
  async listGroupsOfAccount(accountId: string): Promise<Group[]> {
    const groups: Group[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': accountKey(accountId).pk, ':prefix': GROUP_SK_PREFIX },
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) groups.push(toGroup(item));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return groups;
  }
}

export function toOrganization(item: Record<string, unknown>): Organization {
  return {
    id: item.id as string,
    accountId: item.accountId as string,
    name: item.name as string,
    settings: item.settings as Organization['settings'],
    status: item.status as Organization['status'],
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
  };
}

export function toGroup(item: Record<string, unknown>): Group {
  return {
    id: item.id as string,
    accountId: item.accountId as string,
    name: item.name as string,
    organizations: item.organizations as string[],
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
  };
}
