import { describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '#shared/config.ts';
import { documentClient } from '#shared/compose/runtime.ts';
import { organizationKey } from '#shared/data/keys.ts';
import { OrganizationList, OrganizationResponse } from '#shared/schemas/organizations.ts';
import { expectData, expectProblem, expectStatus, useLocalApi } from '#test/support/local-api.ts';
import { addMember, createAccount } from '#test/support/tenancy.ts';
import { createApiKey, createGroup, createOrganization, eventsOf } from '#test/support/organizations.ts';
import * as z from 'zod/mini';

const api = useLocalApi();

/** Path parameters of one organization. */
const ofOrg = (orgId: string) => ({ params: { path: { orgId } } });

/** `GET /v2/accounts/{accountId}/organizations` as `token`, with paging. */
const listOrganizations = (token: string, accountId: string, query: { limit?: number; cursor?: string } = {}) =>
  api.as(token).GET('/v2/accounts/{accountId}/organizations', { params: { path: { accountId }, query } });

const rawOrganization = async (orgId: string) =>
  (await documentClient().send(new GetCommand({ TableName: config().tableName, Key: organizationKey(orgId), ConsistentRead: true }))).Item;

describe('creating and reading organizations', () => {
  it('creates an organization with default settings and reads it back', async () => {
    const { accountId, owner } = await createAccount(api);
    const client = api.as(owner.accessToken);
    const response = await client.POST('/v2/accounts/{accountId}/organizations', { params: { path: { accountId } }, body: { name: '  Acme Ltd  ' } });

    const created = expectData(response, 201);
    expect(z.strictObject(OrganizationResponse.shape).parse(created)).toMatchObject({
      accountId,
      name: 'Acme Ltd',
      settings: { requireMfa: false, smsDailyLimit: 1000, smsAllowedCountries: [], emailDailyLimit: 1000 },
    });
    expect(created.id).toMatch(/^org_/);
    expect(expectData(await client.GET('/v2/organizations/{orgId}', ofOrg(created.id)), 200)).toEqual(created);
  });

  it('stores the settings given on create', async () => {
    const { accountId, owner } = await createAccount(api);
    const settings = { requireMfa: true, smsDailyLimit: 0, smsAllowedCountries: ['GB', 'US'], emailDailyLimit: 7 };
    const organization = await createOrganization(api, accountId, owner.accessToken, { settings });
    expect(organization.settings).toEqual(settings);
    const partial = await createOrganization(api, accountId, owner.accessToken, { settings: { smsDailyLimit: 50 } });
    expect(partial.settings).toEqual({ requireMfa: false, smsDailyLimit: 50, smsAllowedCountries: [], emailDailyLimit: 1000 });
  });

  it('allows two organizations with the same name (ids identify them)', async () => {
    const { accountId, owner } = await createAccount(api);
    const first = await createOrganization(api, accountId, owner.accessToken, { name: 'Same' });
    const second = await createOrganization(api, accountId, owner.accessToken, { name: 'Same' });
    expect(first.id).not.toBe(second.id);
  });

  it('writes organization.created with actor, target, organization, source IP and request id', async () => {
    const { accountId, owner } = await createAccount(api);
    const organization = await createOrganization(api, accountId, owner.accessToken);
    const [event] = (await eventsOf(accountId)).filter((e) => e.type === 'organization.created');
    expect(event).toMatchObject({
      accountId,
      organizationId: organization.id,
      actor: { kind: 'operator', id: owner.userId },
      target: { type: 'organization', id: organization.id },
      details: { name: organization.name },
    });
    expect(event?.sourceIp).toBeTruthy();
    expect(event?.requestId).toBeTruthy();
  });
});

describe('listing organizations', () => {
  it('pages through the organizations of the account, oldest first', async () => {
    const { accountId, owner } = await createAccount(api);
    const created: string[] = [];
    for (let i = 0; i < 3; i++) created.push((await createOrganization(api, accountId, owner.accessToken)).id);

    const first = expectData(await listOrganizations(owner.accessToken, accountId, { limit: 2 }), 200);
    expect(OrganizationList.parse(first).items.map((o) => o.id)).toEqual(created.slice(0, 2));
    expect(first.nextCursor).toEqual(expect.any(String));

    const second = expectData(await listOrganizations(owner.accessToken, accountId, { limit: 2, cursor: first.nextCursor ?? '' }), 200);
    expect(second.items.map((o) => o.id)).toEqual(created.slice(2));
    const rest = second.nextCursor ? expectData(await listOrganizations(owner.accessToken, accountId, { limit: 2, cursor: second.nextCursor }), 200) : undefined;
    expect(rest?.items ?? []).toEqual([]);
  });

  it('shows a scoped member only the organizations they reach, directly or through a group, paged', async () => {
    const { accountId, owner } = await createAccount(api);
    const [a, b, c, d] = [
      await createOrganization(api, accountId, owner.accessToken),
      await createOrganization(api, accountId, owner.accessToken),
      await createOrganization(api, accountId, owner.accessToken),
      await createOrganization(api, accountId, owner.accessToken),
    ];
    const group = await createGroup(api, accountId, owner.accessToken, [c.id]);
    const viewer = await addMember(api, accountId, 'viewer', { organizations: [a.id], groups: [group.id] });

    const first = expectData(await listOrganizations(viewer.accessToken, accountId, { limit: 1 }), 200);
    expect(first.items.map((o) => o.id)).toEqual([a.id]);
    const second = expectData(await listOrganizations(viewer.accessToken, accountId, { limit: 1, cursor: first.nextCursor ?? '' }), 200);
    expect(second.items.map((o) => o.id)).toEqual([c.id]);
    expect(second.nextCursor).toBeNull();
    const all = expectData(await listOrganizations(viewer.accessToken, accountId), 200);
    expect(all.items.map((o) => o.id)).toEqual([a.id, c.id]);
    expect(all.items.map((o) => o.id)).not.toContain(b.id);
    expect(all.items.map((o) => o.id)).not.toContain(d.id);
  });

  it('refuses a malformed cursor and a cursor of another account with 400 naming query.cursor', async () => {
    const { accountId, owner } = await createAccount(api);
    const other = await createAccount(api);
    for (let i = 0; i < 2; i++) await createOrganization(api, other.accountId, other.owner.accessToken);
    const foreign = expectData(await listOrganizations(other.owner.accessToken, other.accountId, { limit: 1 }), 200);

    for (const cursor of ['not-a-cursor', foreign.nextCursor ?? '', Buffer.from('{"pk":1}').toString('base64url')]) {
      const problem = expectProblem(await listOrganizations(owner.accessToken, accountId, { cursor }), 400, 'validation_failed');
      expect(problem, cursor).toMatchObject({ code: 'validation_failed', errors: [{ field: 'query.cursor' }] });
    }
  });
});

describe('updating organizations', () => {
  it('changes only the fields sent and records which', async () => {
    const { accountId, owner } = await createAccount(api);
    const organization = await createOrganization(api, accountId, owner.accessToken, { settings: { smsAllowedCountries: ['FR'] } });

    const client = api.as(owner.accessToken);
    const updated = expectData(await client.PATCH('/v2/organizations/{orgId}', { ...ofOrg(organization.id), body: { settings: { smsDailyLimit: 25 } } }), 200);
    expect(updated.settings).toEqual({ requireMfa: false, smsDailyLimit: 25, smsAllowedCountries: ['FR'], emailDailyLimit: 1000 });
    expect(updated.name).toBe(organization.name);

    const renamed = expectData(await client.PATCH('/v2/organizations/{orgId}', { ...ofOrg(organization.id), body: { name: 'Renamed' } }), 200);
    expect(renamed).toMatchObject({ name: 'Renamed', settings: { smsDailyLimit: 25, smsAllowedCountries: ['FR'] } });
    expect(expectData(await client.GET('/v2/organizations/{orgId}', ofOrg(organization.id)), 200)).toEqual(renamed);

    const updates = (await eventsOf(accountId)).filter((e) => e.type === 'organization.updated');
    expect(updates.map((e) => e.details.fields)).toEqual([['name'], ['settings.smsDailyLimit']]);
    expect(updates[0]).toMatchObject({ organizationId: organization.id, actor: { kind: 'operator', id: owner.userId } });
  });

  it('lets a manage key update an organization it reaches, audited as the key', async () => {
    const { accountId, owner } = await createAccount(api);
    const organization = await createOrganization(api, accountId, owner.accessToken);
    const key = await createApiKey(accountId, ['manage'], [organization.id]);
    const response = await api.as({ apikey: key }).PATCH('/v2/organizations/{orgId}', { ...ofOrg(organization.id), body: { settings: { requireMfa: true } } });
    expectData(response, 200);
    const [event] = (await eventsOf(accountId)).filter((e) => e.type === 'organization.updated');
    expect(event?.actor).toEqual({ kind: 'key', id: key.split('_')[1] });
  });

  // A table of bodies the contract refuses, several of them not even of the right type: raw.
  it.each([
    [{ settings: { smsDailyLimit: -1 } }, 'body.settings.smsDailyLimit'],
    [{ settings: { smsDailyLimit: 1.5 } }, 'body.settings.smsDailyLimit'],
    [{ settings: { smsDailyLimit: 1_000_001 } }, 'body.settings.smsDailyLimit'],
    [{ settings: { smsDailyLimit: '10' } }, 'body.settings.smsDailyLimit'],
    [{ settings: { requireMfa: 'yes' } }, 'body.settings.requireMfa'],
    [{ settings: { smsAllowedCountries: ['us'] } }, 'body.settings.smsAllowedCountries.0'],
    [{ settings: { smsAllowedCountries: ['GB', 'ZZ'] } }, 'body.settings.smsAllowedCountries.1'],
    [{ settings: { smsAllowedCountries: ['GB', 'GB'] } }, 'body.settings.smsAllowedCountries.1'],
    [{ settings: { smsAllowedCountries: 'GB' } }, 'body.settings.smsAllowedCountries'],
    [{ settings: { colour: 'red' } }, 'body.settings.colour'],
    [{ name: '' }, 'body.name'],
    [{ name: 'x'.repeat(101) }, 'body.name'],
    [{ status: 'deleted' }, 'body.status'],
  ])('refuses %j with 400 naming %s, changing nothing', async (body, field) => {
    const { accountId, owner } = await createAccount(api);
    const organization = await createOrganization(api, accountId, owner.accessToken);
    const response = await api.raw('PATCH', `/v2/organizations/${organization.id}`, { token: owner.accessToken, body });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({ code: 'validation_failed', errors: [{ field }] });
    const create = await api.raw('POST', `/v2/accounts/${accountId}/organizations`, { token: owner.accessToken, body: { name: 'ok', ...body } });
    expect(create.status).toBe(400);
    expect(expectData(await api.as(owner.accessToken).GET('/v2/organizations/{orgId}', ofOrg(organization.id)), 200)).toEqual(organization);
  });

  it('refuses more than 250 country codes', async () => {
    const { accountId, owner } = await createAccount(api);
    const organization = await createOrganization(api, accountId, owner.accessToken);
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const tooMany = Array.from({ length: 251 }, (_, i) => `${letters[Math.floor(i / 26) % 26]}${letters[i % 26]}`);
    const response = await api.as(owner.accessToken).PATCH('/v2/organizations/{orgId}', { ...ofOrg(organization.id), body: { settings: { smsAllowedCountries: tooMany } } });
    expect(expectProblem(response, 400).errors).toContainEqual({ field: 'body.settings.smsAllowedCountries', message: 'must have at most 250 entries' });
  });
});

describe('deleting organizations', () => {
  it('tombstones it: later requests answer 404, lists and groups drop it, events record it', async () => {
    const { accountId, owner } = await createAccount(api);
    const organization = await createOrganization(api, accountId, owner.accessToken);
    const keep = await createOrganization(api, accountId, owner.accessToken);
    const group = await createGroup(api, accountId, owner.accessToken, [organization.id, keep.id]);
    const key = await createApiKey(accountId, ['manage'], 'all');

    const client = api.as(owner.accessToken);
    const path = ofOrg(organization.id);
    expectStatus(await client.DELETE('/v2/organizations/{orgId}', path), 204);

    expectProblem(await client.GET('/v2/organizations/{orgId}', path), 404);
    expectProblem(await api.as({ apikey: key }).GET('/v2/organizations/{orgId}', path), 404);
    expectProblem(await client.PATCH('/v2/organizations/{orgId}', { ...path, body: { name: 'back' } }), 404);
    expectProblem(await client.DELETE('/v2/organizations/{orgId}', path), 404);
    const list = expectData(await listOrganizations(owner.accessToken, accountId), 200);
    expect(list.items.map((o) => o.id)).toEqual([keep.id]);
    const groupPath = { params: { path: { accountId, groupId: group.id } } };
    const readGroup = expectData(await client.GET('/v2/accounts/{accountId}/groups/{groupId}', groupPath), 200);
    expect(readGroup.organizations).toEqual([keep.id]);
    // A group cannot take it back either.
    const readd = await client.PATCH('/v2/accounts/{accountId}/groups/{groupId}', { ...groupPath, body: { organizations: [keep.id, organization.id] } });
    expect(expectProblem(readd, 400)).toMatchObject({ errors: [{ field: 'body.organizations.1' }] });

    const raw = await rawOrganization(organization.id);
    expect(raw?.status).toBe('deleted');
    expect(typeof raw?.deletedAt).toBe('string');
    expect(raw?.gsi1pk).toBeUndefined();
    const [event] = (await eventsOf(accountId)).filter((e) => e.type === 'organization.deleted');
    expect(event).toMatchObject({ organizationId: organization.id, target: { type: 'organization', id: organization.id }, actor: { kind: 'operator', id: owner.userId } });
  });

  it('removes it from every group of the account in the same transaction', async () => {
    const { accountId, owner } = await createAccount(api);
    const organization = await createOrganization(api, accountId, owner.accessToken);
    const groups = [];
    for (let i = 0; i < 5; i++) groups.push(await createGroup(api, accountId, owner.accessToken, [organization.id]));
    const viewer = await addMember(api, accountId, 'viewer', { organizations: [], groups: groups.map((g) => g.id) });
    expectData(await api.as(viewer.accessToken).GET('/v2/organizations/{orgId}', ofOrg(organization.id)), 200);

    expectStatus(await api.as(owner.accessToken).DELETE('/v2/organizations/{orgId}', ofOrg(organization.id)), 204);
    for (const group of groups) {
      const read = await api.as(owner.accessToken).GET('/v2/accounts/{accountId}/groups/{groupId}', { params: { path: { accountId, groupId: group.id } } });
      expect(expectData(read, 200).organizations).toEqual([]);
    }
    expectProblem(await api.as(viewer.accessToken).GET('/v2/organizations/{orgId}', ofOrg(organization.id)), 404);
  });

  it('lets exactly one of two concurrent deletes win', async () => {
    const { accountId, owner } = await createAccount(api);
    const organization = await createOrganization(api, accountId, owner.accessToken);
    const statuses = await Promise.all(
      [1, 2].map(async () => (await api.as(owner.accessToken).DELETE('/v2/organizations/{orgId}', ofOrg(organization.id))).response.status),
    );
    expect(statuses.sort()).toEqual([204, 404]);
    expect((await eventsOf(accountId)).filter((e) => e.type === 'organization.deleted')).toHaveLength(1);
  });
});
