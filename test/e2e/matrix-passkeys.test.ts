/**
 * Who may use the passkey routes: each is personal (`/v2/me/…`: the caller's own passkeys, whatever
 * their role) or public (sign-in). Every route × every kind of caller: the owner of a passkey, a viewer
 * of the same account, another account's owner, a `manage` key, nobody. A passkey or a flow of one
 * person is a 404 / 401 to everybody else, and nothing changes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { operatorOwner } from '#shared/domain/passkeys/model.ts';
import { manifest, type RouteId } from '#shared/http/manifest.ts';
import { plantPasskey as plant } from '#test/support/passkeys.ts';
import { useLocalApi, type RequestOptions } from '#test/support/local-api.ts';
import { addMember, createAccount, type TestAccount } from '#test/support/tenancy.ts';
import { createApiKey } from '#test/support/organizations.ts';

const api = useLocalApi();

const ACTORS = ['owner', 'viewer', 'otherTenant', 'manageKey', 'nobody'] as const;
type ActorName = (typeof ACTORS)[number];

let account: TestAccount;
let credentials: Record<ActorName, RequestOptions>;
let passwords: Record<ActorName, string>;

/** A passkey of the owner under test, written as registration writes one. */
const plantPasskey = (): Promise<string> => plant(operatorOwner(account.owner.userId));

beforeAll(async () => {
  account = await createAccount(api);
  const other = await createAccount(api);
  const viewer = await addMember(api, account.accountId, 'viewer', 'all');
  credentials = {
    owner: { token: account.owner.accessToken },
    viewer: { token: viewer.accessToken },
    otherTenant: { token: other.owner.accessToken },
    manageKey: { headers: { apikey: await createApiKey(account.accountId, ['manage'], 'all') } },
    nobody: {},
  };
  passwords = { owner: account.owner.password, viewer: viewer.password, otherTenant: other.owner.password, manageKey: '', nobody: '' };
}, 120_000);

const FORGED_ASSERTION = {
  id: 'Zm9yZ2Vk',
  rawId: 'Zm9yZ2Vk',
  type: 'public-key',
  clientExtensionResults: {},
  response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA' },
};
const FORGED_REGISTRATION = { id: 'Zm9yZ2Vk', rawId: 'Zm9yZ2Vk', type: 'public-key', clientExtensionResults: {}, response: { clientDataJSON: 'e30', attestationObject: 'oA' } };

/** The owner's registration flow: its flow id is no use to anyone else. */
async function ownersFlow(): Promise<string> {
  const answer = await api.raw<{ flowId: string }>('POST', '/v2/me/passkeys/options', credentials.owner);
  return answer.body.flowId;
}

async function signInFlow(): Promise<string> {
  return (await api.raw<{ flowId: string }>('POST', '/v2/auth/passkey/options')).body.flowId;
}

type Entry = { call: (actor: ActorName) => Promise<{ method: string; path: string; body?: unknown }>; expected: Record<ActorName, number> };

const MATRIX: Partial<Record<RouteId, Entry>> = {
  startMyPasskeyRegistration: {
    call: () => Promise.resolve({ method: 'POST', path: '/v2/me/passkeys/options' }),
    expected: { owner: 200, viewer: 200, otherTenant: 200, manageKey: 401, nobody: 401 },
  },
  registerMyPasskey: {
    // The owner's flow, presented by each: the owner gets the response checked (forged: 401
    // passkey_rejected); anybody else's flow is not theirs (401 invalid_passkey_flow).
    call: async () => ({ method: 'POST', path: '/v2/me/passkeys', body: { flowId: await ownersFlow(), name: 'Mine', response: FORGED_REGISTRATION } }),
    expected: { owner: 401, viewer: 401, otherTenant: 401, manageKey: 401, nobody: 401 },
  },
  listMyPasskeys: {
    call: () => Promise.resolve({ method: 'GET', path: '/v2/me/passkeys' }),
    expected: { owner: 200, viewer: 200, otherTenant: 200, manageKey: 401, nobody: 401 },
  },
  renameMyPasskey: {
    call: async () => ({ method: 'PATCH', path: `/v2/me/passkeys/${await plantPasskey()}`, body: { name: 'Renamed' } }),
    expected: { owner: 200, viewer: 404, otherTenant: 404, manageKey: 401, nobody: 401 },
  },
  removeMyPasskey: {
    call: async (actor) => ({ method: 'DELETE', path: `/v2/me/passkeys/${await plantPasskey()}`, body: { password: passwords[actor] || 'a password of nobody' } }),
    expected: { owner: 204, viewer: 404, otherTenant: 404, manageKey: 401, nobody: 401 },
  },
  startPasskeySignIn: {
    call: () => Promise.resolve({ method: 'POST', path: '/v2/auth/passkey/options' }),
    expected: { owner: 200, viewer: 200, otherTenant: 200, manageKey: 200, nobody: 200 },
  },
  passkeySignIn: {
    call: async () => ({ method: 'POST', path: '/v2/auth/passkey', body: { flowId: await signInFlow(), response: FORGED_ASSERTION } }),
    expected: { owner: 401, viewer: 401, otherTenant: 401, manageKey: 401, nobody: 401 },
  },
};

// End users' passkey routes (under /v2/organizations) have their own matrix: matrix-end-user-passkeys.test.ts.
const PASSKEY_ROUTES = manifest.filter((route) => route.area === 'passkeys' && !route.path.startsWith('/v2/organizations/')).map((route) => route.id);

describe('passkey routes × callers', () => {
  it('covers every passkey route', () => {
    expect(Object.keys(MATRIX).sort()).toEqual([...PASSKEY_ROUTES].sort());
  });

  it.each(PASSKEY_ROUTES)('%s answers each caller as documented', async (routeId) => {
    const entry = MATRIX[routeId as RouteId];
    if (!entry) throw new Error(routeId);
    const answers: Record<string, number> = {};
    for (const actor of ACTORS) {
      const call = await entry.call(actor);
      const before = await api.raw('GET', '/v2/me/passkeys', credentials.owner);
      const response = await api.raw(call.method, call.path, { ...credentials[actor], ...(call.body !== undefined ? { body: call.body } : {}) });
      answers[actor] = response.status;
      if (response.status >= 400) {
        // The authorizer's own 401 (no or a wrong credential kind) is API Gateway's JSON, as on every bearer route.
        if (response.status !== 401 || actor === 'owner') expect(response.headers.get('content-type'), `${routeId} ${actor}`).toBe('application/problem+json');
        expect((await api.raw('GET', '/v2/me/passkeys', credentials.owner)).body, `${routeId} ${actor} changed the owner's passkeys`).toEqual(before.body);
      }
    }
    expect(answers).toEqual(entry.expected);
  });

  it("lists only the caller's own passkeys", async () => {
    const id = await plantPasskey();
    const own = await api.raw<{ items: { id: string }[] }>('GET', '/v2/me/passkeys', credentials.owner);
    expect(own.body.items.map((p) => p.id)).toContain(id);
    for (const actor of ['viewer', 'otherTenant'] as const) {
      const theirs = await api.raw<{ items: { id: string }[] }>('GET', '/v2/me/passkeys', credentials[actor]);
      expect(theirs.body.items.map((p) => p.id)).not.toContain(id);
    }
  });
});
