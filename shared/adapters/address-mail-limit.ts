import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ItemKey } from '../data/keys.ts';
import { conditionalWrite } from './dynamodb.ts';

/**
 * One per-address mail limit: at most `maxPerWindow` mails in a window that opens with its first
 * mail, and `minInterval` between two. `now`, `window` and `minInterval` share whatever unit the
 * item was written in (the sign-up limit counts seconds, the reset limit milliseconds).
 */
export interface AddressMailWindow {
  now: number;
  window: number;
  minInterval: number;
  maxPerWindow: number;
  /** DynamoDB TTL of the item, epoch seconds (it only cleans up). */
  ttlSeconds: number;
}

/**
 * Takes one mail of the address's allowance, or answers false. Two conditional writes, each atomic:
 * a burst at one address gets at most one mail through, since every write sets `lastSentAt` and both
 * require it to be `minInterval` old. Used by the sign-up and the password-reset mail limits (keys in shared/data/keys.ts).
 */
export async function takeAddressMail(db: DynamoDBDocumentClient, tableName: string, Key: ItemKey, entity: string, limit: AddressMailWindow): Promise<boolean> {
  const windowOpen = limit.now - limit.window;
  const intervalOpen = limit.now - limit.minInterval;
  // First: a new window, when there is none or the last one is over.
  const opened = await conditionalWrite(() =>
    db.send(
      new UpdateCommand({
        TableName: tableName,
        Key,
        UpdateExpression: 'SET windowStart = :now, sent = :one, lastSentAt = :now, entity = :entity, #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(pk) OR (windowStart <= :windowOpen AND lastSentAt <= :intervalOpen)',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':now': limit.now, ':one': 1, ':entity': entity, ':ttl': limit.ttlSeconds, ':windowOpen': windowOpen, ':intervalOpen': intervalOpen },
      }),
    ),
  );
  if (opened) return true;
  // Then: one more in the current window, while under its maximum and the interval has passed.
  return conditionalWrite(() =>
    db.send(
      new UpdateCommand({
        TableName: tableName,
        Key,
        UpdateExpression: 'SET lastSentAt = :now ADD sent :one',
        ConditionExpression: 'windowStart > :windowOpen AND sent < :max AND lastSentAt <= :intervalOpen',
        ExpressionAttributeValues: { ':now': limit.now, ':one': 1, ':max': limit.maxPerWindow, ':windowOpen': windowOpen, ':intervalOpen': intervalOpen },
      }),
    ),
  );
}
