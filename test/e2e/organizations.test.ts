import { describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '#shared/config.ts';
import { documentClient } from '#shared/container.ts';
import { organizationKey } from '#shared/data/keys.ts';
import { OrganizationList, OrganizationResponse } from '#shared/schemas/organizations.ts';
import { useLocalApi } from '#test/support/local-api.ts';
import { addMember, createAccount } from '#test/support/tenancy.ts';
import { createApiKey, createGroup, createOrganization, eventsOf, type OrganizationBody } from '#test/support/organizations.ts';

const api = useLocalApi();

type List = { items: OrganizationBody[]; nextCursor: string | null };

const rawOrganization = async (orgId: string) =>
  (await documentClient().send(new GetCommand({ TableName: config().tableName, Key: organizationKey(orgId), ConsistentRead: true }))).Item;

describe('creating and reading organizations', () => {
  it('creates an organization with default settings and reads it back', async () => {
    const { accountId, owner } = await createAccount(api);
    const response = await api.request<OrganizationBody>('POST', `/v2/accounts/${accountId}/organizations`, { token: owner.accessToken, body: { name: '  Acme Ltd  ' } });

    expect(response.status).toBe(201);
    expect(OrganizationResponse.strict().parse(response.body)).toMatchObject({
      accountId,
      name: 'Acme Ltd',
      settings: { requireMfa: false, smsDailyLimit: 1000, smsAllowedCountries: [] },
    });
    expect(response.body.id).toMatch(/^org_/);
    const read = await api.request('GET', `/v2/organizations/${response.body.id}`, { token: owner.accessToken });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(response.body);
  });

  it('stores the settings given on create', async () => {
    const { accountId, owner } = await createAccount(api);
    const settings = { requireMfa: true, smsDailyLimit: 0, smsAllowedCountries: ['GB', 'US'] };
    const organization = await createOrganization(api, accountId, owner.accessToken, { settings });
    expect(organization.settings).toEqual(settings);
    const partial = await createOrganization(api, accountId, owner.accessToken, { settings: { smsDailyLimit: 50 } });
    expect(partial.settings).toEqual({ requireMfa: false, smsDailyLimit: 50, smsAllowedCountries: [] });
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

    const first = await api.request<List>('GET', `/v2/accounts/${accountId}/organizations?limit=2`, { token: owner.accessToken });
    expect(first.status).toBe(200);
    expect(OrganizationList.parse(first.body).items.map((o) => o.id)).toEqual(created.slice(0, 2));
    expect(first.body.nextCursor).toEqual(expect.any(String));

    const second = await api.request<List>('GET', `/v2/accounts/${accountId}/organizations?limit=2&cursor=${first.body.nextCursor ?? ''}`, { token: owner.accessToken });
    expect(second.body.items.map((o) => o.id)).toEqual(created.slice(2));
    const rest = second.body.nextCursor
      ? await api.request<List>('GET', `/v2/accounts/${accountId}/organizations?limit=2&cursor=${second.body.nextCursor}`, { token: owner.accessToken })
      : undefined;
    expect(rest?.body.items ?? []).toEqual([]);
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

    const first = await api.request<List>('GET', `/v2/accounts/${accountId}/organizations?limit=1`, { token: viewer.accessToken });
    expect(first.status).toBe(200);
    expect(first.body.items.map((o) => o.id)).toEqual([a.id]);
    const second = await api.request<List>('GET', `/v2/accounts/${accountId}/organizations?limit=1&cursor=${first.body.nextCursor ?? ''}`, { token: viewer.accessToken });
    expect(second.body.items.map((o) => o.id)).toEqual([c.id]);
    expect(second.body.nextCursor).toBeNull();
    const all = await api.request<List>('GET', `/v2/accounts/${accountId}/organizations`, { token: viewer.accessToken });
    expect(all.body.items.map((o) => o.id)).toEqual([a.id, c.id]);
    expect(all.body.items.map((o) => o.id)).not.toContain(b.id);
    expect(all.body.items.map((o) => o.id)).not.toContain(d.id);
  });

  it('refuses a malformed cursor and a cursor of another account with 400 naming query.cursor', async () => {
    const { accountId, owner } = await createAccount(api);
    const other = await createAccount(api);
    for (let i = 0; i < 2; i++) await createOrganization(api, other.accountId, other.owner.accessToken);
    const foreign = await api.request<List>('GET', `/v2/accounts/${other.accountId}/organizations?limit=1`, { token: other.owner.accessToken });

    for (const cursor of ['not-a-cursor', foreign.body.nextCursor ?? '', Buffer.from('{"pk":1}').toString('base64url')]) {
      const response = await api.request('GET', `/v2/accounts/${accountId}/organizations?cursor=${cursor}`, { token: owner.accessToken });
      expect(response.status, cursor).toBe(400);
      expect(response.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'query.cursor' }] });
    }
  });
});

describe('updating organizations', () => {
  it('changes only the fields sent and records which', async () => {
    const { accountId, owner } = await createAccount(api);
    const organization = await createOrganization(api, accountId, owner.accessToken, { settings: { smsAllowedCountries: ['FR'] } });

    const response = await api.request<OrganizationBody>('PATCH', `/v2/organizations/${organization.id}`, {
      token: owner.accessToken,
      body: { settings: { smsDailyLimit: 25 } },
    });
    expect(response.status).toBe(200);
    expect(response.body.settings).toEqual({ requireMfa: false, smsDailyLimit: 25, smsAllowedCountries: ['FR'] });
    expect(response.body.name).toBe(organization.name);

    const renamed = await api.request<OrganizationBody>('PATCH', `/v2/organizations/${organization.id}`, { token: owner.accessToken, body: { name: 'Renamed' } });
    expect(renamed.body).toMatchObject({ name: 'Renamed', settings: { smsDailyLimit: 25, smsAllowedCountries: ['FR'] } });
    const read = await api.request<OrganizationBody>('GET', `/v2/organizations/${organization.id}`, { token: owner.accessToken });
    expect(read.body).toEqual(renamed.body);

    const updates = (await eventsOf(accountId)).filter((e) => e.type === 'organization.updated');
    expect(updates.map((e) => e.details.fields)).toEqual([['name'], ['settings.smsDailyLimit']]);
    expect(updates[0]).toMatchObject({ organizationId: organization.id, actor: { kind: 'operator', id: owner.userId } });
  });

  it('lets a manage key update an organization it reaches, audited as the key', async () => {
    const { accountId, owner } = await createAccount(api);
    const organization = await createOrganization(api, accountId, owner.accessToken);
    const key = await createApiKey(accountId, ['manage'], [organization.id]);
    const response = await api.request('PATCH', `/v2/organizations/${organization.id}`, { headers: { apikey: key }, body: { settings: { requireMfa: true } } });
    expect(response.status).toBe(200);
    const [event] = (await eventsOf(accountId)).filter((e) => e.type === 'organization.updated');
    expect(event?.actor).toEqual({ kind: 'key', id: key.split('_')[1] });
  });

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
    const response = await api.request('PATCH', `/v2/organizations/${organization.id}`, { token: owner.accessToken, body });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({ code: 'validation_failed', errors: [{ field }] });
    const create = await api.request('POST', `/v2/accounts/${accountId}/organizations`, { token: owner.accessToken, body: { name: 'ok', ...body } });
    expect(create.status).toBe(400);
    expect((await api.request('GET', `/v2/organizations/${organization.id}`, { token: owner.accessToken })).body).toEqual(organization);
  });

  it('refuses more than 250 country codes', async () => {
    const { accountId, owner } = await createAccount(api);
    const organization = await createOrganization(api, accountId, owner.accessToken);
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const tooMany = Array.from({ length: 251 }, (_, i) => `${letters[Math.floor(i / 26) % 26]}${letters[i % 26]}`);
    const response = await api.request('PATCH', `/v2/organizations/${organization.id}`, { token: owner.accessToken, body: { settings: { smsAllowedCountries: tooMany } } });
    expect(response.status).toBe(400);
    expect(response.body.errors).toContainEqual({ field: 'body.settings.smsAllowedCountries', message: 'must have at most 250 entries' });
  });
});

describe('deleting organizations', () => {
  it('tombstones it: later requests answer 404, lists and groups drop it, events record it', async () => {
    const { accountId, owner } = await createAccount(api);
    const organization = await createOrganization(api, accountId, owner.accessToken);
    const keep = await createOrganization(api, accountId, owner.accessToken);
    const group = await createGroup(api, accountId, owner.accessToken, [organization.id, keep.id]);
    const key = await createApiKey(accountId, ['manage'], 'all');

    const response = await api.request('DELETE', `/v2/organizations/${organization.id}`, { token: owner.accessToken });
    expect(response.status).toBe(204);

    const path = `/v2/organizations/${organization.id}`;
    expect((await api.request('GET', path, { token: owner.accessToken })).status).toBe(404);
    expect((await api.request('GET', path, { headers: { apikey: key } })).status).toBe(404);
    expect((await api.request('PATCH', path, { token: owner.accessToken, body: { name: 'back' } })).status).toBe(404);
    expect((await api.request('DELETE', path, { token: owner.accessToken })).status).toBe(404);
    const list = await api.request<List>('GET', `/v2/accounts/${accountId}/organizations`, { token: owner.accessToken });
    expect(list.body.items.map((o) => o.id)).toEqual([keep.id]);
    const readGroup = await api.request<{ organizations: string[] }>('GET', `/v2/accounts/${accountId}/groups/${group.id}`, { token: owner.accessToken });
    expect(readGroup.body.organizations).toEqual([keep.id]);
    // A group cannot take it back either.
    const readd = await api.request('PATCH', `/v2/accounts/${accountId}/groups/${group.id}`, { token: owner.accessToken, body: { organizations: [keep.id, organization.id] } });
    expect(readd.status).toBe(400);
    expect(readd.body).toMatchObject({ errors: [{ field: 'body.organizations.1' }] });

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
    expect((await api.request('GET', `/v2/organizations/${organization.id}`, { token: viewer.accessToken })).status).toBe(200);

    expect((await api.request('DELETE', `/v2/organizations/${organization.id}`, { token: owner.accessToken })).status).toBe(204);
    for (const group of groups) {
      const read = await api.request<{ organizations: string[] }>('GET', `/v2/accounts/${accountId}/groups/${group.id}`, { token: owner.accessToken });
      expect(read.body.organizations).toEqual([]);
    }
    expect((await api.request('GET', `/v2/organizations/${organization.id}`, { token: viewer.accessToken })).status).toBe(404);
  });

  it('lets exactly one of two concurrent deletes win', async () => {
    const { accountId, owner } = await createAccount(api);
    const organization = await createOrganization(api, accountId, owner.accessToken);
    const statuses = await Promise.all(
      [1, 2].map(async () => (await api.request('DELETE', `/v2/organizations/${organization.id}`, { token: owner.accessToken })).status),
    );
    expect(statuses.sort()).toEqual([204, 404]);
    expect((await eventsOf(accountId)).filter((e) => e.type === 'organization.deleted')).toHaveLength(1);
  });
});
