import { ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type QueryCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import * as z from '../schemas/zod.ts';
import { UnavailableError, ValidationError } from '../domain/kernel/errors.ts';

/** One document client per process, reused across warm invocations. */
export function createDocumentClient(options: { region: string; endpoint: string | undefined }): DynamoDBDocumentClient {
  const client = new DynamoDBClient({ region: options.region, ...(options.endpoint ? { endpoint: options.endpoint } : {}) });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

type Key = Record<string, unknown>;

/** One element of a TransactWriteItems call, for callers that add their own (e.g. an audit event). */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB's limit on the items of one TransactWriteItems call. */
export const MAX_TRANSACTION_ITEMS = 100;

/**
 * An item read from the table that is not what its entity's schema says (a missing or mistyped
 * attribute). It is a 500, never data: a wrong item must not pass on as `undefined` fields.
 */
export class MalformedItemError extends Error {
  constructor(entity: string, paths: readonly string[]) {
    super(`Malformed ${entity} item: ${paths.join(', ') || '(item)'}`);
    this.name = 'MalformedItemError';
  }
}

/**
 * Reads an item through its entity's schema (shared/adapters/items/): the entity's fields, validated,
 * without the table's own attributes (keys, `entity`, `ttl`), or a `MalformedItemError` that names the
 * wrong attributes only — never their values or the item's keys (an item may hold a secret's hash, a
 * key may hold an email), since the error reaches the logs.
 */
export function parseItem<Schema extends z.ZodMiniType>(entity: string, schema: Schema, item: Record<string, unknown>): z.output<Schema> {
  const result = z.safeParse(schema, item);
  if (!result.success) throw new MalformedItemError(entity, result.error.issues.map((issue) => issue.path.map(String).join('.')));
  return result.data;
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException;
}

/**
 * Runs one conditional write: true when it was made, false when its condition refused it. Any other
 * failure throws, so a caller that gates something on it (an attempt budget: shared/domain/
 * attempt-budget.ts) fails closed.
 */
export async function conditionalWrite(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/**
 * The condition of "take one attempt" (attempt-budget.ts): the counter attribute is under its limit
 * (a number, or another attribute of the item such as a challenge's `maxAttempts`). Put into the
 * ConditionExpression of the write that adds one to the counter, so the check and the spend are
 * one atomic write.
 */
export function attemptTakeCondition(counter: string, limit: number | { attribute: string }): { condition: string; names: Record<string, string>; values: Record<string, unknown> } {
  const names = { '#attempts': counter, ...(typeof limit === 'number' ? {} : { '#attemptLimit': limit.attribute }) };
  if (typeof limit === 'number') return { condition: '(attribute_not_exists(#attempts) OR #attempts < :attemptLimit)', names, values: { ':attemptLimit': limit } };
  return { condition: '#attempts < #attemptLimit', names, values: {} };
}

/**
 * Claims a notice once per period: sets `attribute` to `until` when it is absent or its period is
 * over (≤ `now`) and `condition` (if any) holds. Of concurrent claimers exactly one gets true: the
 * lockout metric and event are raised once per locked subject, not once per refused attempt.
 */
export function claimOnce(
  db: DynamoDBDocumentClient,
  tableName: string,
  key: Key,
  claim: { attribute: string; until: number; now: number; condition?: string; values?: Record<string, unknown> },
): Promise<boolean> {
  return conditionalWrite(() =>
    db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: 'SET #notice = :until',
        ConditionExpression: `attribute_exists(pk) AND (attribute_not_exists(#notice) OR #notice <= :now)${claim.condition ? ` AND (${claim.condition})` : ''}`,
        ExpressionAttributeNames: { '#notice': claim.attribute },
        ExpressionAttributeValues: { ':until': claim.until, ':now': claim.now, ...claim.values },
      }),
    ),
  );
}

/**
 * Runs a transaction and answers which of its items failed their condition (empty when it committed).
 * DynamoDB cancels a transaction that races another one on the same item (`TransactionConflict`)
 * without evaluating our conditions, so those are retried a few times before giving up with a 503.
 * This is the one place where a cancelled transaction becomes a domain answer.
 */
export async function transactWrite(documentClient: DynamoDBDocumentClient, input: TransactWriteCommandInput): Promise<number[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      await documentClient.send(new TransactWriteCommand(input));
      return [];
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const failed = reasons.flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : []));
      if (failed.length > 0) return failed;
      const conflict = reasons.some((reason) => reason.Code === 'TransactionConflict');
      if (!conflict || attempt >= 4) throw conflict ? new UnavailableError(1) : error;
      await new Promise((done) => setTimeout(done, 10 * 2 ** attempt + Math.random() * 20));
    }
  }
}

export interface ItemPage {
  items: Record<string, unknown>[];
  lastKey: Key | undefined;
}

/** A client's cursor that does not continue the listing it is sent to: a 400 naming `query.cursor`, never a 500. */
export const invalidCursor = () => new ValidationError([{ field: 'query.cursor', message: 'is not a valid cursor' }]);

/**
 * One page of a GSI1 partition in sort-key order. The cursor (a LastEvaluatedKey handed back to the
 * client) must continue this very partition: its `gsi1pk` is the partition and it holds exactly the
 * four key attributes, with a table `pk` starting with `pkPrefix` when one is given.
 */
export async function queryGsi1Page(
  db: DynamoDBDocumentClient,
  tableName: string,
  partition: string,
  page: { limit: number; cursor?: Key | undefined },
  pkPrefix?: string,
): Promise<ItemPage> {
  const cursor = page.cursor;
  if (
    cursor &&
    (cursor.gsi1pk !== partition ||
      typeof cursor.gsi1sk !== 'string' ||
      typeof cursor.pk !== 'string' ||
      typeof cursor.sk !== 'string' ||
      (pkPrefix !== undefined && !cursor.pk.startsWith(pkPrefix)) ||
      Object.keys(cursor).length !== 4)
  ) {
    throw invalidCursor();
  }
  const result = await db.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': partition },
      Limit: page.limit,
      ExclusiveStartKey: cursor,
    }),
  );
  return { items: result.Items ?? [], lastKey: result.LastEvaluatedKey };
}

/** One page of a `begins_with` Query on the table; a cursor must continue this very listing. */
export async function queryPrefixPage(
  db: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  prefix: string,
  page: { limit: number; cursor?: Key | undefined },
): Promise<ItemPage> {
  const cursor = page.cursor;
  if (cursor && (cursor.pk !== pk || typeof cursor.sk !== 'string' || !cursor.sk.startsWith(prefix) || Object.keys(cursor).length !== 2)) throw invalidCursor();
  const result = await db.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
      Limit: page.limit,
      ExclusiveStartKey: cursor,
    }),
  );
  return { items: result.Items ?? [], lastKey: result.LastEvaluatedKey };
}

/**
 * Strongly consistent BatchGetItem of any number of keys (100 per call), asking again for exactly the
 * keys DynamoDB left unprocessed; still unprocessed after five tries is a 503. Items come back in no
 * particular order, missing ones are simply absent.
 */
export async function batchGetItems(db: DynamoDBDocumentClient, tableName: string, keys: Key[]): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  for (let start = 0; start < keys.length; start += 100) {
    let pending = keys.slice(start, start + 100);
    for (let attempt = 0; pending.length > 0 && attempt < 5; attempt++) {
      const result = await db.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }));
      found.push(...(result.Responses?.[tableName] ?? []));
      pending = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
    if (pending.length > 0) throw new UnavailableError(1);
  }
  return found;
}

/** One strongly consistent GetItem. */
export async function getItem(db: DynamoDBDocumentClient, tableName: string, key: Key): Promise<Record<string, unknown> | undefined> {
  return (await db.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
}

/** Every item a Query answers, page after page until the last (DynamoDB pages at 1 MB). */
async function queryEveryPage(db: DynamoDBDocumentClient, input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new QueryCommand({ ...input, ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** Every item of a partition whose sort key starts with `prefix`: strongly consistent Queries until the last page. */
export function queryAllItems(db: DynamoDBDocumentClient, tableName: string, pk: string, prefix: string): Promise<Record<string, unknown>[]> {
  return queryEveryPage(db, {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
    ConsistentRead: true,
  });
}

/**
 * Every item of a GSI1 partition (eventually consistent, as any GSI read), Queries until the last page;
 * `filter` drops items server-side (they still count against the read).
 */
export function queryAllGsi1Items(
  db: DynamoDBDocumentClient,
  tableName: string,
  partition: string,
  filter?: { expression: string; values: Record<string, unknown> },
): Promise<Record<string, unknown>[]> {
  return queryEveryPage(db, {
    TableName: tableName,
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ...(filter ? { FilterExpression: filter.expression } : {}),
    ExpressionAttributeValues: { ':pk': partition, ...filter?.values },
  });
}

/** Deletes the keys, 25 a BatchWriteItem, asking again (with backoff) for what DynamoDB left unprocessed; a 503 after five tries. */
export async function batchDeleteItems(db: DynamoDBDocumentClient, tableName: string, keys: Key[]): Promise<void> {
  for (let start = 0; start < keys.length; start += 25) {
    let pending = keys.slice(start, start + 25).map((key) => ({ DeleteRequest: { Key: key } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= 5) throw new UnavailableError(1);
      if (attempt > 0) await new Promise((done) => setTimeout(done, 20 * 2 ** attempt));
      const result = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (result.UnprocessedItems?.[tableName] ?? []) as typeof pending;
    }
  }
}
