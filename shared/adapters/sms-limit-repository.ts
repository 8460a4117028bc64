import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Channel, DailyCounter, DailyShardWrite, PlannedSms, SmsLimitStore, SubjectSends } from '../domain/sign-in/sms-limits.ts';
import { conditionalWrite, isConditionalCheckFailed } from './dynamodb.ts';
import * as smsDailyShardItem from './items/sms-daily-shard-item.ts';
import * as smsSubjectItem from './items/sms-subject-item.ts';

/** The subject's send times, written only if nobody wrote since `expectedVersion` (0: the item must not exist). */
export function subjectSendsPut(tableName: string, write: PlannedSms['subject']) {
  const { expectedVersion } = write;
  return {
    Put: {
      TableName: tableName,
      Item: smsSubjectItem.toItem(write),
      ...(expectedVersion === 0
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': expectedVersion } }),
    },
  };
}

/** One more SMS on a daily shard, unless it already holds its cap. */
export function dailyShardIncrement(tableName: string, write: DailyShardWrite) {
  const { channel, counter, day, shard, cap, expiresAtSeconds } = write;
  return {
    Update: {
      TableName: tableName,
      Key: smsDailyShardItem.key(counter, day, shard, channel),
      UpdateExpression: 'ADD #count :one SET entity = :entity, #ttl = :ttl',
      ConditionExpression: 'attribute_not_exists(#count) OR #count < :cap',
      ExpressionAttributeNames: { '#count': 'count', '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':one': 1, ':cap': cap, ':entity': smsDailyShardItem.entityOf(channel), ':ttl': expiresAtSeconds },
    },
  };
}

/**
 * Every counter write of a planned SMS, for the transaction that creates its challenge: the subject's
 * sends first, then the organization's, the account's and the deployment's shard.
 */
export function plannedSmsWrites(tableName: string, planned: PlannedSms) {
  return [subjectSendsPut(tableName, planned.subject), ...planned.daily.map((write) => dailyShardIncrement(tableName, write))];
}

/**
 * SMS and sign-in e-mail counters, each channel on its own items: one item per sign-in subject (recent
 * send times) and N shards per organization, account and deployment and day.
 */
export class SmsLimitRepository implements SmsLimitStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async findSubjectSends(orgId: string, subjectHash: string, channel: Channel): Promise<SubjectSends | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: smsSubjectItem.key(orgId, subjectHash, channel), ConsistentRead: true }));
    return Item ? smsSubjectItem.fromItem(Item, channel) : undefined;
  }

  replaceSubjectSends(orgId: string, subjectHash: string, sentAt: number[], expectedVersion: number, expiresAtSeconds: number, channel: Channel): Promise<boolean> {
    return conditionalWrite(() =>
      this.db.send(new PutCommand(subjectSendsPut(this.tableName, { channel, orgId, subjectHash, sentAt, expectedVersion, expiresAtSeconds }).Put)),
    );
  }

  incrementDailyShard(write: DailyShardWrite): Promise<boolean> {
    return conditionalWrite(() =>
      this.db.send(new UpdateCommand(dailyShardIncrement(this.tableName, write).Update)),
    );
  }

  async decrementDailyShard(counter: DailyCounter, day: string, shard: number, channel: Channel): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: smsDailyShardItem.key(counter, day, shard, channel),
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
