/**
 * Who may do what on the sign-in directory routes (systems, end users, access grants): every route ×
 * every kind of caller, then every route with a second account's owner and key, then bad input on each.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RouteId } from '#shared/http/manifest.ts';
import { signInDirectory } from '#shared/compose/directory.ts';
import { useLocalApi, type RequestOptions } from '#test/support/local-api.ts';
import { addMember, createAccount, type TestAccount } from '#test/support/tenancy.ts';
import { createApiKey, createOrganization, eventsOf } from '#test/support/organizations.ts';
import { createEndUser, createSystem, grantAccess, uniqueEndUserEmail, uniquePhone, uniqueSystemName } from '#test/support/directory.ts';

const api = useLocalApi();

const ACTORS = ['owner', 'manager', 'viewer', 'outOfScopeManager', 'manageKey', 'authenticateKey'] as const;
type ActorName = (typeof ACTORS)[number];

interface Fixture {
  account: TestAccount;
  orgId: string;
  systemName: string;
  userId: string;
  credentials: Record<ActorName, RequestOptions>;
}

let fx: Fixture;

beforeAll(async () => {
  const account = await createAccount(api);
  const token = account.owner.accessToken;
  const org = await createOrganization(api, account.accountId, token);
  const otherOrg = await createOrganization(api, account.accountId, token);
  const [manager, viewer, outOfScopeManager] = await Promise.all([
    addMember(api, account.accountId, 'manager', 'all'),
    addMember(api, account.accountId, 'viewer', 'all'),
    addMember(api, account.accountId, 'manager', { organizations: [otherOrg.id], groups: [] }),
  ]);
  const system = await createSystem(api, org.id, token);
  const user = await createEndUser(api, org.id, token);
  await grantAccess(api, org.id, token, system.name, user.id);
  fx = {
    account,
    orgId: org.id,
    systemName: system.name,
    userId: user.id,
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

const owner = () => fx.credentials.owner;
const orgPath = () => `/v2/organizations/${fx.orgId}`;

const READ = { owner: 200, manager: 200, viewer: 200, outOfScopeManager: 403, manageKey: 200, authenticateKey: 403 };
const write = (status: number) => ({ owner: status, manager: status, viewer: 403, outOfScopeManager: 403, manageKey: status, authenticateKey: 403 });

/** Each route: how to call it (destructive routes get a fresh target), and the answer each caller gets. */
const MATRIX: Partial<Record<RouteId, { call: () => Call | Promise<Call>; expected: Record<ActorName, number> }>> = {
  createSystem: {
    call: () => ({ method: 'POST', path: `${orgPath()}/systems`, body: { name: uniqueSystemName(), policy: { factors: ['pin'] } } }),
    expected: write(201),
  },
  listSystems: { call: () => ({ method: 'GET', path: `${orgPath()}/systems` }), expected: READ },
  getSystem: { call: () => ({ method: 'GET', path: `${orgPath()}/systems/${fx.systemName}` }), expected: READ },
  updateSystem: {
    call: () => {
      const path = `${orgPath()}/systems/${fx.systemName}`;
      return { method: 'PATCH', path, body: { policy: { factors: ['pin'], tokenTtlSeconds: 1200 } }, readBack: path };
    },
    expected: write(200),
  },
  deleteSystem: {
    call: async () => {
      const system = await createSystem(api, fx.orgId, owner());
      const path = `${orgPath()}/systems/${system.name}`;
      return { method: 'DELETE', path, readBack: path };
    },
    expected: write(204),
  },
  rotateSystemSecret: {
    call: () => ({ method: 'POST', path: `${orgPath()}/systems/${fx.systemName}/secret`, readBack: `${orgPath()}/systems/${fx.systemName}` }),
    expected: write(201),
  },
  deleteSystemSecret: {
    call: async () => {
      const system = await createSystem(api, fx.orgId, owner());
      const path = `${orgPath()}/systems/${system.name}`;
      expect((await api.request('POST', `${path}/secret`, owner())).status).toBe(201);
      return { method: 'DELETE', path: `${path}/secret`, readBack: path };
    },
    expected: write(204),
  },
  createEndUser: {
    call: () => ({ method: 'POST', path: `${orgPath()}/users`, body: { email: uniqueEndUserEmail(), phone: uniquePhone() } }),
    expected: write(201),
  },
  listEndUsers: { call: () => ({ method: 'GET', path: `${orgPath()}/users` }), expected: READ },
  getEndUser: { call: () => ({ method: 'GET', path: `${orgPath()}/users/${fx.userId}` }), expected: READ },
  updateEndUser: {
    call: () => {
      const path = `${orgPath()}/users/${fx.userId}`;
      return { method: 'PATCH', path, body: { name: 'Matrix' }, readBack: path };
    },
    expected: write(200),
  },
  deleteEndUser: {
    call: async () => {
      const user = await createEndUser(api, fx.orgId, owner());
      const path = `${orgPath()}/users/${user.id}`;
      return { method: 'DELETE', path, readBack: path };
    },
    expected: write(204),
  },
  grantAccess: {
    call: async () => {
      const user = await createEndUser(api, fx.orgId, owner());
      return { method: 'PUT', path: `${orgPath()}/systems/${fx.systemName}/access/${user.id}`, readBack: `${orgPath()}/systems/${fx.systemName}/access?limit=100` };
    },
    expected: write(201),
  },
  revokeAccess: {
    call: async () => {
      const user = await createEndUser(api, fx.orgId, owner());
      await grantAccess(api, fx.orgId, owner(), fx.systemName, user.id);
      return { method: 'DELETE', path: `${orgPath()}/systems/${fx.systemName}/access/${user.id}`, readBack: `${orgPath()}/systems/${fx.systemName}/access?limit=100` };
    },
    expected: write(204),
  },
  listAccess: { call: () => ({ method: 'GET', path: `${orgPath()}/systems/${fx.systemName}/access` }), expected: READ },
};

const ROUTE_IDS = Object.keys(MATRIX) as RouteId[];

const DIRECTORY_ROUTES: RouteId[] = [
  'createSystem', 'listSystems', 'getSystem', 'updateSystem', 'deleteSystem', 'rotateSystemSecret', 'deleteSystemSecret',
  'createEndUser', 'listEndUsers', 'getEndUser', 'updateEndUser', 'deleteEndUser',
  'grantAccess', 'revokeAccess', 'listAccess',
];

describe('role × route matrix', () => {
  it('covers every directory route', () => {
    expect([...ROUTE_IDS].sort()).toEqual([...DIRECTORY_ROUTES].sort());
  });

  it.each(ROUTE_IDS)('%s answers each caller as documented', async (routeId) => {
    const entry = MATRIX[routeId];
    if (!entry) throw new Error(routeId);
    const answers: Record<string, number> = {};
    for (const actor of ACTORS) {
      const call = await entry.call();
      const before = call.readBack ? await api.request('GET', call.readBack, owner()) : undefined;
      const response = await api.request(call.method, call.path, { ...fx.credentials[actor], ...(call.body !== undefined ? { body: call.body } : {}) });
      answers[actor] = response.status;
      if (response.status >= 400) {
        expect(response.headers.get('content-type'), `${routeId} ${actor}`).toBe('application/problem+json');
        if (before) expect((await api.request('GET', call.readBack ?? '', owner())).body, `${routeId} ${actor} changed it`).toEqual(before.body);
      }
    }
    expect(answers).toEqual(entry.expected);
  });

  it('confines a manage key scoped to another organization', async () => {
    const otherOrg = (await createOrganization(api, fx.account.accountId, fx.account.owner.accessToken)).id;
    const key = { headers: { apikey: await createApiKey(fx.account.accountId, ['manage'], [otherOrg]) } };
    expect((await api.request('GET', `${orgPath()}/systems`, key)).status).toBe(403);
    expect((await api.request('POST', `/v2/organizations/${otherOrg}/systems`, { ...key, body: { name: 'mine', policy: { factors: ['pin'] } } })).status).toBe(201);
  });
});

describe('another tenant', () => {
  it('gets 404 on every route with the first account’s ids, and changes nothing', async () => {
    const other = await createAccount(api);
    const otherOwner = { token: other.owner.accessToken };
    const otherKey = { headers: { apikey: await createApiKey(other.accountId, ['manage', 'authenticate'], 'all') } };
    // The system has a client secret: neither replacing nor removing it may get through.
    expect((await api.request('POST', `${orgPath()}/systems/${fx.systemName}/secret`, owner())).status).toBe(201);
    const secretHash = async () => (await signInDirectory().findSystem(fx.orgId, fx.systemName))?.clientSecretHash;
    const hashBefore = await secretHash();
    expect(hashBefore).toEqual(expect.any(String));

    const snapshot = async () => ({
      systems: (await api.request('GET', `${orgPath()}/systems?limit=100`, owner())).body,
      users: (await api.request('GET', `${orgPath()}/users?limit=100`, owner())).body,
      access: (await api.request('GET', `${orgPath()}/systems/${fx.systemName}/access?limit=100`, owner())).body,
      events: (await eventsOf(fx.account.accountId)).length,
    });
    const before = await snapshot();

    const system = `${orgPath()}/systems/${fx.systemName}`;
    const user = `${orgPath()}/users/${fx.userId}`;
    const calls: { id: RouteId; method: string; path: string; body?: unknown }[] = [
      { id: 'createSystem', method: 'POST', path: `${orgPath()}/systems`, body: { name: 'planted', policy: { factors: ['pin'] } } },
      { id: 'listSystems', method: 'GET', path: `${orgPath()}/systems` },
      { id: 'getSystem', method: 'GET', path: system },
      { id: 'updateSystem', method: 'PATCH', path: system, body: { policy: { factors: ['passwordless'] }, passwordlessUrl: 'https://evil.example.com/x' } },
      { id: 'deleteSystem', method: 'DELETE', path: system },
      { id: 'rotateSystemSecret', method: 'POST', path: `${system}/secret` },
      { id: 'deleteSystemSecret', method: 'DELETE', path: `${system}/secret` },
      { id: 'createEndUser', method: 'POST', path: `${orgPath()}/users`, body: { email: uniqueEndUserEmail('planted'), phone: uniquePhone() } },
      { id: 'listEndUsers', method: 'GET', path: `${orgPath()}/users` },
      { id: 'getEndUser', method: 'GET', path: user },
      { id: 'updateEndUser', method: 'PATCH', path: user, body: { phone: uniquePhone() } },
      { id: 'deleteEndUser', method: 'DELETE', path: user },
      { id: 'grantAccess', method: 'PUT', path: `${system}/access/${fx.userId}` },
      { id: 'revokeAccess', method: 'DELETE', path: `${system}/access/${fx.userId}` },
      { id: 'listAccess', method: 'GET', path: `${system}/access` },
    ];
    expect(calls.map((c) => c.id).sort()).toEqual([...DIRECTORY_ROUTES].sort());

    for (const call of calls) {
      const options = call.body !== undefined ? { body: call.body } : {};
      for (const [who, credential] of [['owner', otherOwner], ['key', otherKey]] as const) {
        const response = await api.request(call.method, call.path, { ...credential, ...options });
        expect(response.status, `${call.id} with the other ${who}`).toBe(404);
        expect(response.body).toMatchObject({ code: 'not_found', detail: 'Organization not found.' });
      }
    }
    expect(await snapshot()).toEqual(before);
    expect(await secretHash()).toBe(hashBefore);
  });
});

describe('bad input on every route', () => {
  it('answers 400 problem+json naming the field', async () => {
    const system = `${orgPath()}/systems/${fx.systemName}`;
    const user = `${orgPath()}/users/${fx.userId}`;
    const cases: { id: RouteId; method: string; path: string; body?: unknown; field: string }[] = [
      { id: 'createSystem', method: 'POST', path: `${orgPath()}/systems`, body: { name: 'ok', policy: { factors: ['pin'], rules: [{ if: { ipCidr: ['fe80::/200'] }, factors: ['pin'] }] } }, field: 'body.policy.rules.0.if.ipCidr.0' },
      { id: 'listSystems', method: 'GET', path: `${orgPath()}/systems?limit=101`, field: 'query.limit' },
      { id: 'getSystem', method: 'GET', path: `${orgPath()}/systems/bad%20name`, field: 'params.systemName' },
      { id: 'updateSystem', method: 'PATCH', path: system, body: { passwordlessUrl: 'http://app.example.com/x' }, field: 'body.passwordlessUrl' },
      { id: 'deleteSystem', method: 'DELETE', path: `/v2/organizations/org.x/systems/${fx.systemName}`, field: 'params.orgId' },
      { id: 'rotateSystemSecret', method: 'POST', path: `${orgPath()}/systems/bad%20name/secret`, field: 'params.systemName' },
      { id: 'deleteSystemSecret', method: 'DELETE', path: `/v2/organizations/org.x/systems/${fx.systemName}/secret`, field: 'params.orgId' },
      { id: 'createEndUser', method: 'POST', path: `${orgPath()}/users`, body: { email: uniqueEndUserEmail(), phone: '12345' }, field: 'body.phone' },
      { id: 'listEndUsers', method: 'GET', path: `${orgPath()}/users?limit=x`, field: 'query.limit' },
      { id: 'getEndUser', method: 'GET', path: `${orgPath()}/users/eu.x`, field: 'params.userId' },
      { id: 'updateEndUser', method: 'PATCH', path: user, body: { email: 'not-an-email' }, field: 'body.email' },
      { id: 'deleteEndUser', method: 'DELETE', path: `${orgPath()}/users/eu.x`, field: 'params.userId' },
      { id: 'grantAccess', method: 'PUT', path: `${orgPath()}/systems/-x/access/${fx.userId}`, field: 'params.systemName' },
      { id: 'revokeAccess', method: 'DELETE', path: `${system}/access/eu.x`, field: 'params.userId' },
      { id: 'listAccess', method: 'GET', path: `${system}/access?cursor=abc`, field: 'query.cursor' },
    ];
    expect(cases.map((c) => c.id).sort()).toEqual([...DIRECTORY_ROUTES].sort());
    for (const c of cases) {
      const response = await api.request(c.method, c.path, { ...owner(), ...(c.body !== undefined ? { body: c.body } : {}) });
      expect(response.status, c.id).toBe(400);
      expect(response.headers.get('content-type'), c.id).toBe('application/problem+json');
      expect(response.body, c.id).toMatchObject({ code: 'validation_failed', errors: [{ field: c.field }] });
    }
    const malformed = await api.request('POST', `${orgPath()}/users`, { ...owner(), rawBody: '{', headers: { 'content-type': 'application/json' } });
    expect(malformed.body).toMatchObject({ code: 'invalid_json' });
  });
});
