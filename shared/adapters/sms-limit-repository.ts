import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { smsAccountDailyShardKey, smsDailyShardKey, smsDeploymentDailyShardKey, smsSubjectLimitKey, type ItemKey } from '../data/keys.ts';
import type { DailyCounter, DailyShardWrite, PlannedSms, SmsLimitStore, SubjectSends } from '../domain/sign-in/sms-limits.ts';
import { conditionalWrite, isConditionalCheckFailed } from './dynamodb.ts';

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

/** The item of one shard of a daily count (organization, account or deployment). */
function dailyShardKey(counter: DailyCounter, day: string, shard: number): ItemKey {
  switch (counter.level) {
    case 'organization':
      return smsDailyShardKey(counter.id, day, shard);
    case 'account':
      return smsAccountDailyShardKey(counter.id, day, shard);
    case 'deployment':
      return smsDeploymentDailyShardKey(day, shard);
  }
}

/** One more SMS on a daily shard, unless it already holds its cap. */
export function dailyShardIncrement(tableName: string, write: DailyShardWrite) {
  const { counter, day, shard, cap, expiresAtSeconds } = write;
  return {
    Update: {
      TableName: tableName,
      Key: dailyShardKey(counter, day, shard),
      UpdateExpression: 'ADD #count :one SET entity = :entity, #ttl = :ttl',
      ConditionExpression: 'attribute_not_exists(#count) OR #count < :cap',
      ExpressionAttributeNames: { '#count': 'count', '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':one': 1, ':cap': cap, ':entity': 'SmsDailyShard', ':ttl': expiresAtSeconds },
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

/** SMS counters: one item per sign-in subject (recent send times) and N shards per organization, account and deployment and day. */
export class SmsLimitRepository implements SmsLimitStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async findSubjectSends(orgId: string, subjectHash: string): Promise<SubjectSends | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: smsSubjectLimitKey(orgId, subjectHash), ConsistentRead: true }));
    return Item ? toSubjectSends(Item) : undefined;
  }

  replaceSubjectSends(orgId: string, subjectHash: string, sentAt: number[], expectedVersion: number, expiresAtSeconds: number): Promise<boolean> {
    return conditionalWrite(() =>
      this.db.send(new PutCommand(subjectSendsPut(this.tableName, { orgId, subjectHash, sentAt, expectedVersion, expiresAtSeconds }).Put)),
    );
  }

  incrementDailyShard(write: DailyShardWrite): Promise<boolean> {
    return conditionalWrite(() =>
      this.db.send(new UpdateCommand(dailyShardIncrement(this.tableName, write).Update)),
    );
  }

  async decrementDailyShard(counter: DailyCounter, day: string, shard: number): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: dailyShardKey(counter, day, shard),
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
