import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LoginAttempts, LoginThrottleStore } from '../domain/sessions/login-throttle-store.ts';
import { claimOnce, conditionalWrite, getItem } from './dynamodb.ts';
import { fromLoginThrottleItem, LOGIN_THROTTLE_ENTITY, loginThrottleKey, toLoginThrottleItem } from './items/login-throttle-item.ts';

/** One item per email: the attempt times and a version for the rare prune-and-replace. */
export class LoginThrottleRepository implements LoginThrottleStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  appendLoginAttempt(email: string, at: number, max: number, expiresAt: number): Promise<boolean> {
    // The take of the password's attempt budget (attempt-budget.ts), one atomic write: append only
    // while fewer than `max` are recorded, so concurrent requests cannot all pass a read-then-write
    // check; the password is verified only after it succeeded.
    return conditionalWrite(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: loginThrottleKey(email),
          UpdateExpression: 'SET attempts = list_append(if_not_exists(attempts, :empty), :at), #ttl = :ttl, entity = :entity ADD version :one',
          ConditionExpression: 'attribute_not_exists(attempts) OR size(attempts) < :max',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':empty': [], ':at': [at], ':ttl': expiresAt, ':entity': LOGIN_THROTTLE_ENTITY, ':one': 1, ':max': max },
        }),
      ),
    );
  }

  async findLoginAttempts(email: string): Promise<LoginAttempts | undefined> {
    const item = await getItem(this.db, this.tableName, loginThrottleKey(email));
    return item ? fromLoginThrottleItem(item) : undefined;
  }

  replaceLoginAttempts(email: string, attempts: number[], expectedVersion: number, expiresAt: number): Promise<boolean> {
    return conditionalWrite(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toLoginThrottleItem(email, { attempts, version: expectedVersion + 1 }, expiresAt),
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      ),
    );
  }

  noticeLoginLock(email: string, lockedUntil: number, now: number): Promise<boolean> {
    return claimOnce(this.db, this.tableName, loginThrottleKey(email), { attribute: 'lockNotice', until: lockedUntil, now });
  }

  async clearLoginAttempts(email: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: loginThrottleKey(email) }));
  }
}
