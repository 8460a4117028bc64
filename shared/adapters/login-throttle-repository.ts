import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LoginAttempts, LoginThrottleStore } from '../domain/ports.ts';
import { loginThrottleKey } from '../data/keys.ts';
import { isConditionalCheckFailed } from './dynamodb.ts';

/** One item per email with the attempt times of the current window and a version for optimistic locking. */
export class LoginThrottleRepository implements LoginThrottleStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async findLoginAttempts(email: string): Promise<LoginAttempts | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: loginThrottleKey(email), ConsistentRead: true }));
    return Item ? { attempts: Item.attempts as number[], version: Item.version as number } : undefined;
  }

  async saveLoginAttempts(email: string, attempts: number[], expectedVersion: number | undefined, expiresAt: number): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...loginThrottleKey(email), entity: 'LoginThrottle', attempts, version: (expectedVersion ?? 0) + 1, ttl: expiresAt },
          ...(expectedVersion === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': expectedVersion } }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async clearLoginAttempts(email: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: loginThrottleKey(email) }));
  }
}
