import { describe, expect, it } from 'vitest';
import type { SuccessBody } from '#client/index.ts';
import { GroupList, GroupResponse, MAX_GROUP_ORGANIZATIONS } from '#shared/schemas/organizations.ts';
import { expectData, expectProblem, expectStatus, useLocalApi } from '#test/support/local-api.ts';
import { addMember, createAccount } from '#test/support/tenancy.ts';
import { createGroup, createOrganization, eventsOf } from '#test/support/organizations.ts';
import * as z from 'zod/mini';

const api = useLocalApi();

/** Path parameters of one group. */
const ofGroup = (accountId: string, groupId: string) => ({ params: { path: { accountId, groupId } } });
/** `GET /v2/accounts/{accountId}/groups` as `token`, with paging. */
const listGroups = (token: string, accountId: string, query: { limit?: number; cursor?: string } = {}) =>
  api.as(token).GET('/v2/accounts/{accountId}/groups', { params: { path: { accountId }, query } });
/** `POST /v2/accounts/{accountId}/groups` as `token`. */
const postGroup = (token: string, accountId: string, body: { name: string; organizations: string[] }) =>
  api.as(token).POST('/v2/accounts/{accountId}/groups', { params: { path: { accountId } }, body });

describe('group lifecycle', () => {
  it('creates, reads, lists, renames, re-lists and deletes a group, auditing each change', async () => {
    const { accountId, owner } = await createAccount(api);
    const [a, b] = [await createOrganization(api, accountId, owner.accessToken), await createOrganization(api, accountId, owner.accessToken)];
    const client = api.as(owner.accessToken);

    const created = expectData(await postGroup(owner.accessToken, accountId, { name: 'EMEA', organizations: [a.id] }), 201);
    expect(z.strictObject(GroupResponse.shape).parse(created)).toMatchObject({ accountId, name: 'EMEA', organizations: [a.id] });
    expect(created.id).toMatch(/^grp_/);
    const path = ofGroup(accountId, created.id);

    expect(expectData(await client.GET('/v2/accounts/{accountId}/groups/{groupId}', path), 200)).toEqual(created);
    const list = expectData(await listGroups(owner.accessToken, accountId), 200);
    expect(GroupList.parse(list).items).toEqual([created]);

    const renamed = expectData(await client.PATCH('/v2/accounts/{accountId}/groups/{groupId}', { ...path, body: { name: 'Europe' } }), 200);
    expect(renamed).toMatchObject({ name: 'Europe', organizations: [a.id] });
    const moved = expectData(await client.PATCH('/v2/accounts/{accountId}/groups/{groupId}', { ...path, body: { organizations: [b.id, a.id] } }), 200);
    expect(moved).toMatchObject({ name: 'Europe', organizations: [b.id, a.id] });
    expect(expectData(await client.GET('/v2/accounts/{accountId}/groups/{groupId}', path), 200)).toEqual(moved);
    const emptied = expectData(await client.PATCH('/v2/accounts/{accountId}/groups/{groupId}', { ...path, body: { organizations: [] } }), 200);
    expect(emptied.organizations).toEqual([]);

    expectStatus(await client.DELETE('/v2/accounts/{accountId}/groups/{groupId}', path), 204);
    expectProblem(await client.GET('/v2/accounts/{accountId}/groups/{groupId}', path), 404);
    expectProblem(await client.PATCH('/v2/accounts/{accountId}/groups/{groupId}', { ...path, body: { name: 'x' } }), 404);
    expectProblem(await client.DELETE('/v2/accounts/{accountId}/groups/{groupId}', path), 404);
    expect(expectData(await listGroups(owner.accessToken, accountId), 200).items).toEqual([]);

    const events = (await eventsOf(accountId)).filter((e) => e.type.startsWith('group.')).reverse();
    expect(events.map((e) => e.type)).toEqual(['group.created', 'group.updated', 'group.updated', 'group.updated', 'group.deleted']);
    for (const event of events) {
      expect(event).toMatchObject({ accountId, actor: { kind: 'operator', id: owner.userId }, target: { type: 'group', id: created.id } });
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
      const page: SuccessBody<'/v2/accounts/{accountId}/groups', 'get'> = expectData(await listGroups(owner.accessToken, accountId, { limit: 2, ...(cursor ? { cursor } : {}) }), 200);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((g) => g.id));
      cursor = page.nextCursor;
    }
    expect(seen.sort()).toEqual([...ids].sort());

    const other = await createAccount(api);
    for (let i = 0; i < 2; i++) await createGroup(api, other.accountId, other.owner.accessToken);
    const foreign = expectData(await listGroups(other.owner.accessToken, other.accountId, { limit: 1 }), 200);
    for (const bad of [foreign.nextCursor ?? '', 'x', Buffer.from('{"pk":"a","sk":"b"}').toString('base64url')]) {
      expect(expectProblem(await listGroups(owner.accessToken, accountId, { cursor: bad }), 400)).toMatchObject({ errors: [{ field: 'query.cursor' }] });
    }
  });
});

describe('organizations listed in a group', () => {
  it('refuses an organization of another account exactly as a missing one, naming its index', async () => {
    const { accountId, owner } = await createAccount(api);
    const mine = await createOrganization(api, accountId, owner.accessToken);
    const other = await createAccount(api);
    const theirs = await createOrganization(api, other.accountId, other.owner.accessToken);

    const foreign = expectProblem(await postGroup(owner.accessToken, accountId, { name: 'g', organizations: [mine.id, theirs.id] }), 400);
    const missing = expectProblem(await postGroup(owner.accessToken, accountId, { name: 'g', organizations: [mine.id, 'org_missing'] }), 400);
    expect(foreign).toMatchObject({ code: 'validation_failed', errors: [{ field: 'body.organizations.1', message: 'is not an organization of this account' }] });
    const { instance: _a, ...foreignProblem } = foreign;
    const { instance: _b, ...missingProblem } = missing;
    expect(foreignProblem).toEqual(missingProblem);
    expect(expectData(await listGroups(owner.accessToken, accountId), 200).items).toEqual([]);
  });

  it('refuses a deleted organization on create and update', async () => {
    const { accountId, owner } = await createAccount(api);
    const organization = await createOrganization(api, accountId, owner.accessToken);
    const group = await createGroup(api, accountId, owner.accessToken);
    expectStatus(await api.as(owner.accessToken).DELETE('/v2/organizations/{orgId}', { params: { path: { orgId: organization.id } } }), 204);
    const create = await postGroup(owner.accessToken, accountId, { name: 'g', organizations: [organization.id] });
    expect(expectProblem(create, 400)).toMatchObject({ errors: [{ field: 'body.organizations.0' }] });
    const update = await api.as(owner.accessToken).PATCH('/v2/accounts/{accountId}/groups/{groupId}', { ...ofGroup(accountId, group.id), body: { organizations: [organization.id] } });
    expect(expectProblem(update, 400)).toMatchObject({ errors: [{ field: 'body.organizations.0' }] });
  });

  it('widens the scope of a member at once when their group gains an organization, and narrows it when it is deleted', async () => {
    const { accountId, owner } = await createAccount(api);
    const organization = await createOrganization(api, accountId, owner.accessToken);
    const group = await createGroup(api, accountId, owner.accessToken);
    const manager = await addMember(api, accountId, 'manager', { organizations: [], groups: [group.id] });
    const path = { params: { path: { orgId: organization.id } } };
    const asManager = api.as(manager.accessToken);
    const listed = async () =>
      expectData(await asManager.GET('/v2/accounts/{accountId}/organizations', { params: { path: { accountId } } }), 200).items.map((o) => o.id);

    expectProblem(await asManager.GET('/v2/organizations/{orgId}', path), 403);
    expect(await listed()).toEqual([]);

    const groupPath = ofGroup(accountId, group.id);
    expectData(await api.as(owner.accessToken).PATCH('/v2/accounts/{accountId}/groups/{groupId}', { ...groupPath, body: { organizations: [organization.id] } }), 200);
    expectData(await asManager.GET('/v2/organizations/{orgId}', path), 200);
    expectData(await asManager.PATCH('/v2/organizations/{orgId}', { ...path, body: { settings: { smsDailyLimit: 7 } } }), 200);
    expect(await listed()).toEqual([organization.id]);

    expectStatus(await api.as(owner.accessToken).DELETE('/v2/accounts/{accountId}/groups/{groupId}', groupPath), 204);
    expectProblem(await asManager.GET('/v2/organizations/{orgId}', path), 403);
    expect(await listed()).toEqual([]);
  });
});

describe('races', () => {
  it('never leaves a deleted organization in a group when adding it races its deletion', async () => {
    const { accountId, owner } = await createAccount(api);
    for (let round = 0; round < 10; round++) {
      const organization = await createOrganization(api, accountId, owner.accessToken);
      const group = await createGroup(api, accountId, owner.accessToken);
      const client = api.as(owner.accessToken);
      const path = ofGroup(accountId, group.id);
      const [added, deleted] = await Promise.all([
        client.PATCH('/v2/accounts/{accountId}/groups/{groupId}', { ...path, body: { organizations: [organization.id] } }),
        client.DELETE('/v2/organizations/{orgId}', { params: { path: { orgId: organization.id } } }),
      ]);
      expectStatus(deleted, 204);
      expect([200, 400]).toContain(added.response.status);
      expect(expectData(await client.GET('/v2/accounts/{accountId}/groups/{groupId}', path), 200).organizations).toEqual([]);
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
    expectStatus(await api.as(owner.accessToken).DELETE('/v2/organizations/{orgId}', { params: { path: { orgId: target } } }), 204);
    const all = expectData(await listGroups(owner.accessToken, accountId, { limit: 100 }), 200);
    const next = all.nextCursor ? expectData(await listGroups(owner.accessToken, accountId, { limit: 100, cursor: all.nextCursor }), 200).items : [];
    const listed = [...all.items, ...next];
    expect(listed).toHaveLength(groups.length);
    expect(listed.filter((group) => group.organizations.includes(target))).toEqual([]);
    expect(listed.find((group) => group.id === full.id)?.organizations).toEqual(organizations.slice(1));
  });
});

// A table of bodies the contract refuses, several of them not even of the right type: raw.
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
    const create = await api.raw('POST', `/v2/accounts/${accountId}/groups`, { token: owner.accessToken, body });
    expect(create.status).toBe(400);
    expect(create.body).toMatchObject({ code: 'validation_failed', errors: [{ field }] });
    if (field !== 'body.name' || 'name' in body) {
      const update = await api.raw('PATCH', `/v2/accounts/${accountId}/groups/${group.id}`, { token: owner.accessToken, body });
      expect(update.status).toBe(400);
      expect(update.body).toMatchObject({ errors: [{ field }] });
    }
    expect(expectData(await api.as(owner.accessToken).GET('/v2/accounts/{accountId}/groups/{groupId}', ofGroup(accountId, group.id)), 200)).toEqual(group);
  });
});
