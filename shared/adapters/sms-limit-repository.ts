import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { smsDailyShardKey, smsSubjectLimitKey } from '../data/keys.ts';
import type { PlannedSms, SmsLimitStore, SubjectSends } from '../domain/sms-limits.ts';
import { isConditionalCheckFailed } from './dynamodb.ts';

/** The subject's send times, written only if nobody wrote since `expectedVersion` (0: the item must not exist). */
export function subjectSendsPut(tableName: string, write: PlannedSms['subject']) {
  const { orgId, subjectHash, sentAt, expectedVersion, expiresAtSeconds } = write;
  return {
    Put: {
      TableName: tableName,
      Item: { ...smsSubjectLimitKey(orgId, subjectHash), entity: 'SmsSubjectLimit', sentAt, version: expectedVersion + 1, ttl: expiresAtSeconds },
      ...(expectedVersion === 0
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': expectedVersion } }),
    },
  };
}

/** One more SMS on a daily shard, unless it already holds its cap. */
export function dailyShardIncrement(tableName: string, write: PlannedSms['daily']) {
  const { orgId, day, shard, cap, expiresAtSeconds } = write;
  return {
    Update: {
      TableName: tableName,
      Key: smsDailyShardKey(orgId, day, shard),
      UpdateExpression: 'ADD #count :one SET entity = :entity, #ttl = :ttl',
      ConditionExpression: 'attribute_not_exists(#count) OR #count < :cap',
      ExpressionAttributeNames: { '#count': 'count', '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':one': 1, ':cap': cap, ':entity': 'SmsDailyShard', ':ttl': expiresAtSeconds },
    },
  };
}

/** SMS counters: one item per sign-in subject (recent send times) and N shards per organization and day. */
export class SmsLimitRepository implements SmsLimitStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async findSubjectSends(orgId: string, subjectHash: string): Promise<SubjectSends | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: smsSubjectLimitKey(orgId, subjectHash), ConsistentRead: true }));
    return Item ? toSubjectSends(Item) : undefined;
  }

  async replaceSubjectSends(orgId: string, subjectHash: string, sentAt: number[], expectedVersion: number, expiresAtSeconds: number): Promise<boolean> {
    try {
      await this.db.send(new PutCommand(subjectSendsPut(this.tableName, { orgId, subjectHash, sentAt, expectedVersion, expiresAtSeconds }).Put));
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async incrementDailyShard(orgId: string, day: string, shard: number, cap: number, expiresAtSeconds: number): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand(dailyShardIncrement(this.tableName, { orgId, day, shard, cap, expiresAtSeconds }).Update));
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async decrementDailyShard(orgId: string, day: string, shard: number): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: smsDailyShardKey(orgId, day, shard),
          UpdateExpression: 'ADD #count :minusOne',
          ConditionExpression: '#count > :zero',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}

export function toSubjectSends(item: Record<string, unknown>): SubjectSends {
  return { sentAt: item.sentAt as number[], version: item.version as number };
}
