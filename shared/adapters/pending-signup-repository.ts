import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PendingSignup, PendingSignupStore, SignupEmailLimit, SignupEmailLimitSettings } from '../domain/sessions/signup.ts';
import { takeAddressMail } from './address-mail-limit.ts';
import { isConditionalCheckFailed } from './dynamodb.ts';
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

  reserveSignupEmail(addressHash: string, nowSeconds: number, limit: SignupEmailLimitSettings): Promise<boolean> {
    return takeAddressMail(this.db, this.tableName, signupEmailLimitKey(addressHash), SIGNUP_EMAIL_LIMIT_ENTITY, {
      now: nowSeconds,
      window: limit.windowSeconds,
      minInterval: limit.minIntervalSeconds,
      maxPerWindow: limit.maxPerWindow,
      ttlSeconds: nowSeconds + limit.windowSeconds,
    });
  }
}
