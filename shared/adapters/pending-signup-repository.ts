import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PendingSignup, PendingSignupStore, SignupEmailLimit, SignupEmailLimitSettings } from '../domain/sessions/signup.ts';
import { conditionalWrite, isConditionalCheckFailed } from './dynamodb.ts';
import { fromPendingSignupItem, pendingSignupKey, toPendingSignupItem } from './items/pending-signup-item.ts';
import { signupEmailLimitKey } from '../data/keys.ts';

const SIGNUP_EMAIL_LIMIT_ENTITY = 'SignupEmailLimit';

/**
 * Pending `verify-email` sign-ups (one item per token hash) and the per-address budget of sign-up
 * e-mails (one item per address hash: the current window's start and count and the last send).
 */
export class PendingSignupRepository implements PendingSignupStore, SignupEmailLimit {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createPendingSignup(pending: PendingSignup): Promise<void> {
    const ttl = Math.floor(Date.parse(pending.expiresAt) / 1000);
    await this.db.send(
      new PutCommand({ TableName: this.tableName, Item: toPendingSignupItem(pending, ttl), ConditionExpression: 'attribute_not_exists(pk)' }),
    );
  }

  async consumePendingSignup(tokenHash: string, at: string): Promise<PendingSignup | undefined> {
    // Single use: the delete is conditional on the item being there and unexpired (TTL deletes
    // late), and answers the item it deleted, so of concurrent verifies exactly one gets it.
    try {
      const result = await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: pendingSignupKey(tokenHash),
          ConditionExpression: 'attribute_exists(pk) AND expiresAt > :at',
          ExpressionAttributeValues: { ':at': at },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return result.Attributes ? fromPendingSignupItem(result.Attributes) : undefined;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  async reserveSignupEmail(addressHash: string, nowSeconds: number, limit: SignupEmailLimitSettings): Promise<boolean> {
    const Key = signupEmailLimitKey(addressHash);
    const windowOpenedBefore = nowSeconds - limit.windowSeconds;
    const spacedSince = nowSeconds - limit.minIntervalSeconds;
    // Two conditional writes, each atomic: a burst at one address gets at most one e-mail through,
    // since every write sets `lastSentAt` and both require it to be a minute old.
    // First: a new window, when there is none or the last one is over.
    const opened = await conditionalWrite(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key,
          UpdateExpression: 'SET windowStart = :now, lastSentAt = :now, sent = :one, entity = :entity, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(pk) OR (windowStart <= :windowOpenedBefore AND lastSentAt <= :spacedSince)',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':now': nowSeconds,
            ':one': 1,
            ':entity': SIGNUP_EMAIL_LIMIT_ENTITY,
            ':ttl': nowSeconds + limit.windowSeconds,
            ':windowOpenedBefore': windowOpenedBefore,
            ':spacedSince': spacedSince,
          },
        }),
      ),
    );
    if (opened) return true;
    // Then: one more in the current window, while under its maximum.
    return conditionalWrite(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key,
          UpdateExpression: 'SET lastSentAt = :now ADD sent :one',
          ConditionExpression: 'windowStart > :windowOpenedBefore AND lastSentAt <= :spacedSince AND sent < :max',
          ExpressionAttributeValues: { ':now': nowSeconds, ':one': 1, ':max': limit.maxPerWindow, ':windowOpenedBefore': windowOpenedBefore, ':spacedSince': spacedSince },
        }),
      ),
    );
  }
}
