import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyStore, StoredApiKey } from '../domain/api-keys.ts';
import { apiKeyKey } from '../data/keys.ts';
import { isConditionalCheckFailed } from './dynamodb.ts';

/** Access keys by id (the authorizer's one GetItem). */
export class ApiKeyRepository implements ApiKeyStore {
  constructor(
    protected readonly db: DynamoDBDocumentClient,
    protected readonly tableName: string,
  ) {}

  async findApiKey(keyId: string): Promise<StoredApiKey | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: apiKeyKey(keyId), ConsistentRead: true }));
    if (!Item) return undefined;
    return {
      id: Item.id as string,
      accountId: Item.accountId as string,
      name: Item.name as string,
      permissions: Item.permissions as StoredApiKey['permissions'],
      organizations: Item.organizations as StoredApiKey['organizations'],
      createdAt: Item.createdAt as string,
      createdBy: Item.createdBy as string,
      revokedAt: (Item.revokedAt as string | undefined) ?? null,
      lastUsedAt: (Item.lastUsedAt as string | undefined) ?? null,
      secretHash: Item.secretHash as string,
    };
  }

  async touchApiKey(keyId: string, at: string, staleBefore: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: apiKeyKey(keyId),
          UpdateExpression: 'SET lastUsedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :stale)',
          ExpressionAttributeValues: { ':at': at, ':stale': staleBefore },
        }),
      );
    } catch (error) {
      // Another request touched it within the minute: nothing to do.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}
