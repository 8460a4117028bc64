import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import type { AuditEvent } from '../domain/kernel/audit-events.ts';
import type { EventQuery } from '../domain/tenancy/audit-log.ts';
import { auditEventShards, auditEventsOfAccountPartition, auditEventsOfOrganizationPartition, auditLogOfAccount, auditLogOfOrganization } from '../data/keys.ts';
import { invalidCursor, MalformedItemError } from './dynamodb.ts';
import { fromAuditEventItem, toAuditEventItem } from './items/audit-event-item.ts';

/**
 * The item for an audit event, for inclusion in the same TransactWriteItems as the change it records
 * (so a change is never committed without its event). It expires (DynamoDB TTL) after the configured
 * retention, `AUDIT_RETENTION_DAYS` (default 400).
 */
export function auditEventPut(tableName: string, event: AuditEvent, retentionDays = config().auditRetentionDays) {
  return {
    Put: { TableName: tableName, Item: toAuditEventItem(event, retentionDays) },
  };
}

export interface EventPage {
  items: AuditEvent[];
  /** Opaque, for `cursor`: the log read and the sort key the next page continues strictly below. */
  lastKey: Record<string, unknown> | undefined;
}

/** An event's sort key: `<ISO time, UTC>#<event id>`. A cursor must carry one. */
const SORT_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z#[A-Za-z0-9_-]{1,100}$/;

/**
 * Queries one shard may make for one page. With a `type` filter a shard may need several Queries to
 * find a page of matches; the cap bounds a page's time and cost for a rare type in a large log (the
 * page then comes back short, with a cursor, as DynamoDB's own filtered pages do). Each Query asks for
 * twice the items of the one before, up to `MAX_ITEMS_PER_QUERY`.
 */
const MAX_QUERIES_PER_SHARD = 6;
const MAX_ITEMS_PER_QUERY = 1000;

interface ShardRead {
  /** Matching events of the shard, newest first, with their sort keys. */
  items: { sortKey: string; event: AuditEvent }[];
  /**
   * Undefined when the shard has nothing more in range; otherwise the sort key of the last item it
   * evaluated: every event of the shard at or above it is in `items` (if it matched), none below is.
   */
  frontier: string | undefined;
}

/** Writes and reads audit events; reads are newest first. */
export class AuditRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** For events that stand alone (sign-ins); changes should use `auditEventPut` in their transaction. */
  async recordEvent(event: AuditEvent): Promise<void> {
    await this.db.send(new PutCommand(auditEventPut(this.tableName, event).Put));
  }

  /**
   * Events of an account (or of one organization via GSI1), newest first, within [from, to]. An
   * organization's events are also filtered on `accountId`, so an organization id of another account
   * can never read that account's events even if a caller got past access control.
   *
   * The log is spread over `AUDIT_EVENT_SHARDS` partitions (keys.ts), so a page queries every shard in
   * parallel (newest first, `Limit` = the page size + 1) and merges by sort key. An event is only
   * emitted once every shard is known down to its sort key: a shard that stopped early (it had more
   * than a page of matches, or hit `MAX_QUERIES_PER_SHARD`) has a frontier, and nothing older than the
   * highest frontier is emitted on this page. Without a `type` filter that is N Queries of at most
   * `limit + 1` items per page (eventually consistent: about N × (limit + 1) × item size / 8 KB read
   * units: a page of 50 events of ~0.5 KB reads ~28 RRU instead of ~3.5 from one partition); a filter
   * that leaves shards short costs more Queries on those shards, never a short page while they have
   * matches within the cap. The cursor names the log and the last sort key emitted; the next page
   * continues strictly below it in every shard.
   */
  async listEvents(query: EventQuery): Promise<EventPage> {
    const byOrganization = query.organizationId !== undefined;
    const [pkName, skName] = byOrganization ? ['gsi1pk', 'gsi1sk'] : ['pk', 'sk'];
    const log = byOrganization ? auditLogOfOrganization(query.organizationId ?? '') : auditLogOfAccount(query.accountId);
    const before = query.startKey ? cursorPosition(query.startKey, pkName, skName, log) : undefined;
    // Sort keys are `<ISO time>#<id>`; '~' sorts after every id character, so `to` is inclusive.
    const lower = query.from ?? '0';
    const to = `${query.to ?? '9999'}~`;
    // BETWEEN is inclusive: the event at the cursor itself is dropped from the results below.
    const upper = before !== undefined && before < to ? before : to;
    if (upper < lower) return { items: [], lastKey: undefined };

    const shards = await Promise.all(
      auditEventShards().map((shard) =>
        this.readShard(query, {
          byOrganization,
          pkName,
          skName,
          partition: byOrganization ? auditEventsOfOrganizationPartition(query.organizationId ?? '', shard) : auditEventsOfAccountPartition(query.accountId, shard),
          lower,
          upper,
          before,
        }),
      ),
    );
    const frontiers = shards.flatMap((shard) => (shard.frontier === undefined ? [] : [shard.frontier]));
    const bound = frontiers.length ? frontiers.reduce((highest, frontier) => (frontier > highest ? frontier : highest)) : undefined;
    const known = shards
      .flatMap((shard) => shard.items)
      .filter((item) => bound === undefined || item.sortKey >= bound)
      .sort((a, b) => (a.sortKey < b.sortKey ? 1 : a.sortKey > b.sortKey ? -1 : 0));
    const page = known.slice(0, query.limit);
    const last = page.at(-1);
    let continueBelow: string | undefined;
    if (page.length === query.limit && last && (known.length > query.limit || bound !== undefined)) continueBelow = last.sortKey;
    // A short page with shards left unread: everything at or above the bound has been seen.
    else if (page.length < query.limit && bound !== undefined) continueBelow = bound;
    return {
      items: page.map((item) => item.event),
      lastKey: continueBelow === undefined ? undefined : { [pkName]: log, [skName]: continueBelow },
    };
  }

  /** One shard's matches, newest first: until it has more than `limit`, is exhausted, or hits the cap. */
  private async readShard(
    query: EventQuery,
    shard: { byOrganization: boolean; pkName: string; skName: string; partition: string; lower: string; upper: string; before: string | undefined },
  ): Promise<ShardRead> {
    const { byOrganization, pkName, skName, partition, lower, upper, before } = shard;
    const filters = [...(query.type ? ['#type = :type'] : []), ...(byOrganization ? ['#account = :account'] : [])];
    const items: ShardRead['items'] = [];
    let startKey: Record<string, unknown> | undefined;
    for (let call = 0; call < MAX_QUERIES_PER_SHARD; call++) {
      const result = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          ...(byOrganization ? { IndexName: 'gsi1' } : {}),
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lower AND :upper',
          ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
          ExpressionAttributeNames: {
            '#pk': pkName,
            '#sk': skName,
            ...(query.type ? { '#type': 'type' } : {}),
            ...(byOrganization ? { '#account': 'accountId' } : {}),
          },
          ExpressionAttributeValues: {
            ':pk': partition,
            ':lower': lower,
            ':upper': upper,
            ...(query.type ? { ':type': query.type } : {}),
            ...(byOrganization ? { ':account': query.accountId } : {}),
          },
          ScanIndexForward: false,
          // A page and one: a shard that stops with more than a page proves there is a next page, so
          // the last page never comes back empty. One more on a continued page's first Query: the
          // cursor's own event may come first.
          Limit: Math.min((query.limit + 1) * 2 ** call + (call === 0 && before !== undefined ? 1 : 0), MAX_ITEMS_PER_QUERY),
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of result.Items ?? []) {
        const sortKey = sortKeyOf(item, skName);
        if (sortKey === before) continue;
        items.push({ sortKey, event: fromAuditEventItem(item) });
      }
      startKey = result.LastEvaluatedKey;
      if (!startKey || items.length > query.limit) break;
    }
    return { items, frontier: startKey ? sortKeyOf(startKey, skName) : undefined };
  }
}

/**
 * The sort key a cursor continues below. A cursor is only good for the log it came from (this
 * account's, or this organization's in GSI1): anything else is a 400 naming `query.cursor`.
 */
function cursorPosition(key: Record<string, unknown>, pkName: string, skName: string, log: string): string {
  const position = key[skName];
  if (Object.keys(key).length !== 2 || key[pkName] !== log || typeof position !== 'string' || !SORT_KEY.test(position)) {
    throw invalidCursor();
  }
  return position;
}

/** The sort key (table or GSI1) of an event item or of the last key of a Query. */
function sortKeyOf(item: Record<string, unknown>, skName: string): string {
  const sortKey = item[skName];
  if (typeof sortKey !== 'string') throw new MalformedItemError('AuditEvent', [skName]);
  return sortKey;
}
