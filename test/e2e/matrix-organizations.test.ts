/**
 * Who may do what on the account, organization and group routes: every route × every kind of caller,
 * then the same routes with a second account's owner and key, then bad input on each route.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { SuccessBody } from '#client/index.ts';
import type { RouteId } from '#shared/http/manifest.ts';
import { useLocalApi, type RequestOptions } from '#test/support/local-api.ts';
import { addMember, createAccount, type TestAccount } from '#test/support/tenancy.ts';
import { createApiKey, createGroup, createOrganization, eventsOf } from '#test/support/organizations.ts';

const api = useLocalApi();

const ACTORS = ['owner', 'manager', 'viewer', 'outOfScopeManager', 'manageKey', 'authenticateKey'] as const;
type ActorName = (typeof ACTORS)[number];

interface Fixture {
  account: TestAccount;
  orgId: string;
  otherOrgId: string;
  groupId: string;
  credentials: Record<ActorName, RequestOptions>;
}

let fx: Fixture;

beforeAll(async () => {
  const account = await createAccount(api);
  const token = account.owner.accessToken;
  const org = await createOrganization(api, account.accountId, token);
  const otherOrg = await createOrganization(api, account.accountId, token);
  const group = await createGroup(api, account.accountId, token, [org.id]);
  const [manager, viewer, outOfScopeManager] = await Promise.all([
    addMember(api, account.accountId, 'manager', 'all'),
    addMember(api, account.accountId, 'viewer', 'all'),
    addMember(api, account.accountId, 'manager', { organizations: [otherOrg.id], groups: [] }),
  ]);
  fx = {
    account,
    orgId: org.id,
    otherOrgId: otherOrg.id,
    groupId: group.id,
    credentials: {
      owner: { token },
      manager: { token: manager.accessToken },
      viewer: { token: viewer.accessToken },
      outOfScopeManager: { token: outOfScopeManager.accessToken },
      manageKey: { headers: { apikey: await createApiKey(account.accountId, ['manage'], 'all') } },
      authenticateKey: { headers: { apikey: await createApiKey(account.accountId, ['authenticate'], 'all') } },
    },
  };
}, 120_000);

interface Call {
  method: string;
  path: string;
  body?: unknown;
  /** Read back after a refusal: the resource must be unchanged. */
  readBack?: string;
}

/**
 * Each route: how to call it for the fixture (destructive routes get a fresh target), and the answer
 * each caller gets. Keys are refused with 401 on `bearer` routes (the route takes no key at all).
 */
const MATRIX: Partial<Record<RouteId, { call: () => Call | Promise<Call>; expected: Record<ActorName, number> }>> = {
  getAccount: {
    call: () => ({ method: 'GET', path: `/v2/accounts/${fx.account.accountId}` }),
    expected: { owner: 200, manager: 200, viewer: 200, outOfScopeManager: 200, manageKey: 401, authenticateKey: 401 },
  },
  updateAccount: {
    call: () => ({ method: 'PATCH', path: `/v2/accounts/${fx.account.accountId}`, body: { settings: { requireMfa: false } } }),
    expected: { owner: 200, manager: 403, viewer: 403, outOfScopeManager: 403, manageKey: 401, authenticateKey: 401 },
  },
  createOrganization: {
    call: () => ({ method: 'POST', path: `/v2/accounts/${fx.account.accountId}/organizations`, body: { name: 'matrix' } }),
    expected: { owner: 201, manager: 403, viewer: 403, outOfScopeManager: 403, manageKey: 401, authenticateKey: 401 },
  },
  listOrganizations: {
    call: () => ({ method: 'GET', path: `/v2/accounts/${fx.account.accountId}/organizations` }),
    expected: { owner: 200, manager: 200, viewer: 200, outOfScopeManager: 200, manageKey: 401, authenticateKey: 401 },
  },
  getOrganization: {
    call: () => ({ method: 'GET', path: `/v2/organizations/${fx.orgId}` }),
    expected: { owner: 200, manager: 200, viewer: 200, outOfScopeManager: 403, manageKey: 200, authenticateKey: 403 },
  },
  updateOrganization: {
    call: () => ({ method: 'PATCH', path: `/v2/organizations/${fx.orgId}`, body: { settings: { smsDailyLimit: 500 } } }),
    expected: { owner: 200, manager: 200, viewer: 403, outOfScopeManager: 403, manageKey: 200, authenticateKey: 403 },
  },
  deleteOrganization: {
    call: async () => {
      const { id } = await createOrganization(api, fx.account.accountId, fx.account.owner.accessToken);
      return { method: 'DELETE', path: `/v2/organizations/${id}`, readBack: `/v2/organizations/${id}` };
    },
    expected: { owner: 204, manager: 403, viewer: 403, outOfScopeManager: 403, manageKey: 403, authenticateKey: 403 },
  },
  createGroup: {
    call: () => ({ method: 'POST', path: `/v2/accounts/${fx.account.accountId}/groups`, body: { name: 'matrix', organizations: [fx.orgId] } }),
    expected: { owner: 201, manager: 403, viewer: 403, outOfScopeManager: 403, manageKey: 401, authenticateKey: 401 },
  },
  listGroups: {
    call: () => ({ method: 'GET', path: `/v2/accounts/${fx.account.accountId}/groups` }),
    expected: { owner: 200, manager: 200, viewer: 200, outOfScopeManager: 200, manageKey: 401, authenticateKey: 401 },
  },
  getGroup: {
    call: () => ({ method: 'GET', path: `/v2/accounts/${fx.account.accountId}/groups/${fx.groupId}` }),
    expected: { owner: 200, manager: 200, viewer: 200, outOfScopeManager: 200, manageKey: 401, authenticateKey: 401 },
  },
  updateGroup: {
    call: async () => {
      const group = await createGroup(api, fx.account.accountId, fx.account.owner.accessToken, [fx.orgId]);
      const path = `/v2/accounts/${fx.account.accountId}/groups/${group.id}`;
      return { method: 'PATCH', path, body: { organizations: [fx.orgId, fx.otherOrgId] }, readBack: path };
    },
    expected: { owner: 200, manager: 403, viewer: 403, outOfScopeManager: 403, manageKey: 401, authenticateKey: 401 },
  },
  deleteGroup: {
    call: async () => {
      const group = await createGroup(api, fx.account.accountId, fx.account.owner.accessToken);
      const path = `/v2/accounts/${fx.account.accountId}/groups/${group.id}`;
      return { method: 'DELETE', path, readBack: path };
    },
    expected: { owner: 204, manager: 403, viewer: 403, outOfScopeManager: 403, manageKey: 401, authenticateKey: 401 },
  },
};

const ROUTE_IDS = Object.keys(MATRIX) as RouteId[];

describe('role × route matrix', () => {
  it('covers every account, organization and group route', () => {
    expect(ROUTE_IDS.sort()).toEqual(
      ['getAccount', 'updateAccount', 'createOrganization', 'listOrganizations', 'getOrganization', 'updateOrganization', 'deleteOrganization', 'createGroup', 'listGroups', 'getGroup', 'updateGroup', 'deleteGroup'].sort(),
    );
  });

  it.each(ROUTE_IDS)('%s answers each caller as documented', async (routeId) => {
    const entry = MATRIX[routeId];
    if (!entry) throw new Error(routeId);
    const answers: Record<string, number> = {};
    for (const actor of ACTORS) {
      const call = await entry.call();
      const before = call.readBack ? await api.request('GET', call.readBack, fx.credentials.owner) : undefined;
      const response = await api.request(call.method, call.path, { ...fx.credentials[actor], ...(call.body !== undefined ? { body: call.body } : {}) });
      answers[actor] = response.status;
      if (response.status >= 400) {
        expect(response.headers.get('content-type'), `${routeId} ${actor}`).toMatch(/json/);
        if (before) expect((await api.request('GET', call.readBack ?? '', fx.credentials.owner)).body, `${routeId} ${actor} changed it`).toEqual(before.body);
      }
    }
    expect(answers).toEqual(entry.expected);
  });

  it('lets the out-of-scope manager work on the organization in their scope', async () => {
    const token = fx.credentials.outOfScopeManager;
    expect((await api.request('GET', `/v2/organizations/${fx.otherOrgId}`, token)).status).toBe(200);
    expect((await api.request('PATCH', `/v2/organizations/${fx.otherOrgId}`, { ...token, body: { name: 'mine' } })).status).toBe(200);
    const list = await api.request<SuccessBody<'/v2/accounts/{accountId}/organizations', 'get'>>('GET', `/v2/accounts/${fx.account.accountId}/organizations`, token);
    expect(list.body.items.map((o) => o.id)).toEqual([fx.otherOrgId]);
  });

  it('confines a manage key scoped to one organization to that organization', async () => {
    const key = { headers: { apikey: await createApiKey(fx.account.accountId, ['manage'], [fx.otherOrgId]) } };
    expect((await api.request('GET', `/v2/organizations/${fx.otherOrgId}`, key)).status).toBe(200);
    expect((await api.request('GET', `/v2/organizations/${fx.orgId}`, key)).status).toBe(403);
    expect((await api.request('PATCH', `/v2/organizations/${fx.orgId}`, { ...key, body: { name: 'no' } })).status).toBe(403);
  });
});

describe('another tenant', () => {
  it('gets 404 (or 401 for a key on an operator-only route) on every route with the first account’s ids, and changes nothing', async () => {
    const { accountId } = fx.account;
    const owner = fx.credentials.owner;
    const other = await createAccount(api);
    const otherOwner = { token: other.owner.accessToken };
    const otherKey = { headers: { apikey: await createApiKey(other.accountId, ['manage', 'authenticate'], 'all') } };

    const snapshot = async () => ({
      account: (await api.request('GET', `/v2/accounts/${accountId}`, owner)).body,
      organization: (await api.request('GET', `/v2/organizations/${fx.orgId}`, owner)).body,
      group: (await api.request('GET', `/v2/accounts/${accountId}/groups/${fx.groupId}`, owner)).body,
      organizations: (await api.request('GET', `/v2/accounts/${accountId}/organizations?limit=100`, owner)).body,
      groups: (await api.request('GET', `/v2/accounts/${accountId}/groups?limit=100`, owner)).body,
      events: (await eventsOf(accountId)).length,
    });
    const before = await snapshot();

    const calls: { id: RouteId; method: string; path: string; body?: unknown }[] = [
      { id: 'getAccount', method: 'GET', path: `/v2/accounts/${accountId}` },
      { id: 'updateAccount', method: 'PATCH', path: `/v2/accounts/${accountId}`, body: { name: 'taken over', billingContact: null } },
      { id: 'createOrganization', method: 'POST', path: `/v2/accounts/${accountId}/organizations`, body: { name: 'planted' } },
      { id: 'listOrganizations', method: 'GET', path: `/v2/accounts/${accountId}/organizations` },
      { id: 'getOrganization', method: 'GET', path: `/v2/organizations/${fx.orgId}` },
      { id: 'updateOrganization', method: 'PATCH', path: `/v2/organizations/${fx.orgId}`, body: { settings: { smsDailyLimit: 1_000_000 } } },
      { id: 'deleteOrganization', method: 'DELETE', path: `/v2/organizations/${fx.orgId}` },
      { id: 'createGroup', method: 'POST', path: `/v2/accounts/${accountId}/groups`, body: { name: 'planted', organizations: [fx.orgId] } },
      { id: 'listGroups', method: 'GET', path: `/v2/accounts/${accountId}/groups` },
      { id: 'getGroup', method: 'GET', path: `/v2/accounts/${accountId}/groups/${fx.groupId}` },
      { id: 'updateGroup', method: 'PATCH', path: `/v2/accounts/${accountId}/groups/${fx.groupId}`, body: { organizations: [] } },
      { id: 'deleteGroup', method: 'DELETE', path: `/v2/accounts/${accountId}/groups/${fx.groupId}` },
    ];
    expect(calls.map((c) => c.id).sort()).toEqual([...ROUTE_IDS].sort());

    const organizationLevel = new Set<RouteId>(['getOrganization', 'updateOrganization', 'deleteOrganization']);
    for (const call of calls) {
      const options = call.body !== undefined ? { body: call.body } : {};
      const asOwner = await api.request(call.method, call.path, { ...otherOwner, ...options });
      expect(asOwner.status, `${call.id} with the other owner`).toBe(404);
      expect(asOwner.body).toMatchObject({ code: 'not_found' });
      const asKey = await api.request(call.method, call.path, { ...otherKey, ...options });
      expect(asKey.status, `${call.id} with the other key`).toBe(organizationLevel.has(call.id) ? 404 : 401);
    }

    // Their own account routes cannot pull the first account's organization into a group either.
    const ownGroup = await createGroup(api, other.accountId, other.owner.accessToken);
    const smuggle = await api.request('POST', `/v2/accounts/${other.accountId}/groups`, { ...otherOwner, body: { name: 'x', organizations: [fx.orgId] } });
    expect(smuggle.status).toBe(400);
    expect(smuggle.body).toMatchObject({ errors: [{ field: 'body.organizations.0', message: 'is not an organization of this account' }] });
    const smuggleUpdate = await api.request('PATCH', `/v2/accounts/${other.accountId}/groups/${ownGroup.id}`, { ...otherOwner, body: { organizations: [fx.orgId] } });
    expect(smuggleUpdate.status).toBe(400);
    // And the other account's lists show nothing of the first.
    const theirOrgs = await api.request<SuccessBody<'/v2/accounts/{accountId}/organizations', 'get'>>('GET', `/v2/accounts/${other.accountId}/organizations`, otherOwner);
    expect(theirOrgs.body.items).toEqual([]);

    expect(await snapshot()).toEqual(before);
  });
});

describe('bad input on every route', () => {
  it('answers 400 problem+json naming the field', async () => {
    const { accountId } = fx.account;
    const owner = fx.credentials.owner;
    const cases: { id: RouteId; method: string; path: string; body?: unknown; field: string }[] = [
      { id: 'getAccount', method: 'GET', path: '/v2/accounts/acc.x', field: 'params.accountId' },
      { id: 'updateAccount', method: 'PATCH', path: `/v2/accounts/${accountId}`, body: { name: 5 }, field: 'body.name' },
      { id: 'createOrganization', method: 'POST', path: `/v2/accounts/${accountId}/organizations`, body: {}, field: 'body.name' },
      { id: 'listOrganizations', method: 'GET', path: `/v2/accounts/${accountId}/organizations?limit=0`, field: 'query.limit' },
      { id: 'getOrganization', method: 'GET', path: '/v2/organizations/org.x', field: 'params.orgId' },
      { id: 'updateOrganization', method: 'PATCH', path: `/v2/organizations/${fx.orgId}`, body: { settings: { smsAllowedCountries: ['XX'] } }, field: 'body.settings.smsAllowedCountries.0' },
      { id: 'deleteOrganization', method: 'DELETE', path: '/v2/organizations/org.x', field: 'params.orgId' },
      { id: 'createGroup', method: 'POST', path: `/v2/accounts/${accountId}/groups`, body: { name: 'g', organizations: 'all' }, field: 'body.organizations' },
      { id: 'listGroups', method: 'GET', path: `/v2/accounts/${accountId}/groups?limit=abc`, field: 'query.limit' },
      { id: 'getGroup', method: 'GET', path: `/v2/accounts/${accountId}/groups/grp.x`, field: 'params.groupId' },
      { id: 'updateGroup', method: 'PATCH', path: `/v2/accounts/${accountId}/groups/${fx.groupId}`, body: { name: '' }, field: 'body.name' },
      { id: 'deleteGroup', method: 'DELETE', path: `/v2/accounts/${accountId}/groups/grp.x`, field: 'params.groupId' },
    ];
    expect(cases.map((c) => c.id).sort()).toEqual([...ROUTE_IDS].sort());
    for (const c of cases) {
      const response = await api.request(c.method, c.path, { ...owner, ...(c.body !== undefined ? { body: c.body } : {}) });
      expect(response.status, c.id).toBe(400);
      expect(response.headers.get('content-type'), c.id).toBe('application/problem+json');
      expect(response.body, c.id).toMatchObject({ code: 'validation_failed', errors: [{ field: c.field }] });
    }
    const malformed = await api.request('PATCH', `/v2/organizations/${fx.orgId}`, { ...owner, rawBody: '{', headers: { 'content-type': 'application/json' } });
    expect(malformed.body).toMatchObject({ code: 'invalid_json' });
  });
});
