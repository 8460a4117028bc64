import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyStore, StoredApiKey } from '../domain/tenancy/access-key-verifier.ts';
import { ConflictError, NotFoundError } from '../domain/kernel/errors.ts';
import type { ApiKey } from '../domain/kernel/model.ts';
import { getItem, isConditionalCheckFailed, queryGsi1Page, transactWrite, type TransactItem } from './dynamodb.ts';
import { apiKeyKey, apiKeysOfAccountPartition, fromApiKeyItem, toApiKey, toApiKeyItem } from './items/api-key-item.ts';


export interface ApiKeyPage {
  /** Never the secret nor its hash. */
  items: ApiKey[];
  lastKey: Record<string, unknown> | undefined;
}

/** Access keys by id (the authorizer's one GetItem), and per account on GSI1 for listing. */
export class ApiKeyRepository implements ApiKeyStore {
  constructor(
    protected readonly db: DynamoDBDocumentClient,
    protected readonly tableName: string,
  ) {}

  /**
   * Stores a new key (only the hash of its secret) with `extra` items (its audit event) in one
   * transaction; the put is conditional so an id collision never overwrites another key.
   */
  async createApiKey(key: StoredApiKey, extra: TransactItem[] = []): Promise<void> {
    const failed = await transactWrite(this.db, {
      TransactItems: [
        {
          Put: {
            TableName: this.tableName,
            Item: toApiKeyItem(key),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...extra,
      ],
    });
    if (failed.includes(0)) throw new Error('id collision while creating an access key');
    if (failed.length > 0) throw new ConflictError('conflict', 'The request conflicts with the current state; reload and retry.');
  }

  async findApiKey(keyId: string): Promise<StoredApiKey | undefined> {
    const item = await getItem(this.db, this.tableName, apiKeyKey(keyId));
    return item ? fromApiKeyItem(item) : undefined;
  }

  /** The keys of an account, oldest first (GSI1; eventually consistent). */
  async listApiKeysOfAccount(accountId: string, limit: number, startKey?: Record<string, unknown>): Promise<ApiKeyPage> {
    // A cursor only continues a listing of this account's keys.
    const result = await queryGsi1Page(this.db, this.tableName, apiKeysOfAccountPartition(accountId), { limit, cursor: startKey });
    return { items: result.items.map(toApiKey), lastKey: result.lastKey };
  }

  /**
   * Marks a key revoked, with `extra` items (its audit event) in the same transaction. Conditional on
   * the key existing in this account and not being revoked yet: a key of another account answers 404.
   */
  async revokeApiKey(accountId: string, keyId: string, at: string, extra: TransactItem[] = []): Promise<void> {
    const failed = await transactWrite(this.db, {
      TransactItems: [
        {
          Update: {
            TableName: this.tableName,
            Key: apiKeyKey(keyId),
            UpdateExpression: 'SET revokedAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND accountId = :account AND attribute_not_exists(revokedAt)',
            ExpressionAttributeValues: { ':at': at, ':account': accountId },
          },
        },
        ...extra,
      ],
    });
    if (failed.includes(0)) {
      const existing = await this.findApiKey(keyId);
      if (!existing || existing.accountId !== accountId) throw new NotFoundError('Key');
      throw new ConflictError('key_revoked', 'This key is already revoked.');
    }
    if (failed.length > 0) throw new ConflictError('conflict', 'The request conflicts with the current state; reload and retry.');
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
