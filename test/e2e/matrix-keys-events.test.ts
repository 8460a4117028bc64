/**
 * Who may use the access-key and audit-log routes: every role against every route, and a second
 * account's owner and key against the first account's ids. These routes are `bearer`: access keys never
 * reach them (API Gateway's bearer authorizer needs an Authorization header), whatever their permissions.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { SuccessBody } from '#client/index.ts';
import { createKey, createOrganization, recordEvent } from '#test/support/keys-events.ts';
import { useLocalApi, type ApiResponse } from '#test/support/local-api.ts';
import { addMember, createAccount, type TestAccount } from '#test/support/tenancy.ts';

const api = useLocalApi();

type Caller = 'owner' | 'manager' | 'viewer' | 'outOfScopeManager' | 'manageKey' | 'authenticateKey';
type RouteId = 'createAccessKey' | 'listAccessKeys' | 'revokeAccessKey' | 'listEvents' | 'listEventsOfOrganization';

/** The documented answer of each route to each caller. */
const EXPECTED: Record<RouteId, Record<Caller, number>> = {
  createAccessKey: { owner: 201, manager: 403, viewer: 403, outOfScopeManager: 403, manageKey: 401, authenticateKey: 401 },
  listAccessKeys: { owner: 200, manager: 403, viewer: 403, outOfScopeManager: 403, manageKey: 401, authenticateKey: 401 },
  revokeAccessKey: { owner: 204, manager: 403, viewer: 403, outOfScopeManager: 403, manageKey: 401, authenticateKey: 401 },
  // The out-of-scope manager reaches one organization (B): the log defaults to it.
  listEvents: { owner: 200, manager: 200, viewer: 200, outOfScopeManager: 200, manageKey: 401, authenticateKey: 401 },
  listEventsOfOrganization: { owner: 200, manager: 200, viewer: 200, outOfScopeManager: 403, manageKey: 401, authenticateKey: 401 },
};

let account: TestAccount;
let orgA: string;
let orgB: string;
const headers = {} as Record<Caller, { token?: string; headers?: Record<string, string> }>;

beforeAll(async () => {
  account = await createAccount(api);
  orgA = await createOrganization(account.accountId);
  orgB = await createOrganization(account.accountId);
  await recordEvent(account.accountId, orgA, 'organization.created');
  await recordEvent(account.accountId, orgB, 'organization.created');
  const [manager, viewer, outOfScopeManager] = await Promise.all([
    addMember(api, account.accountId, 'manager'),
    addMember(api, account.accountId, 'viewer'),
    addMember(api, account.accountId, 'manager', { organizations: [orgB], groups: [] }),
  ]);
  const manageKey = await createKey(api, account.accountId, account.owner.accessToken, { permissions: ['authenticate', 'manage'] });
  const authenticateKey = await createKey(api, account.accountId, account.owner.accessToken, { permissions: ['authenticate'], organizations: [orgA] });
  headers.owner = { token: account.owner.accessToken };
  headers.manager = { token: manager.accessToken };
  headers.viewer = { token: viewer.accessToken };
  headers.outOfScopeManager = { token: outOfScopeManager.accessToken };
  headers.manageKey = { headers: { apikey: manageKey.key } };
  headers.authenticateKey = { headers: { apikey: authenticateKey.key } };
});

async function call(route: RouteId, caller: Caller, accountId = account.accountId): Promise<ApiResponse> {
  const base = `/v2/accounts/${accountId}`;
  const auth = headers[caller];
  switch (route) {
    case 'createAccessKey':
      return api.request('POST', `${base}/keys`, { ...auth, body: { name: `by ${caller}`, permissions: ['manage'], organizations: 'all' } });
    case 'listAccessKeys':
      return api.request('GET', `${base}/keys`, auth);
    case 'revokeAccessKey': {
      const target = await createKey(api, account.accountId, account.owner.accessToken);
      const response = await api.request('DELETE', `${base}/keys/${target.id}`, auth);
      // Whoever was refused changed nothing.
      const keys = await api.request<SuccessBody<'/v2/accounts/{accountId}/keys', 'get'>>('GET', `/v2/accounts/${account.accountId}/keys?limit=100`, headers.owner);
      const revoked = keys.body.items.find((key) => key.id === target.id)?.revokedAt ?? null;
      expect(revoked !== null, `revoked by ${caller}`).toBe(response.status === 204);
      return response;
    }
    case 'listEvents':
      return api.request('GET', `${base}/events`, auth);
    case 'listEventsOfOrganization':
      return api.request('GET', `${base}/events?organization=${orgA}`, auth);
  }
}

const cases = (Object.keys(EXPECTED) as RouteId[]).flatMap((route) =>
  (Object.keys(EXPECTED[route]) as Caller[]).map((caller) => [route, caller, EXPECTED[route][caller]] as const),
);

describe('role × route matrix (access keys, audit log)', () => {
  it.each(cases)('%s as %s answers %i', async (route, caller, status) => {
    const response = await call(route, caller);
    expect(response.status).toBe(status);
    if (status >= 400 && status !== 401) expect(response.headers.get('content-type')).toBe('application/problem+json');
    if (route === 'listEvents' && caller === 'outOfScopeManager') {
      const items = (response.body as { items: { organizationId: string | null }[] }).items;
      expect(items.length).toBeGreaterThan(0);
      expect(items.every((event) => event.organizationId === orgB)).toBe(true);
    }
  });

  it('refuses a key presented as a bearer token with 401 invalid_token', async () => {
    const key = await createKey(api, account.accountId, account.owner.accessToken);
    const response = await api.request('GET', `/v2/accounts/${account.accountId}/keys`, { token: key.key });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ code: 'invalid_token' });
  });
});

describe('another account on every route', () => {
  it("answers 404 to the other account's owner and 401 to its key, and changes nothing", async () => {
    const victim = await createAccount(api);
    const victimOrg = await createOrganization(victim.accountId);
    await recordEvent(victim.accountId, victimOrg, 'organization.created');
    const victimKey = await createKey(api, victim.accountId, victim.owner.accessToken, { organizations: [victimOrg] });
    const readBack = async () => ({
      keys: (await api.request('GET', `/v2/accounts/${victim.accountId}/keys`, { token: victim.owner.accessToken })).body,
      events: (await api.request('GET', `/v2/accounts/${victim.accountId}/events?limit=100`, { token: victim.owner.accessToken })).body,
    });
    const before = await readBack();

    const attacker = await createAccount(api);
    const attackerKey = await createKey(api, attacker.accountId, attacker.owner.accessToken, { permissions: ['authenticate', 'manage'] });
    const victimBase = `/v2/accounts/${victim.accountId}`;
    const attackerBase = `/v2/accounts/${attacker.accountId}`;
    const attempts: [string, string, unknown?][] = [
      ['POST', `${victimBase}/keys`, { name: 'x', permissions: ['manage'], organizations: 'all' }],
      ['POST', `${attackerBase}/keys`, { name: 'x', permissions: ['manage'], organizations: [victimOrg] }],
      ['GET', `${victimBase}/keys`],
      ['DELETE', `${victimBase}/keys/${victimKey.id}`],
      ['DELETE', `${attackerBase}/keys/${victimKey.id}`],
      ['GET', `${victimBase}/events`],
      ['GET', `${victimBase}/events?organization=${victimOrg}`],
      ['GET', `${attackerBase}/events?organization=${victimOrg}`],
    ];
    for (const [method, path, body] of attempts) {
      const asOwner = await api.request(method, path, { token: attacker.owner.accessToken, ...(body ? { body } : {}) });
      // The foreign organization in a key's list is a 400 naming the entry, exactly as an unknown id.
      const expected = method === 'POST' && path.startsWith(attackerBase) ? 400 : 404;
      expect(asOwner.status, `${method} ${path}`).toBe(expected);
      // Nothing of the victim's log or people leaks into the refusal.
      expect(JSON.stringify(asOwner.body)).not.toMatch(new RegExp(`organization\\.created|${victim.owner.userId}`));
      const asKey = await api.request(method, path, { headers: { apikey: attackerKey.key }, ...(body ? { body } : {}) });
      expect(asKey.status, `${method} ${path} with a key`).toBe(401);
    }

    expect(await readBack()).toEqual(before);
    expect((before.keys as { items: { revokedAt: string | null }[] }).items).toEqual([expect.objectContaining({ id: victimKey.id, revokedAt: null })]);
  });
});
