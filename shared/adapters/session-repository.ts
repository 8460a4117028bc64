import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RefreshFamily, RefreshTokenRecord } from '../domain/kernel/model.ts';
import type { RepeatOutcome, RotateOutcome, SessionStore } from '../domain/sessions/session-store.ts';
import { getItem, isConditionalCheckFailed, queryAllGsi1Items, transactWrite, type TransactItem } from './dynamodb.ts';
import {
  fromRefreshFamilyItem,
  fromRefreshTokenItem,
  refreshFamilyKey,
  refreshTokenKey,
  sessionsOfUserPartition,
  toRefreshFamilyItem,
  toRefreshTokenItem,
} from './items/session-item.ts';

/** Refresh tokens (by hash) and their families. DynamoDB TTL cleans both up after expiry. */
export class SessionRepository implements SessionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createFamily(family: RefreshFamily, token: RefreshTokenRecord): Promise<void> {
    const TableName = this.tableName;
    await transactWrite(this.db, {
      TransactItems: [
        { Put: { TableName, Item: toRefreshFamilyItem(family), ConditionExpression: 'attribute_not_exists(pk)' } },
        { Put: { TableName, Item: toRefreshTokenItem(token), ConditionExpression: 'attribute_not_exists(pk)' } },
      ],
    }).then((failed) => {
      if (failed.length > 0) throw new Error('refresh token id collision');
    });
  }

  async findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const item = await getItem(this.db, this.tableName, refreshTokenKey(tokenHash));
    return item ? fromRefreshTokenItem(item) : undefined;
  }

  async findFamily(familyId: string): Promise<RefreshFamily | undefined> {
    const item = await getItem(this.db, this.tableName, refreshFamilyKey(familyId));
    return item ? fromRefreshFamilyItem(item) : undefined;
  }

  async rotateRefreshToken(oldTokenHash: string, next: RefreshTokenRecord, nowSeconds: number, usedAt: string): Promise<RotateOutcome> {
    const TableName = this.tableName;
    // Spend-and-replace is one transaction whose condition is "still active, not expired, family live
    // (not revoked, not past its absolute end)": of N concurrent uses of one token exactly one
    // commits; the others see it spent. The family's `lastUsedAt` moves in the same write, so the
    // idle clock costs no extra round trip.
    const failed = await transactWrite(this.db, {
      TransactItems: [
        {
          Update: {
            TableName,
            Key: refreshTokenKey(oldTokenHash),
            // `usedAt` and `nextHash` are what the rotation grace reads when this token comes back.
            UpdateExpression: 'SET #status = :used, usedAt = :now, nextHash = :next',
            ConditionExpression: 'attribute_exists(pk) AND #status = :active AND expiresAt > :now',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':used': 'used', ':active': 'active', ':now': nowSeconds, ':next': next.tokenHash },
          },
        },
        ...this.familyGoesOn(next, nowSeconds, usedAt),
      ],
    });
    if (failed.length === 0) return 'rotated';
    if (failed.includes(1)) {
      return this.familyRefusal(next.familyId, nowSeconds);
    }
    const current = await this.findRefreshToken(oldTokenHash);
    if (!current) return 'not_found';
    if (current.status !== 'active') return 'reused';
    return current.expiresAt <= nowSeconds ? 'expired' : 'not_found';
  }

  /** The family's touch (live, unexpired) and the new child's put: the last two items of a rotation and of a repeat. */
  private familyGoesOn(next: RefreshTokenRecord, nowSeconds: number, usedAt: string): TransactItem[] {
    const TableName = this.tableName;
    return [
      {
        Update: {
          TableName,
          Key: refreshFamilyKey(next.familyId),
          UpdateExpression: 'SET lastUsedAt = :usedAt',
          ConditionExpression: 'attribute_exists(pk) AND revoked = :false AND expiresAt > :now',
          ExpressionAttributeValues: { ':false': false, ':now': nowSeconds, ':usedAt': usedAt },
        },
      },
      { Put: { TableName, Item: toRefreshTokenItem(next), ConditionExpression: 'attribute_not_exists(pk)' } },
    ];
  }

  /** Why the family's condition failed: expired, or revoked (or gone). */
  private async familyRefusal(familyId: string, nowSeconds: number): Promise<'expired' | 'revoked'> {
    const family = await this.findFamily(familyId);
    return family && !family.revoked && family.expiresAt <= nowSeconds ? 'expired' : 'revoked';
  }

  async repeatRefreshToken(
    spentHash: string,
    successorHash: string,
    next: RefreshTokenRecord,
    nowSeconds: number,
    spentAfter: number,
    usedAt: string,
  ): Promise<RepeatOutcome> {
    const TableName = this.tableName;
    // Every condition in the one write: of N concurrent repeats of one token exactly one finds it
    // unrepeated and its successor active; the family can never fork into two live branches.
    const failed = await transactWrite(this.db, {
      TransactItems: [
        {
          Update: {
            TableName,
            Key: refreshTokenKey(spentHash),
            UpdateExpression: 'SET repeatedAt = :now, nextHash = :next',
            ConditionExpression: 'attribute_exists(pk) AND #status = :used AND usedAt > :after AND attribute_not_exists(repeatedAt) AND nextHash = :successor',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':used': 'used', ':after': spentAfter, ':now': nowSeconds, ':next': next.tokenHash, ':successor': successorHash },
          },
        },
        {
          Update: {
            TableName,
            Key: refreshTokenKey(successorHash),
            UpdateExpression: 'SET #status = :superseded, usedAt = :now',
            ConditionExpression: 'attribute_exists(pk) AND #status = :active AND expiresAt > :now',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':superseded': 'superseded', ':active': 'active', ':now': nowSeconds },
          },
        },
        ...this.familyGoesOn(next, nowSeconds, usedAt),
      ],
    });
    if (failed.length === 0) return 'repeated';
    if (failed.includes(2)) {
      return this.familyRefusal(next.familyId, nowSeconds);
    }
    if (failed.includes(0)) {
      const spent = await this.findRefreshToken(spentHash);
      return spent?.repeatedAt !== undefined ? 'already_repeated' : 'outside_grace';
    }
    return 'moved_on';
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: refreshFamilyKey(familyId),
        UpdateExpression: 'SET revoked = :true',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':true': true },
      }),
    ).catch((error: unknown) => {
      // Already gone (expired and swept): nothing left to revoke.
      if (!isConditionalCheckFailed(error)) throw error;
    });
  }

  async listLiveFamilies(userId: string, nowSeconds: number): Promise<RefreshFamily[]> {
    // Revoked and expired families stay in the index until TTL sweeps them: the filter drops them
    // server-side (they still count against the read, which a person's handful of sessions affords).
    const items = await queryAllGsi1Items(this.db, this.tableName, sessionsOfUserPartition(userId), {
      expression: 'revoked = :false AND expiresAt > :now',
      values: { ':false': false, ':now': nowSeconds },
    });
    return items.map(fromRefreshFamilyItem);
  }
}
