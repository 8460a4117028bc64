/**
 * Who may use the end users' passkey routes (`/v2/organizations/{orgId}/users/{userId}/passkeys…`):
 * the roles of the end users' TOTP routes (`enduser:mfa` to register and remove, `enduser:read` to
 * list), every route × every kind of caller; another tenant's credential with the first tenant's ids
 * gets 404 and changes nothing; bad input names its field, on these routes and on what the issue adds
 * to others (a system's `webauthn`, the `passkey` completion body).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { randomSecret } from '#shared/domain/kernel/secrets.ts';
import { endUserOwner, passkeyIdOf } from '#shared/domain/passkeys/model.ts';
import { manifest, type RouteId } from '#shared/http/manifest.ts';
import { createEndUser, createSystem, grantAccess } from '#test/support/directory.ts';
import { plantPasskey as plant } from '#test/support/passkeys.ts';
import { useLocalApi, type RequestOptions } from '#test/support/local-api.ts';
import { createApiKey, createOrganization, eventsOf } from '#test/support/organizations.ts';
import { addMember, createAccount, type TestAccount } from '#test/support/tenancy.ts';

const api = useLocalApi();

const ACTORS = ['owner', 'manager', 'viewer', 'outOfScopeManager', 'manageKey', 'authenticateKey', 'otherTenant', 'nobody'] as const;
type ActorName = (typeof ACTORS)[number];

interface Fixture {
  account: TestAccount;
  orgId: string;
  systemName: string;
  userId: string;
  email: string;
  authenticateKey: string;
  credentials: Record<ActorName, RequestOptions>;
}

let fx: Fixture;

beforeAll(async () => {
  const account = await createAccount(api);
  const other = await createAccount(api);
  const token = account.owner.accessToken;
  const org = await createOrganization(api, account.accountId, token);
  const otherOrg = await createOrganization(api, account.accountId, token);
  const [manager, viewer, outOfScopeManager] = await Promise.all([
    addMember(api, account.accountId, 'manager', 'all'),
    addMember(api, account.accountId, 'viewer', 'all'),
    addMember(api, account.accountId, 'manager', { organizations: [otherOrg.id], groups: [] }),
  ]);
  const system = await createSystem(api, org.id, token, { policy: { factors: ['passkey'] }, webauthn: { rpId: 'localhost', origins: ['http://localhost:3000'] } });
  const user = await createEndUser(api, org.id, token);
  await grantAccess(api, org.id, token, system.name, user.id);
  const authenticateKey = await createApiKey(account.accountId, ['authenticate'], 'all');
  fx = {
    account,
    orgId: org.id,
    systemName: system.name,
    userId: user.id,
    email: user.email,
    authenticateKey,
    credentials: {
      owner: { token },
      manager: { token: manager.accessToken },
      viewer: { token: viewer.accessToken },
      outOfScopeManager: { token: outOfScopeManager.accessToken },
      manageKey: { headers: { apikey: await createApiKey(account.accountId, ['manage'], 'all') } },
      authenticateKey: { headers: { apikey: authenticateKey } },
      otherTenant: { token: other.owner.accessToken },
      nobody: {},
    },
  };
}, 120_000);

const userPath = () => `/v2/organizations/${fx.orgId}/users/${fx.userId}/passkeys`;
const owner = () => fx.credentials.owner;

/** A passkey of the owner under test, written as registration writes one. */
const plantPasskey = (): Promise<string> => plant(endUserOwner(fx.orgId, fx.userId));

const FORGED_REGISTRATION = { id: 'Zm9yZ2Vk', rawId: 'Zm9yZ2Vk', type: 'public-key', clientExtensionResults: {}, response: { clientDataJSON: 'e30', attestationObject: 'oA' } };
const FORGED_ASSERTION = { id: 'Zm9yZ2Vk', rawId: 'Zm9yZ2Vk', type: 'public-key', clientExtensionResults: {}, response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA' } };

/** A registration flow the owner started for the end user. */
async function ownersFlow(): Promise<string> {
  const answer = await api.raw<{ flowId: string }>('POST', `${userPath()}/options`, { ...owner(), body: { system: fx.systemName } });
  return answer.body.flowId;
}

/** What each kind of caller gets: a write (`enduser:mfa`) or a read (`enduser:read`). */
const write = (status: number): Record<ActorName, number> => ({ owner: status, manager: status, viewer: 403, outOfScopeManager: 403, manageKey: status, authenticateKey: 403, otherTenant: 404, nobody: 401 });
const READ: Record<ActorName, number> = { owner: 200, manager: 200, viewer: 200, outOfScopeManager: 403, manageKey: 200, authenticateKey: 403, otherTenant: 404, nobody: 401 };

type Call = { method: string; path: string; body?: unknown };
const MATRIX: Partial<Record<RouteId, { call: () => Promise<Call>; expected: Record<ActorName, number> }>> = {
  startEndUserPasskeyRegistration: { call: () => Promise.resolve({ method: 'POST', path: `${userPath()}/options`, body: { system: fx.systemName } }), expected: write(200) },
  // The owner's flow with a forged credential: who may write gets it checked (401 passkey_rejected), the others never reach it.
  registerEndUserPasskey: { call: async () => ({ method: 'POST', path: userPath(), body: { flowId: await ownersFlow(), name: 'Mine', response: FORGED_REGISTRATION } }), expected: write(401) },
  listEndUserPasskeys: { call: () => Promise.resolve({ method: 'GET', path: userPath() }), expected: READ },
  removeEndUserPasskey: { call: async () => ({ method: 'DELETE', path: `${userPath()}/${await plantPasskey()}` }), expected: write(204) },
};

const END_USER_PASSKEY_ROUTES = manifest.filter((route) => route.area === 'passkeys' && route.path.startsWith('/v2/organizations/')).map((route) => route.id);

describe("end users' passkey routes × callers", () => {
  it('covers every end-user passkey route', () => {
    expect(Object.keys(MATRIX).sort()).toEqual([...END_USER_PASSKEY_ROUTES].sort());
  });

  it.each(END_USER_PASSKEY_ROUTES)('%s answers each caller as documented', async (routeId) => {
    const entry = MATRIX[routeId as RouteId];
    if (!entry) throw new Error(routeId);
    const answers: Record<string, number> = {};
    for (const actor of ACTORS) {
      const call = await entry.call();
      const before = await api.raw('GET', userPath(), owner());
      const response = await api.raw(call.method, call.path, { ...fx.credentials[actor], ...(call.body !== undefined ? { body: call.body } : {}) });
      answers[actor] = response.status;
      if (response.status >= 400) {
        if (actor !== 'nobody') expect(response.headers.get('content-type'), `${routeId} ${actor}`).toBe('application/problem+json');
        expect((await api.raw('GET', userPath(), owner())).body, `${routeId} ${actor} changed the user's passkeys`).toEqual(before.body);
      }
    }
    expect(answers).toEqual(entry.expected);
  });
});

describe('another tenant', () => {
  it('gets 404 on every route with the first account’s ids, and changes nothing', async () => {
    const other = await createAccount(api);
    const otherKey = { headers: { apikey: await createApiKey(other.accountId, ['manage', 'authenticate'], 'all') } };
    const planted = await plantPasskey();
    const flowId = await ownersFlow();
    const snapshot = async () => ({ passkeys: (await api.raw('GET', userPath(), owner())).body, events: (await eventsOf(fx.account.accountId)).length });
    const before = await snapshot();
    const calls: { id: RouteId; method: string; path: string; body?: unknown }[] = [
      { id: 'startEndUserPasskeyRegistration', method: 'POST', path: `${userPath()}/options`, body: { system: fx.systemName } },
      { id: 'registerEndUserPasskey', method: 'POST', path: userPath(), body: { flowId, name: 'Planted', response: FORGED_REGISTRATION } },
      { id: 'listEndUserPasskeys', method: 'GET', path: userPath() },
      { id: 'removeEndUserPasskey', method: 'DELETE', path: `${userPath()}/${planted}` },
    ];
    expect(calls.map((c) => c.id).sort()).toEqual([...END_USER_PASSKEY_ROUTES].sort());
    for (const call of calls) {
      for (const [who, credential] of [['owner', { token: other.owner.accessToken }], ['key', otherKey]] as const) {
        const response = await api.raw(call.method, call.path, { ...credential, ...(call.body !== undefined ? { body: call.body } : {}) });
        expect(response.status, `${call.id} with the other ${who}`).toBe(404);
        expect(response.body).toMatchObject({ code: 'not_found', detail: 'Organization not found.' });
      }
    }
    expect(await snapshot()).toEqual(before);
    // The flow was not spent by the other tenant's attempts: the owner's registration still reaches its check.
    const own = await api.raw('POST', userPath(), { ...owner(), body: { flowId, name: 'Mine', response: FORGED_REGISTRATION } });
    expect(own.body).toMatchObject({ code: 'passkey_rejected' });
  });
});

describe('bad input', () => {
  it('answers 400 problem+json naming the field', async () => {
    const systems = `/v2/organizations/${fx.orgId}/systems`;
    const passkeySystem = (webauthn: unknown) => ({ name: `pk-${randomSecret(4).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`, policy: { factors: ['passkey'] }, webauthn });
    const cases: { what: string; method: string; path: string; body?: unknown; field: string; credential?: RequestOptions }[] = [
      { what: 'options without a system', method: 'POST', path: `${userPath()}/options`, body: {}, field: 'body.system' },
      { what: 'options for a bad system name', method: 'POST', path: `${userPath()}/options`, body: { system: 'bad name' }, field: 'body.system' },
      { what: 'register with a bad flow id', method: 'POST', path: userPath(), body: { flowId: 'x', name: 'Mine', response: FORGED_REGISTRATION }, field: 'body.flowId' },
      { what: 'register with an empty name', method: 'POST', path: userPath(), body: { flowId: 'pkf_0123456789abcdef0123456789abcdef', name: ' ', response: FORGED_REGISTRATION }, field: 'body.name' },
      { what: 'register with a non-base64url attestation', method: 'POST', path: userPath(), body: { flowId: 'pkf_0123456789abcdef0123456789abcdef', name: 'Mine', response: { ...FORGED_REGISTRATION, response: { clientDataJSON: 'e30', attestationObject: '<script>' } } }, field: 'body.response.response.attestationObject' },
      { what: 'list for a bad user id', method: 'GET', path: `/v2/organizations/${fx.orgId}/users/eu.x/passkeys`, field: 'params.userId' },
      { what: 'remove a bad passkey id', method: 'DELETE', path: `${userPath()}/pk.x`, field: 'params.passkeyId' },
      { what: 'a passkey policy without webauthn', method: 'POST', path: systems, body: { name: 'no-rp', policy: { factors: ['pin'], rules: [{ if: { sensitivity: ['high'] }, factors: ['pin', 'passkey'] }] } }, field: 'body.webauthn' },
      { what: 'an IP address as rpId', method: 'POST', path: systems, body: passkeySystem({ rpId: '127.0.0.1', origins: ['https://127.0.0.1'] }), field: 'body.webauthn.rpId' },
      { what: 'an upper-case rpId', method: 'POST', path: systems, body: passkeySystem({ rpId: 'Example.com', origins: ['https://example.com'] }), field: 'body.webauthn.rpId' },
      { what: 'an origin on another site', method: 'POST', path: systems, body: passkeySystem({ rpId: 'example.com', origins: ['https://example.com.evil.test'] }), field: 'body.webauthn.origins.0' },
      { what: 'an http origin off localhost', method: 'POST', path: systems, body: passkeySystem({ rpId: 'example.com', origins: ['http://example.com'] }), field: 'body.webauthn.origins.0' },
      { what: 'an origin with a path', method: 'POST', path: systems, body: passkeySystem({ rpId: 'example.com', origins: ['https://example.com/login'] }), field: 'body.webauthn.origins.0' },
      { what: 'an origin that is no URL (found by the fuzzer: was a 500)', method: 'POST', path: systems, body: passkeySystem({ rpId: 'example.com', origins: ['%2e%2e%2f'] }), field: 'body.webauthn.origins.0' },
      { what: 'no origin', method: 'POST', path: systems, body: passkeySystem({ rpId: 'example.com', origins: [] }), field: 'body.webauthn.origins' },
      { what: 'removing webauthn under a passkey policy', method: 'PATCH', path: `${systems}/${fx.systemName}`, body: { webauthn: null }, field: 'body.webauthn' },
      {
        what: 'a passkey assertion that is not one',
        method: 'POST',
        path: '/v2/system/authenticate/user',
        body: { email: fx.email, system: fx.systemName, passkey: { ...FORGED_ASSERTION, type: 'password' } },
        field: 'body.passkey.type',
        credential: { headers: { apikey: fx.authenticateKey } },
      },
      {
        // Extra origins are the hosted login's own, set in-process: an API caller can never widen them.
        what: 'passkeyOrigins from an API caller',
        method: 'POST',
        path: '/v2/system/authenticate/user',
        body: { email: fx.email, system: fx.systemName, passkey: FORGED_ASSERTION, passkeyOrigins: ['https://evil.example'] },
        field: 'body.passkeyOrigins',
        credential: { headers: { apikey: fx.authenticateKey } },
      },
      {
        what: 'a passkey and a PIN together',
        method: 'POST',
        path: '/v2/system/authenticate/user',
        body: { email: fx.email, system: fx.systemName, pin: '123456', passkey: FORGED_ASSERTION },
        field: 'body.passkey',
        credential: { headers: { apikey: fx.authenticateKey } },
      },
    ];
    for (const c of cases) {
      const response = await api.raw(c.method, c.path, { ...(c.credential ?? owner()), ...(c.body !== undefined ? { body: c.body } : {}) });
      expect(response.status, c.what).toBe(400);
      expect(response.headers.get('content-type'), c.what).toBe('application/problem+json');
      expect(response.body, c.what).toMatchObject({ code: 'validation_failed', errors: [{ field: c.field }] });
    }
  });

  it("answers 409 webauthn_not_configured for a system without webauthn, and 404 for an unknown user or system", async () => {
    const plain = await createSystem(api, fx.orgId, owner().token ?? '');
    const options = (path: string, system: string) => api.raw('POST', path, { ...owner(), body: { system } });
    expect((await options(`${userPath()}/options`, plain.name)).body).toMatchObject({ code: 'webauthn_not_configured' });
    expect((await options(`${userPath()}/options`, 'no-such-system')).status).toBe(404);
    expect((await options(`/v2/organizations/${fx.orgId}/users/eu_nobody/passkeys/options`, fx.systemName)).status).toBe(404);
    expect((await api.raw('GET', `/v2/organizations/${fx.orgId}/users/eu_nobody/passkeys`, owner())).status).toBe(404);
    expect((await api.raw('DELETE', `${userPath()}/${passkeyIdOf('nothing')}`, owner())).status).toBe(404);
  });
});
