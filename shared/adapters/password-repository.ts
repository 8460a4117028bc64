import { DeleteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PasswordResetLink, PasswordStore, ResetMailLimits } from '../domain/sessions/password-store.ts';
import { takeAddressMail } from './address-mail-limit.ts';
import { conditionalWrite, getItem, transactWrite } from './dynamodb.ts';
import { operatorKey } from './items/operator-item.ts';
import {
  fromPasswordResetItem,
  PASSWORD_RESET_MAIL_LIMIT_ENTITY,
  passwordResetKey,
  passwordResetMailLimitKey,
  passwordResetTokenKey,
  toPasswordResetItem,
  toPasswordResetTokenItem,
} from './items/password-reset-item.ts';

/** Operator passwords after sign-up: the hash on the operator item, the live reset link, the reset-mail limit. */
export class PasswordRepository implements PasswordStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async setPasswordHash(userId: string, passwordHash: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: operatorKey(userId),
        UpdateExpression: 'SET passwordHash = :hash',
        // Never create a half operator item for an id that has none.
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':hash': passwordHash },
      }),
    );
  }

  async saveResetLink(link: PasswordResetLink): Promise<void> {
    // Both items at once: the live link replaces the previous one (which thereby stops working), and
    // the lookup lets the reset find the operator from the token alone.
    await transactWrite(this.db, {
      TransactItems: [
        { Put: { TableName: this.tableName, Item: toPasswordResetItem(link) } },
        { Put: { TableName: this.tableName, Item: toPasswordResetTokenItem(link) } },
      ],
    });
  }

  async findResetLink(tokenHash: string): Promise<PasswordResetLink | undefined> {
    const lookup = await getItem(this.db, this.tableName, passwordResetTokenKey(tokenHash));
    if (!lookup) return undefined;
    const live = await getItem(this.db, this.tableName, passwordResetKey(fromPasswordResetItem(lookup).userId));
    const link = live ? fromPasswordResetItem(live) : undefined;
    // A lookup whose link was replaced, spent or voided names nothing.
    return link?.tokenHash === tokenHash ? link : undefined;
  }

  async consumeResetLink(userId: string, tokenHash: string, nowSeconds: number): Promise<boolean> {
    // The one write that spends the link: of concurrent resets, exactly one deletes it.
    const spent = await conditionalWrite(() =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: passwordResetKey(userId),
          ConditionExpression: 'tokenHash = :hash AND expiresAt > :now',
          ExpressionAttributeValues: { ':hash': tokenHash, ':now': nowSeconds },
        }),
      ),
    );
    if (spent) await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: passwordResetTokenKey(tokenHash) }));
    return spent;
  }

  async deleteResetLink(userId: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: passwordResetKey(userId) }));
  }

  takeResetMail(addressHash: string, nowMs: number, limits: ResetMailLimits): Promise<boolean> {
    return takeAddressMail(this.db, this.tableName, passwordResetMailLimitKey(addressHash), PASSWORD_RESET_MAIL_LIMIT_ENTITY, {
      now: nowMs,
      window: limits.windowMs,
      minInterval: limits.minIntervalMs,
      maxPerWindow: limits.maxPerWindow,
      ttlSeconds: Math.ceil((nowMs + limits.windowMs) / 1000),
    });
  }
}
