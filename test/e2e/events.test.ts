import { describe, expect, it } from 'vitest';
import { auditEventKey } from '#shared/data/keys.ts';
import { AUDIT_RETENTION_DAYS } from '#shared/domain/audit.ts';
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

    for (const query of [{ cursor: victimPage.nextCursor ?? '' }, { organization: ownOrg, cursor: victimOrgPage.nextCursor ?? '' }]) {
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

  it(`stores events with a TTL ${AUDIT_RETENTION_DAYS} days after they happened`, async () => {
    const { accountId } = await createAccount(api);
    const orgId = await createOrganization(accountId);
    const event = await recordEvent(accountId, orgId, 'challenge.sent');
    const item = await rawItem(auditEventKey(accountId, event.at, event.id));
    expect(item?.ttl).toBe(Math.floor(Date.parse(event.at) / 1000) + AUDIT_RETENTION_DAYS * 86_400);
  });
});
