import { describe, expect, it } from 'vitest';
import { GroupList, GroupResponse, MAX_GROUP_ORGANIZATIONS } from '#shared/schemas/organizations.ts';
import { useLocalApi } from '#test/support/local-api.ts';
import { addMember, createAccount } from '#test/support/tenancy.ts';
import { createGroup, createOrganization, eventsOf, type GroupBody } from '#test/support/organizations.ts';

const api = useLocalApi();

type List = { items: GroupBody[]; nextCursor: string | null };

describe('group lifecycle', () => {
  it('creates, reads, lists, renames, re-lists and deletes a group, auditing each change', async () => {
    const { accountId, owner } = await createAccount(api);
    const [a, b] = [await createOrganization(api, accountId, owner.accessToken), await createOrganization(api, accountId, owner.accessToken)];
    const base = `/v2/accounts/${accountId}/groups`;

    const created = await api.request<GroupBody>('POST', base, { token: owner.accessToken, body: { name: 'EMEA', organizations: [a.id] } });
    expect(created.status).toBe(201);
    expect(GroupResponse.strict().parse(created.body)).toMatchObject({ accountId, name: 'EMEA', organizations: [a.id] });
    expect(created.body.id).toMatch(/^grp_/);
    const path = `${base}/${created.body.id}`;

    expect((await api.request('GET', path, { token: owner.accessToken })).body).toEqual(created.body);
    const list = await api.request<List>('GET', base, { token: owner.accessToken });
    expect(GroupList.parse(list.body).items).toEqual([created.body]);

    const renamed = await api.request<GroupBody>('PATCH', path, { token: owner.accessToken, body: { name: 'Europe' } });
    expect(renamed.body).toMatchObject({ name: 'Europe', organizations: [a.id] });
    const moved = await api.request<GroupBody>('PATCH', path, { token: owner.accessToken, body: { organizations: [b.id, a.id] } });
    expect(moved.body).toMatchObject({ name: 'Europe', organizations: [b.id, a.id] });
    expect((await api.request('GET', path, { token: owner.accessToken })).body).toEqual(moved.body);
    const emptied = await api.request<GroupBody>('PATCH', path, { token: owner.accessToken, body: { organizations: [] } });
    expect(emptied.body.organizations).toEqual([]);

    expect((await api.request('DELETE', path, { token: owner.accessToken })).status).toBe(204);
    expect((await api.request('GET', path, { token: owner.accessToken })).status).toBe(404);
    expect((await api.request('PATCH', path, { token: owner.accessToken, body: { name: 'x' } })).status).toBe(404);
    expect((await api.request('DELETE', path, { token: owner.accessToken })).status).toBe(404);
    expect((await api.request<List>('GET', base, { token: owner.accessToken })).body.items).toEqual([]);

    const events = (await eventsOf(accountId)).filter((e) => e.type.startsWith('group.')).reverse();
    expect(events.map((e) => e.type)).toEqual(['group.created', 'group.updated', 'group.updated', 'group.updated', 'group.deleted']);
    for (const event of events) {
      expect(event).toMatchObject({ accountId, actor: { kind: 'operator', id: owner.userId }, target: { type: 'group', id: created.body.id } });
      expect(event.requestId).toBeTruthy();
      expect(event.sourceIp).toBeTruthy();
    }
    expect(events[2]?.details).toMatchObject({ fields: ['organizations'], added: [b.id], removed: [] });
  });

  it('pages through groups and refuses a foreign or malformed cursor', async () => {
    const { accountId, owner } = await createAccount(api);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await createGroup(api, accountId, owner.accessToken)).id);
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const response: { status: number; body: List } = await api.request<List>('GET', `/v2/accounts/${accountId}/groups?limit=2${query}`, { token: owner.accessToken });
      expect(response.status).toBe(200);
      expect(response.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...response.body.items.map((g) => g.id));
      cursor = response.body.nextCursor;
    }
    expect(seen.sort()).toEqual([...ids].sort());

    const other = await createAccount(api);
    for (let i = 0; i < 2; i++) await createGroup(api, other.accountId, other.owner.accessToken);
    const foreign = await api.request<List>('GET', `/v2/accounts/${other.accountId}/groups?limit=1`, { token: other.owner.accessToken });
    for (const bad of [foreign.body.nextCursor ?? '', 'x', Buffer.from('{"pk":"a","sk":"b"}').toString('base64url')]) {
      const response = await api.request('GET', `/v2/accounts/${accountId}/groups?cursor=${bad}`, { token: owner.accessToken });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ errors: [{ field: 'query.cursor' }] });
    }
  });
});

describe('organizations listed in a group', () => {
  it('refuses an organization of another account exactly as a missing one, naming its index', async () => {
    const { accountId, owner } = await createAccount(api);
    const mine = await createOrganization(api, accountId, owner.accessToken);
    const other = await createAccount(api);
    const theirs = await createOrganization(api, other.accountId, other.owner.accessToken);

    const foreign = await api.request('POST', `/v2/accounts/${accountId}/groups`, { token: owner.accessToken, body: { name: 'g', organizations: [mine.id, theirs.id] } });
    const missing = await api.request('POST', `/v2/accounts/${accountId}/groups`, { token: owner.accessToken, body: { name: 'g', organizations: [mine.id, 'org_missing'] } });
    expect(foreign.status).toBe(400);
    expect(foreign.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'body.organizations.1', message: 'is not an organization of this account' }] });
    const { instance: _a, ...foreignProblem } = foreign.body;
    const { instance: _b, ...missingProblem } = missing.body;
    expect(foreignProblem).toEqual(missingProblem);
    expect((await api.request<List>('GET', `/v2/accounts/${accountId}/groups`, { token: owner.accessToken })).body.items).toEqual([]);
  });

  it('refuses a deleted organization on create and update', async () => {
    const { accountId, owner } = await createAccount(api);
    const organization = await createOrganization(api, accountId, owner.accessToken);
    const group = await createGroup(api, accountId, owner.accessToken);
    await api.request('DELETE', `/v2/organizations/${organization.id}`, { token: owner.accessToken });
    const create = await api.request('POST', `/v2/accounts/${accountId}/groups`, { token: owner.accessToken, body: { name: 'g', organizations: [organization.id] } });
    expect(create.body).toMatchObject({ errors: [{ field: 'body.organizations.0' }] });
    const update = await api.request('PATCH', `/v2/accounts/${accountId}/groups/${group.id}`, { token: owner.accessToken, body: { organizations: [organization.id] } });
    expect(update.body).toMatchObject({ errors: [{ field: 'body.organizations.0' }] });
  });

  it('widens the scope of a member at once when their group gains an organization, and narrows it when it is deleted', async () => {
    const { accountId, owner } = await createAccount(api);
    const organization = await createOrganization(api, accountId, owner.accessToken);
    const group = await createGroup(api, accountId, owner.accessToken);
    const manager = await addMember(api, accountId, 'manager', { organizations: [], groups: [group.id] });
    const path = `/v2/organizations/${organization.id}`;
    const listed = async () =>
      (await api.request<{ items: { id: string }[] }>('GET', `/v2/accounts/${accountId}/organizations`, { token: manager.accessToken })).body.items.map((o) => o.id);

    expect((await api.request('GET', path, { token: manager.accessToken })).status).toBe(403);
    expect(await listed()).toEqual([]);

    await api.request('PATCH', `/v2/accounts/${accountId}/groups/${group.id}`, { token: owner.accessToken, body: { organizations: [organization.id] } });
    expect((await api.request('GET', path, { token: manager.accessToken })).status).toBe(200);
    expect((await api.request('PATCH', path, { token: manager.accessToken, body: { settings: { smsDailyLimit: 7 } } })).status).toBe(200);
    expect(await listed()).toEqual([organization.id]);

    await api.request('DELETE', `/v2/accounts/${accountId}/groups/${group.id}`, { token: owner.accessToken });
    expect((await api.request('GET', path, { token: manager.accessToken })).status).toBe(403);
    expect(await listed()).toEqual([]);
  });
});

describe('races', () => {
  it('never leaves a deleted organization in a group when adding it races its deletion', async () => {
    const { accountId, owner } = await createAccount(api);
    for (let round = 0; round < 10; round++) {
      const organization = await createOrganization(api, accountId, owner.accessToken);
      const group = await createGroup(api, accountId, owner.accessToken);
      const path = `/v2/accounts/${accountId}/groups/${group.id}`;
      const [added, deleted] = await Promise.all([
        api.request('PATCH', path, { token: owner.accessToken, body: { organizations: [organization.id] } }),
        api.request('DELETE', `/v2/organizations/${organization.id}`, { token: owner.accessToken }),
      ]);
      expect(deleted.status).toBe(204);
      expect([200, 400]).toContain(added.status);
      const read = await api.request<GroupBody>('GET', path, { token: owner.accessToken });
      expect(read.body.organizations).toEqual([]);
    }
  });
});

describe('limits', () => {
  it('takes a group of the maximum size in one transaction, and deletes an organization listed by more groups than one transaction holds', async () => {
    const { accountId, owner } = await createAccount(api);
    const organizations = [];
    for (let i = 0; i < MAX_GROUP_ORGANIZATIONS; i++) organizations.push((await createOrganization(api, accountId, owner.accessToken)).id);
    const full = await createGroup(api, accountId, owner.accessToken, organizations);
    expect(full.organizations).toHaveLength(MAX_GROUP_ORGANIZATIONS);

    const target = organizations[0] ?? '';
    const groups = [full.id];
    for (let i = 0; i < 99; i++) groups.push((await createGroup(api, accountId, owner.accessToken, [target])).id);
    expect((await api.request('DELETE', `/v2/organizations/${target}`, { token: owner.accessToken })).status).toBe(204);
    const all = await api.request<List>('GET', `/v2/accounts/${accountId}/groups?limit=100`, { token: owner.accessToken });
    const next = all.body.nextCursor
      ? (await api.request<List>('GET', `/v2/accounts/${accountId}/groups?limit=100&cursor=${all.body.nextCursor}`, { token: owner.accessToken })).body.items
      : [];
    const listed = [...all.body.items, ...next];
    expect(listed).toHaveLength(groups.length);
    expect(listed.filter((group) => group.organizations.includes(target))).toEqual([]);
    expect(listed.find((group) => group.id === full.id)?.organizations).toEqual(organizations.slice(1));
  });
});

describe('bad group input', () => {
  it.each([
    ['body.name', { organizations: [] }],
    ['body.name', { name: '', organizations: [] }],
    ['body.organizations', { name: 'g', organizations: 'all' }],
    ['body.organizations.0', { name: 'g', organizations: [42] }],
    ['body.organizations.0', { name: 'g', organizations: ['org a'] }],
    ['body.organizations.1', { name: 'g', organizations: ['org_1', 'org_1'] }],
    ['body.organizations', { name: 'g', organizations: Array.from({ length: MAX_GROUP_ORGANIZATIONS + 1 }, (_, i) => `org_${i}`) }],
    ['body.scope', { name: 'g', scope: 'all' }],
  ])('refuses bad input with 400 naming %s (case %#)', async (field, body) => {
    const { accountId, owner } = await createAccount(api);
    const group = await createGroup(api, accountId, owner.accessToken);
    const create = await api.request('POST', `/v2/accounts/${accountId}/groups`, { token: owner.accessToken, body });
    expect(create.status).toBe(400);
    expect(create.body).toMatchObject({ code: 'validation_failed', errors: [{ field }] });
    if (field !== 'body.name' || 'name' in body) {
      const update = await api.request('PATCH', `/v2/accounts/${accountId}/groups/${group.id}`, { token: owner.accessToken, body });
      expect(update.status).toBe(400);
      expect(update.body).toMatchObject({ errors: [{ field }] });
    }
    expect((await api.request('GET', `/v2/accounts/${accountId}/groups/${group.id}`, { token: owner.accessToken })).body).toEqual(group);
  });
});
