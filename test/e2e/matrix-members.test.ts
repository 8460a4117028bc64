/**
 * Role × route matrix for the member and invitation routes, and the cross-tenant sweep: every caller
 * gets the documented answer, and a second account's owner token and key change nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { SuccessBody } from '#client/index.ts';
import { apiKeyRepository } from '#shared/compose/tenancy.ts';
import { mintApiKey } from '#shared/domain/tenancy/access-key-verifier.ts';
import type { KeyPermission } from '#shared/domain/kernel/model.ts';
import { strongPassword, uniqueEmail } from '#test/support/factories.ts';
import { useLocalApi, type ApiResponse } from '#test/support/local-api.ts';
import { addMember, createAccount, type TestAccount } from '#test/support/tenancy.ts';
import { mailedInvitationToken } from '#test/support/invitations.ts';
import { enrolOperator } from '#test/support/totp.ts';

const api = useLocalApi();

type Caller = 'owner' | 'manager' | 'viewer' | 'outOfScopeManager' | 'manageKey' | 'authenticateKey';
const CALLERS: Caller[] = ['owner', 'manager', 'viewer', 'outOfScopeManager', 'manageKey', 'authenticateKey'];

interface Credential {
  token?: string;
  apikey?: string;
}

/** A key written through the repository the key routes use (its secret is what a client would send). */
async function createKey(accountId: string, createdBy: string, permissions: KeyPermission[]): Promise<string> {
  const { keyId, key, secretHash } = mintApiKey();
  await apiKeyRepository().createApiKey({
    id: keyId,
    accountId,
    name: `matrix ${permissions.join('+')}`,
    permissions,
    organizations: 'all',
    createdAt: new Date().toISOString(),
    createdBy,
    revokedAt: null,
    lastUsedAt: null,
    secretHash,
  });
  return key;
}

const call = (method: string, path: string, credential: Credential, body?: unknown): Promise<ApiResponse> =>
  api.request(method, path, { ...(credential.token ? { token: credential.token } : {}), ...(credential.apikey ? { headers: { apikey: credential.apikey } } : {}), body });

let account: TestAccount;
let credentials: Record<Caller, Credential>;
let foreign: { owner: Credential; manageKey: Credential };
/** The owner of another account, who joined this one too (signed in, as SPEC §4 asks). */
let sharedMember: { userId: string };

async function newInvitation(): Promise<{ id: string; token: string }> {
  const response = await api.request<SuccessBody<'/v2/accounts/{accountId}/invitations', 'post'>>('POST', `/v2/accounts/${account.accountId}/invitations`, {
    token: account.owner.accessToken,
    body: { email: uniqueEmail('matrix'), role: 'viewer', scope: 'all' },
  });
  expect(response.status).toBe(201);
  return { id: response.body.id, token: await mailedInvitationToken(api, response.body.email) };
}

beforeAll(async () => {
  account = await createAccount(api);
  const { accountId, owner } = account;
  const org = await api.request<SuccessBody<'/v2/accounts/{accountId}/organizations', 'post'>>('POST', `/v2/accounts/${accountId}/organizations`, { token: owner.accessToken, body: { name: 'Elsewhere' } });
  expect(org.status).toBe(201);
  const [manager, viewer, outOfScope] = await Promise.all([
    addMember(api, accountId, 'manager'),
    addMember(api, accountId, 'viewer'),
    addMember(api, accountId, 'manager', { organizations: [org.body.id], groups: [] }),
  ]);
  credentials = {
    owner: { token: owner.accessToken },
    manager: { token: manager.accessToken },
    viewer: { token: viewer.accessToken },
    outOfScopeManager: { token: outOfScope.accessToken },
    manageKey: { apikey: await createKey(accountId, owner.userId, ['manage']) },
    authenticateKey: { apikey: await createKey(accountId, owner.userId, ['authenticate']) },
  };
  const other = await createAccount(api);
  foreign = { owner: { token: other.owner.accessToken }, manageKey: { apikey: await createKey(other.accountId, other.owner.userId, ['manage', 'authenticate']) } };
  const elsewhere = await createAccount(api);
  const invited = await api.request<SuccessBody<'/v2/accounts/{accountId}/invitations', 'post'>>('POST', `/v2/accounts/${accountId}/invitations`, {
    token: owner.accessToken,
    body: { email: elsewhere.owner.email, role: 'viewer', scope: 'all' },
  });
  expect(invited.status).toBe(201);
  const invitationToken = await mailedInvitationToken(api, elsewhere.owner.email);
  expect((await api.request('POST', '/v2/invitations/accept', { token: elsewhere.owner.accessToken, body: { token: invitationToken } })).status).toBe(200);
  await enrolOperator(api, elsewhere.owner.accessToken, elsewhere.owner.password);
  sharedMember = elsewhere.owner;
});

/**
 * Each route: how to call it (fresh targets per call, so an allowed write never changes what the next
 * caller sees) and the documented answer per caller. Account-level routes are bearer-only: keys get
 * API Gateway's 401. Managers and viewers may read the member list; everything else is owner-only.
 */
const ROUTES: { name: string; run: (credential: Credential) => Promise<ApiResponse>; expected: Record<Caller, number> }[] = [
  {
    name: 'GET /v2/accounts/{accountId}/members',
    run: (credential) => call('GET', `/v2/accounts/${account.accountId}/members`, credential),
    expected: { owner: 200, manager: 200, viewer: 200, outOfScopeManager: 200, manageKey: 401, authenticateKey: 401 },
  },
  {
    name: 'PATCH /v2/accounts/{accountId}/members/{userId}',
    run: async (credential) => {
      const target = await addMember(api, account.accountId, 'viewer');
      return call('PATCH', `/v2/accounts/${account.accountId}/members/${target.userId}`, credential, { role: 'manager' });
    },
    expected: { owner: 200, manager: 403, viewer: 403, outOfScopeManager: 403, manageKey: 401, authenticateKey: 401 },
  },
  {
    name: 'DELETE /v2/accounts/{accountId}/members/{userId}',
    run: async (credential) => {
      const target = await addMember(api, account.accountId, 'viewer');
      return call('DELETE', `/v2/accounts/${account.accountId}/members/${target.userId}`, credential);
    },
    expected: { owner: 204, manager: 403, viewer: 403, outOfScopeManager: 403, manageKey: 401, authenticateKey: 401 },
  },
  {
    name: 'DELETE /v2/accounts/{accountId}/members/{userId}/sessions',
    run: async (credential) => {
      const target = await addMember(api, account.accountId, 'viewer');
      return call('DELETE', `/v2/accounts/${account.accountId}/members/${target.userId}/sessions`, credential);
    },
    expected: { owner: 204, manager: 403, viewer: 403, outOfScopeManager: 403, manageKey: 401, authenticateKey: 401 },
  },
  {
    // Sessions are the person's, like their second factor: not this owner's to end (409).
    name: 'DELETE /v2/accounts/{accountId}/members/{userId}/sessions (member of another account too)',
    run: (credential) => call('DELETE', `/v2/accounts/${account.accountId}/members/${sharedMember.userId}/sessions`, credential),
    expected: { owner: 409, manager: 403, viewer: 403, outOfScopeManager: 403, manageKey: 401, authenticateKey: 401 },
  },
  {
    name: 'POST /v2/accounts/{accountId}/invitations',
    run: (credential) => call('POST', `/v2/accounts/${account.accountId}/invitations`, credential, { email: uniqueEmail(), role: 'viewer', scope: 'all' }),
    expected: { owner: 201, manager: 403, viewer: 403, outOfScopeManager: 403, manageKey: 401, authenticateKey: 401 },
  },
  {
    name: 'GET /v2/accounts/{accountId}/invitations',
    run: (credential) => call('GET', `/v2/accounts/${account.accountId}/invitations`, credential),
    expected: { owner: 200, manager: 403, viewer: 403, outOfScopeManager: 403, manageKey: 401, authenticateKey: 401 },
  },
  {
    name: 'DELETE /v2/accounts/{accountId}/invitations/{invitationId}',
    run: async (credential) => call('DELETE', `/v2/accounts/${account.accountId}/invitations/${(await newInvitation()).id}`, credential),
    expected: { owner: 204, manager: 403, viewer: 403, outOfScopeManager: 403, manageKey: 401, authenticateKey: 401 },
  },
  {
    // Public for a new person: the invitation token is the credential. A signed-in operator is not
    // the invited new person (403 invitation_email_mismatch); an `apikey` header names nobody and is ignored.
    name: 'POST /v2/invitations/accept',
    run: async (credential) => call('POST', '/v2/invitations/accept', credential, { token: (await newInvitation()).token, password: strongPassword() }),
    expected: { owner: 403, manager: 403, viewer: 403, outOfScopeManager: 403, manageKey: 200, authenticateKey: 200 },
  },
  {
    // A person who is a member of this account only: the owner may reset their factor.
    name: 'POST /v2/accounts/{accountId}/members/{userId}/mfa/reset',
    run: async (credential) => {
      const target = await addMember(api, account.accountId, 'viewer');
      await enrolOperator(api, target.accessToken, target.password);
      return call('POST', `/v2/accounts/${account.accountId}/members/${target.userId}/mfa/reset`, credential);
    },
    expected: { owner: 204, manager: 403, viewer: 403, outOfScopeManager: 403, manageKey: 401, authenticateKey: 401 },
  },
  {
    name: 'POST /v2/accounts/{accountId}/members/{userId}/mfa/enrollment',
    run: async (credential) => {
      const target = await addMember(api, account.accountId, 'viewer');
      return call('POST', `/v2/accounts/${account.accountId}/members/${target.userId}/mfa/enrollment`, credential);
    },
    expected: { owner: 201, manager: 403, viewer: 403, outOfScopeManager: 403, manageKey: 401, authenticateKey: 401 },
  },
  {
    // The person is a member of another account too: their factor is theirs, not this owner's (409).
    name: 'POST /v2/accounts/{accountId}/members/{userId}/mfa/enrollment (member of another account too)',
    run: async (credential) => call('POST', `/v2/accounts/${account.accountId}/members/${sharedMember.userId}/mfa/enrollment`, credential),
    expected: { owner: 409, manager: 403, viewer: 403, outOfScopeManager: 403, manageKey: 401, authenticateKey: 401 },
  },
  {
    name: 'POST /v2/accounts/{accountId}/members/{userId}/mfa/reset (member of another account too)',
    run: async (credential) => call('POST', `/v2/accounts/${account.accountId}/members/${sharedMember.userId}/mfa/reset`, credential),
    expected: { owner: 409, manager: 403, viewer: 403, outOfScopeManager: 403, manageKey: 401, authenticateKey: 401 },
  },
];

describe('role × route matrix (members, invitations)', () => {
  for (const route of ROUTES) {
    it(`${route.name} answers each caller as documented`, async () => {
      const actual: Record<string, number> = {};
      for (const caller of CALLERS) actual[caller] = (await route.run(credentials[caller])).status;
      expect(actual).toEqual(route.expected);
    });
  }

  it('denies with problem+json and the `forbidden` code', async () => {
    const response = await call('POST', `/v2/accounts/${account.accountId}/invitations`, credentials.manager, { email: uniqueEmail(), role: 'viewer', scope: 'all' });
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({ code: 'forbidden' });
  });
});

describe('cross-tenant: another account\'s owner token and key', () => {
  it('get 404 or 401 on every route with this account\'s ids, and change nothing', async () => {
    const { accountId } = account;
    const target = await addMember(api, accountId, 'viewer');
    const invitation = await newInvitation();
    const membersBefore = await call('GET', `/v2/accounts/${accountId}/members?limit=100`, credentials.owner);
    const invitationsBefore = await call('GET', `/v2/accounts/${accountId}/invitations?limit=100`, credentials.owner);

    const attempts: [string, string, unknown?][] = [
      ['GET', `/v2/accounts/${accountId}/members`],
      ['PATCH', `/v2/accounts/${accountId}/members/${target.userId}`, { role: 'owner' }],
      ['PATCH', `/v2/accounts/${accountId}/members/${account.owner.userId}`, { role: 'viewer' }],
      ['DELETE', `/v2/accounts/${accountId}/members/${target.userId}`],
      ['DELETE', `/v2/accounts/${accountId}/members/${account.owner.userId}`],
      ['POST', `/v2/accounts/${accountId}/invitations`, { email: uniqueEmail('intruder'), role: 'owner', scope: 'all' }],
      ['GET', `/v2/accounts/${accountId}/invitations`],
      ['DELETE', `/v2/accounts/${accountId}/invitations/${invitation.id}`],
      ['POST', `/v2/accounts/${accountId}/members/${target.userId}/mfa/reset`],
      ['POST', `/v2/accounts/${accountId}/members/${target.userId}/mfa/enrollment`],
      ['DELETE', `/v2/accounts/${accountId}/members/${target.userId}/sessions`],
      ['DELETE', `/v2/accounts/${accountId}/members/${account.owner.userId}/sessions`],
    ];
    for (const [method, path, body] of attempts) {
      const byOwner = await call(method, path, foreign.owner, body);
      expect(byOwner.status, `${method} ${path} (foreign owner)`).toBe(404);
      expect(JSON.stringify(byOwner.body)).not.toContain(target.email);
      const byKey = await call(method, path, foreign.manageKey, body);
      expect(byKey.status, `${method} ${path} (foreign key)`).toBe(401);
    }
    // The foreign owner's own account path with this account's member and invitation ids finds nothing either.
    const foreignAccountId = (await call('GET', '/v2/me', foreign.owner)).body.memberships as { accountId: string }[];
    const theirs = foreignAccountId[0]?.accountId ?? '';
    for (const [method, path, body] of [
      ['PATCH', `/v2/accounts/${theirs}/members/${target.userId}`, { role: 'owner' }],
      ['DELETE', `/v2/accounts/${theirs}/members/${target.userId}`],
      ['DELETE', `/v2/accounts/${theirs}/invitations/${invitation.id}`],
      ['POST', `/v2/accounts/${theirs}/members/${target.userId}/mfa/reset`],
      ['POST', `/v2/accounts/${theirs}/members/${target.userId}/mfa/enrollment`],
      ['DELETE', `/v2/accounts/${theirs}/members/${target.userId}/sessions`],
    ] as [string, string, unknown?][]) {
      expect((await call(method, path, foreign.owner, body)).status, `${method} ${path}`).toBe(404);
    }

    // Read back: nothing changed, and the target's and the owner's sessions are all still live.
    expect((await call('GET', `/v2/accounts/${accountId}/members?limit=100`, credentials.owner)).body).toEqual(membersBefore.body);
    expect((await call('GET', '/v2/me/sessions', { token: target.accessToken })).body).toMatchObject({ items: [{ current: true }] });
    expect((await call('GET', '/v2/me/sessions', credentials.owner)).body).toMatchObject({ items: expect.arrayContaining([expect.objectContaining({ current: true })]) as unknown });
    expect((await call('GET', `/v2/accounts/${accountId}/invitations?limit=100`, credentials.owner)).body).toEqual(invitationsBefore.body);
  });
});
