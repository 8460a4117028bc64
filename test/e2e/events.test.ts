import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { auditEventPut } from '#shared/adapters/audit-repository.ts';
import { config } from '#shared/config.ts';
import { documentClient } from '#shared/compose/runtime.ts';
import { auditRepository } from '#shared/compose/shared.ts';
import {
  AUDIT_EVENT_SHARDS,
  auditEventKey,
  auditEventShard,
  auditEventShards,
  auditEventsOfAccountPartition,
  auditEventsOfOrganizationPartition,
} from '#shared/data/keys.ts';
import { AUDIT_RETENTION_DAYS, auditEvent, type AuditEvent } from '#shared/domain/kernel/audit-events.ts';
import { encodeCursor } from '#shared/http/pagination.ts';
import type { RequestQuery, SuccessBody } from '#client/index.ts';
import { AuditEventList } from '#shared/schemas/events.ts';
import { createKey, createOrganization, rawItem, recordEvent } from '#test/support/keys-events.ts';
import { expectData, expectProblem, useLocalApi } from '#test/support/local-api.ts';
import { addMember, createAccount } from '#test/support/tenancy.ts';

const api = useLocalApi();

/** Untyped, for the table of malformed query strings. */
const eventsPath = (accountId: string, query = '') => `/v2/accounts/${accountId}/events${query ? `?${query}` : ''}`;

type Query = Omit<NonNullable<RequestQuery<'/v2/accounts/{accountId}/events'>>, 'cursor'>;
type Page = SuccessBody<'/v2/accounts/{accountId}/events', 'get'>;

/** `GET /v2/accounts/{accountId}/events` as `token`. */
const listEvents = (token: string, accountId: string, query: Query & { cursor?: string } = {}) =>
  api.as(token).GET('/v2/accounts/{accountId}/events', { params: { path: { accountId }, query } });

/** Follows `nextCursor` to the end; answers every item and the number of pages. */
async function readAll(token: string, accountId: string, query: Query): Promise<{ items: Page['items']; pages: number }> {
  const items: Page['items'] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: Page = expectData(await listEvents(token, accountId, { ...query, ...(cursor ? { cursor } : {}) }), 200);
    AuditEventList.parse(page);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  return { items, pages };
}

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

/** Follows `nextCursor` to the end; answers each page's items. */
async function readPages(token: string, accountId: string, query: Query): Promise<Page['items'][]> {
  const pages: Page['items'][] = [];
  let cursor: string | null = null;
  do {
    const page: Page = expectData(await listEvents(token, accountId, { ...query, ...(cursor ? { cursor } : {}) }), 200);
    pages.push(page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return pages;
}

/** Writes events straight to the table, 25 a request, as `auditEventPut` keys them. */
async function writeEvents(events: AuditEvent[]): Promise<void> {
  for (let start = 0; start < events.length; start += 25) {
    const batch = events.slice(start, start + 25).map((event) => ({ PutRequest: { Item: auditEventPut(config().tableName, event).Put.Item } }));
    await documentClient().send(new BatchWriteCommand({ RequestItems: { [config().tableName]: batch } }));
  }
}

/** An event of `accountId` at `at` (several may share one millisecond), not yet written. */
const eventAt = (accountId: string, organizationId: string | null, type: string, at: Date) =>
  auditEvent({ actor: { kind: 'system', id: null }, sourceIp: null, requestId: null }, { accountId, organizationId, type }, at);

/** Newest first, as the log answers: by time, then id. */
const newestFirst = (events: AuditEvent[]) => [...events].sort((a, b) => (`${a.at}#${a.id}` < `${b.at}#${b.id}` ? 1 : -1)).map((event) => event.id);

/** Raw items of every event shard of a partition family (table or GSI1). */
async function rawShards(partitionOf: (shard: number) => string, index?: 'gsi1'): Promise<Record<string, unknown>[]> {
  const results = await Promise.all(
    auditEventShards().map((shard) =>
      documentClient().send(
        new QueryCommand({
          TableName: config().tableName,
          ...(index ? { IndexName: index } : {}),
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': index ? 'gsi1pk' : 'pk' },
          ExpressionAttributeValues: { ':pk': partitionOf(shard) },
        }),
      ),
    ),
  );
  return results.flatMap((result) => result.Items ?? []);
}

describe('the audit log', () => {
  it('answers events newest first, page by page, with type, organization and time filters', async () => {
    const { accountId, owner } = await createAccount(api);
    const orgA = await createOrganization(accountId);
    const orgB = await createOrganization(accountId);
    const old = await recordEvent(accountId, orgA, 'organization.updated', minutesAgo(30));
    const middle = await recordEvent(accountId, orgB, 'organization.updated', minutesAgo(20));
    const recent = await recordEvent(accountId, orgA, 'organization.created', minutesAgo(10));
    const key = await createKey(api, accountId, owner.accessToken);

    const all = await readAll(owner.accessToken, accountId, { limit: 1 });
    expect(all.items.map((event) => event.id)).toEqual([expect.stringMatching(/^evt_/), recent.id, middle.id, old.id]);
    expect(all.items[0]).toMatchObject({ type: 'key.created', organizationId: null });
    expect(all.pages).toBeGreaterThanOrEqual(4);
    const times = all.items.map((event) => event.at);
    expect(times).toEqual([...times].sort().reverse());

    const byType = await readAll(owner.accessToken, accountId, { type: 'organization.updated', limit: 1 });
    expect(byType.items.map((event) => event.id)).toEqual([middle.id, old.id]);

    const byOrganization = await readAll(owner.accessToken, accountId, { organization: orgA, limit: 1 });
    expect(byOrganization.items.map((event) => event.id)).toEqual([recent.id, old.id]);

    const window = await readAll(owner.accessToken, accountId, { from: minutesAgo(25).toISOString(), to: minutesAgo(15).toISOString() });
    expect(window.items.map((event) => event.id)).toEqual([middle.id]);

    // Offsets are normalized to UTC: `to` at exactly `old.at` (written as +02:00) includes it.
    const at = new Date(old.at);
    const withOffset = new Date(at.getTime() + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
    const upTo = await readAll(owner.accessToken, accountId, { to: withOffset });
    expect(upTo.items.map((event) => event.id)).toEqual([old.id]);
    expect(key.id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('never shows a viewer scoped to one organization another organization’s or account-level events, on any page', async () => {
    const { accountId, owner } = await createAccount(api);
    const orgA = await createOrganization(accountId);
    const orgB = await createOrganization(accountId);
    const mine: string[] = [];
    for (let n = 0; n < 5; n++) {
      mine.unshift((await recordEvent(accountId, orgA, 'challenge.sent', minutesAgo(50 - n * 2))).id);
      await recordEvent(accountId, orgB, 'challenge.sent', minutesAgo(49 - n * 2));
    }
    await createKey(api, accountId, owner.accessToken); // account-level key.created
    const viewer = await addMember(api, accountId, 'viewer', { organizations: [orgA], groups: [] });

    // Without `organization` the viewer's only organization is the default.
    const defaulted = await readAll(viewer.accessToken, accountId, { limit: 2 });
    expect(defaulted.items.map((event) => event.id)).toEqual(mine);
    expect(defaulted.pages).toBeGreaterThanOrEqual(3);
    expect(defaulted.items.every((event) => event.organizationId === orgA)).toBe(true);

    const explicit = await readAll(viewer.accessToken, accountId, { organization: orgA, limit: 3 });
    expect(explicit.items.map((event) => event.id)).toEqual(mine);

    const other = expectProblem(await listEvents(viewer.accessToken, accountId, { organization: orgB }), 403);
    expect(JSON.stringify(other)).not.toContain('challenge.sent');

    // Filters cannot widen it either.
    const typed = await readAll(viewer.accessToken, accountId, { type: 'key.created' });
    expect(typed.items).toEqual([]);
  });

  it('asks a member scoped to several organizations to name one (400 query.organization)', async () => {
    const { accountId } = await createAccount(api);
    const orgA = await createOrganization(accountId);
    const orgB = await createOrganization(accountId);
    await recordEvent(accountId, orgB, 'challenge.sent');
    const manager = await addMember(api, accountId, 'manager', { organizations: [orgA, orgB], groups: [] });

    const unnamed = expectProblem(await listEvents(manager.accessToken, accountId), 400);
    expect(unnamed).toMatchObject({ errors: [{ field: 'query.organization', message: 'is required for members scoped to several organizations' }] });

    const named = await readAll(manager.accessToken, accountId, { organization: orgB });
    expect(named.items.map((event) => event.type)).toEqual(['challenge.sent']);
  });

  it("answers 404 for an organization of another account and for another account's log", async () => {
    const { accountId, owner } = await createAccount(api);
    const victim = await createAccount(api);
    const victimOrg = await createOrganization(victim.accountId);
    await recordEvent(victim.accountId, victimOrg, 'challenge.sent');

    const foreignOrg = expectProblem(await listEvents(owner.accessToken, accountId, { organization: victimOrg }), 404);
    const foreignLog = expectProblem(await listEvents(owner.accessToken, victim.accountId), 404);
    expect(JSON.stringify([foreignOrg, foreignLog])).not.toContain('challenge.sent');
  });

  it("answers 400 query.cursor for a cursor of another partition (another account's or another organization's)", async () => {
    const victim = await createAccount(api);
    const victimOrg = await createOrganization(victim.accountId);
    for (let n = 0; n < 2; n++) await recordEvent(victim.accountId, victimOrg, 'challenge.sent', minutesAgo(n));
    const victimPage = expectData(await listEvents(victim.owner.accessToken, victim.accountId, { limit: 1 }), 200);
    const victimOrgPage = expectData(await listEvents(victim.owner.accessToken, victim.accountId, { organization: victimOrg, limit: 1 }), 200);
    const { accountId, owner } = await createAccount(api);
    const ownOrg = await createOrganization(accountId);

    const ownLogCursor = (sortKey: string) => encodeCursor({ pk: `ACCOUNT#${accountId}#EVENTS`, sk: sortKey }) ?? '';
    const forged = [
      // The account view's cursor on an organization of it, and the other way round.
      { organization: ownOrg, cursor: ownLogCursor('2026-01-01T00:00:00.000Z#evt_1') },
      { cursor: encodeCursor({ gsi1pk: `ORG#${ownOrg}#EVENTS`, gsi1sk: '2026-01-01T00:00:00.000Z#evt_1' }) ?? '' },
      // Another list's cursor in the same account partition, a shard's own partition, a bad sort key.
      { cursor: encodeCursor({ pk: `ACCOUNT#${accountId}`, sk: 'MEMBER#usr_1' }) ?? '' },
      { cursor: encodeCursor({ pk: `ACCOUNT#${accountId}#EVENTS#3`, sk: '2026-01-01T00:00:00.000Z#evt_1' }) ?? '' },
      { cursor: ownLogCursor('~') },
      { cursor: ownLogCursor('2026-01-01T00:00:00.000Z') },
      { cursor: encodeCursor({ pk: `ACCOUNT#${accountId}#EVENTS`, sk: 42 }) ?? '' },
      { cursor: encodeCursor({ pk: `ACCOUNT#${accountId}#EVENTS`, sk: '2026-01-01T00:00:00.000Z#evt_1', extra: 'x' }) ?? '' },
    ];
    for (const query of [{ cursor: victimPage.nextCursor ?? '' }, { organization: ownOrg, cursor: victimOrgPage.nextCursor ?? '' }, ...forged]) {
      const problem = expectProblem(await listEvents(owner.accessToken, accountId, query), 400);
      expect(problem, JSON.stringify(query)).toMatchObject({ errors: [{ field: 'query.cursor' }] });
    }
  });

  // Malformed query strings, sent as written: raw.
  it.each([
    ['from=yesterday', 'query.from'],
    ['from=2026-13-01T00:00:00Z', 'query.from'],
    ['to=2026-01-01', 'query.to'],
    ['from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'query.from'],
    ['limit=0', 'query.limit'],
    ['limit=101', 'query.limit'],
    ['limit=1.5', 'query.limit'],
    ['type=DROP TABLE', 'query.type'],
    ['organization=not an id!', 'query.organization'],
    ['cursor=abc', 'query.cursor'],
  ])('answers 400 naming the field for ?%s', async (query, field) => {
    const { accountId, owner } = await createAccount(api);
    const response = await api.raw('GET', eventsPath(accountId, query.replaceAll(' ', '%20').replace('!', '%21')), { token: owner.accessToken });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({ code: 'validation_failed', errors: [{ field }] });
  });

  it('spreads one account’s events over several partitions, each event in the shard its id names', async () => {
    const { accountId } = await createAccount(api);
    const orgId = await createOrganization(accountId);
    const events = Array.from({ length: 40 }, (_, n) => eventAt(accountId, orgId, 'challenge.sent', minutesAgo(n)));
    for (const event of events.slice(0, 8)) await auditRepository().recordEvent(event);
    await writeEvents(events.slice(8));

    const items = await rawShards((shard) => auditEventsOfAccountPartition(accountId, shard));
    expect(items.map((item) => item.id).sort()).toEqual(events.map((event) => event.id).sort());
    const partitions = new Set(items.map((item) => item.pk));
    // 40 random ids over 8 shards: all in one partition has odds 8^-39.
    expect(partitions.size).toBeGreaterThan(1);
    expect([...partitions].every((pk) => /^ACCOUNT#acc_[0-9a-f]+#EVENTS#[0-7]$/.test(String(pk)))).toBe(true);
    for (const item of items) {
      const id = String(item.id);
      // Stable: the shard is a function of the id alone, so a key can be recomputed from its event.
      expect(auditEventShard(id)).toBe(auditEventShard(id));
      expect(item.pk).toBe(`ACCOUNT#${accountId}#EVENTS#${auditEventShard(id)}`);
      expect(item.gsi1pk).toBe(`ORG#${orgId}#EVENTS#${auditEventShard(id)}`);
      expect(item.sk).toBe(`${String(item.at)}#${id}`);
    }
    const byOrganization = await rawShards((shard) => auditEventsOfOrganizationPartition(orgId, shard), 'gsi1');
    expect(new Set(byOrganization.map((item) => item.gsi1pk)).size).toBeGreaterThan(1);
    expect(byOrganization).toHaveLength(events.length);
    expect(auditEventShard('evt_0123456789abcdef0123456789abcdef')).toBe(auditEventShard('evt_0123456789abcdef0123456789abcdef'));
    expect(AUDIT_EVENT_SHARDS).toBe(8);
  });

  it('pages through events of every shard exactly once, newest first, full pages, with and without a type, for the account and an organization', async () => {
    const { accountId, owner } = await createAccount(api);
    const orgA = await createOrganization(accountId);
    const orgB = await createOrganization(accountId);
    const base = minutesAgo(60).getTime();
    const events: AuditEvent[] = [];
    for (let n = 0; n < 37; n++) {
      // Pairs of events share a millisecond: ties order by id, across shards too.
      const at = new Date(base + Math.floor(n / 2) * 1000);
      const organization = n % 5 === 0 ? null : n % 2 === 0 ? orgA : orgB;
      events.push(eventAt(accountId, organization, n % 3 === 0 ? 'challenge.verified' : 'challenge.sent', at));
    }
    await writeEvents(events);
    expect(new Set(events.map((event) => auditEventShard(event.id))).size).toBeGreaterThan(1);

    const cases: { query: Query; expected: AuditEvent[] }[] = [
      { query: { limit: 5 }, expected: events },
      { query: { limit: 1 }, expected: events },
      { query: { limit: 5, type: 'challenge.verified' }, expected: events.filter((event) => event.type === 'challenge.verified') },
      { query: { limit: 4, organization: orgA }, expected: events.filter((event) => event.organizationId === orgA) },
      {
        query: { limit: 3, organization: orgB, type: 'challenge.sent' },
        expected: events.filter((event) => event.organizationId === orgB && event.type === 'challenge.sent'),
      },
      {
        query: { limit: 4, from: new Date(base + 3000).toISOString(), to: new Date(base + 12_000).toISOString() },
        expected: events.filter((event) => event.at >= new Date(base + 3000).toISOString() && event.at <= new Date(base + 12_000).toISOString()),
      },
    ];
    for (const { query, expected } of cases) {
      const pages = await readPages(owner.accessToken, accountId, query);
      const ids = pages.flat().map((event) => event.id);
      expect(ids, JSON.stringify(query)).toEqual(newestFirst(expected));
      expect(new Set(ids).size).toBe(ids.length);
      // Full pages while events remain; no empty page at the end.
      const limit = query.limit ?? 50;
      expect(pages.slice(0, -1).every((page) => page.length === limit), JSON.stringify(query)).toBe(true);
      expect(pages.at(-1)?.length, JSON.stringify(query)).toBeGreaterThan(0);
      expect(pages).toHaveLength(Math.ceil(expected.length / limit));
    }
  });

  it('finds a rare type among many events without losing or repeating one, even when shards stop early', async () => {
    const { accountId } = await createAccount(api);
    const base = minutesAgo(120).getTime();
    const noise = Array.from({ length: 1600 }, (_, n) => eventAt(accountId, null, 'challenge.sent', new Date(base + n * 10)));
    const rare = [5, 300, 301, 1200, 1599].map((n) => eventAt(accountId, null, 'login.failed', new Date(base + n * 10 + 5)));
    await writeEvents([...noise, ...rare]);

    // Repository-level, so the test sees short pages: each shard holds ~200 events and may read at
    // most 126 for a page of 1 (2 + 4 + … + 64), so pages stop early and continue below a frontier.
    const seen: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    let pages = 0;
    do {
      const page = await auditRepository().listEvents({ accountId, type: 'login.failed', limit: 1, ...(startKey ? { startKey } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.items.map((event) => event.id));
      startKey = page.lastKey;
      pages++;
    } while (startKey && pages < 50);
    expect(seen).toEqual(newestFirst(rare));

    const all = await auditRepository().listEvents({ accountId, type: 'login.failed', limit: 10 });
    expect(all.items.map((event) => event.id)).toEqual(newestFirst(rare));
  });

  it('holds back an older event of one shard while another shard still has unread events above it', async () => {
    const { accountId } = await createAccount(api);
    const base = minutesAgo(180).getTime();
    /** An event at `at` whose id falls in `shard`. */
    const inShard = (shard: number, type: string, at: Date): AuditEvent => {
      for (;;) {
        const event = eventAt(accountId, null, type, at);
        if (auditEventShard(event.id) === shard) return event;
      }
    };
    // Newest first: shard 0 has 300 non-matching events, then a match `deep`; shard 1 has only an
    // older match `older`. A page of 1 reads at most 126 events of shard 0, so it must not emit
    // `older` (that would skip `deep` for good): it answers short, with a cursor, and `deep` comes first.
    const older = inShard(1, 'login.failed', new Date(base));
    const deep = inShard(0, 'login.failed', new Date(base + 1000));
    const noise = Array.from({ length: 300 }, (_, n) => inShard(0, 'challenge.sent', new Date(base + 2000 + n * 10)));
    await writeEvents([older, deep, ...noise]);

    const seen: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    let pages = 0;
    do {
      const page = await auditRepository().listEvents({ accountId, type: 'login.failed', limit: 1, ...(startKey ? { startKey } : {}) });
      seen.push(...page.items.map((event) => event.id));
      startKey = page.lastKey;
      pages++;
    } while (startKey && pages < 20);
    expect(seen).toEqual([deep.id, older.id]);
    expect(pages).toBeGreaterThan(2);
  });

  it(`stores events with a TTL ${AUDIT_RETENTION_DAYS} days after they happened`, async () => {
    const { accountId } = await createAccount(api);
    const orgId = await createOrganization(accountId);
    const event = await recordEvent(accountId, orgId, 'challenge.sent');
    const item = await rawItem(auditEventKey(accountId, event.at, event.id));
    expect(item?.ttl).toBe(Math.floor(Date.parse(event.at) / 1000) + AUDIT_RETENTION_DAYS * 86_400);
  });
});
