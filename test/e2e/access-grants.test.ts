/**
 * Access grants over HTTP: idempotent PUT (201 then 200), 404 for an unknown system or user, DELETE,
 * the paged list with emails, and what the challenge engine sees through `SignInDirectory.hasAccess`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { signInDirectory } from '#shared/container.ts';
import { useLocalApi } from '#test/support/local-api.ts';
import { createAccount, type TestAccount } from '#test/support/tenancy.ts';
import { createOrganization, eventsOf } from '#test/support/organizations.ts';
import { createEndUser, createSystem, grantAccess, uniqueSystemName, type EndUserBody, type GrantBody, type SystemBody } from '#test/support/directory.ts';

const api = useLocalApi();

let account: TestAccount;
let orgId: string;
let token: string;

beforeAll(async () => {
  account = await createAccount(api);
  token = account.owner.accessToken;
  orgId = (await createOrganization(api, account.accountId, token)).id;
}, 60_000);

const accessPath = (system: string, userId?: string) => `/v2/organizations/${orgId}/systems/${system}/access${userId ? `/${userId}` : ''}`;

describe('granting access', () => {
  it('answers 201 with a new grant, then 200 with the same grant', async () => {
    const [system, user] = await Promise.all([createSystem(api, orgId, token), createEndUser(api, orgId, token)]);
    expect(await signInDirectory().hasAccess(orgId, system.name, user.id)).toBe(false);

    const first = await api.request<GrantBody>('PUT', accessPath(system.name, user.id), { token });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ systemName: system.name, userId: user.id, createdAt: expect.any(String) as string });
    const second = await api.request<GrantBody>('PUT', accessPath(system.name, user.id), { token });
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(await signInDirectory().hasAccess(orgId, system.name, user.id)).toBe(true);

    const granted = (await eventsOf(account.accountId)).filter((e) => e.type === 'access.granted' && e.target?.id === user.id);
    expect(granted).toHaveLength(1);
    expect(granted[0]).toMatchObject({ organizationId: orgId, details: { system: system.name }, actor: { kind: 'operator', id: account.owner.userId } });
  });

  it('creates one grant when the same PUT races itself', async () => {
    const [system, user] = await Promise.all([createSystem(api, orgId, token), createEndUser(api, orgId, token)]);
    const answers = await Promise.all(Array.from({ length: 4 }, () => api.request('PUT', accessPath(system.name, user.id), { token })));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(3);
    const list = await api.request<{ items: unknown[] }>('GET', accessPath(system.name), { token });
    expect(list.body.items).toHaveLength(1);
  });

  it('answers 404 when the system or the user does not exist in the organization', async () => {
    const [system, user] = await Promise.all([createSystem(api, orgId, token), createEndUser(api, orgId, token)]);
    const noSystem = await api.request('PUT', accessPath(uniqueSystemName('ghost'), user.id), { token });
    expect(noSystem.status).toBe(404);
    expect(noSystem.body).toMatchObject({ detail: 'System not found.' });
    const noUser = await api.request('PUT', accessPath(system.name, 'eu_ghost'), { token });
    expect(noUser.status).toBe(404);
    expect(noUser.body).toMatchObject({ detail: 'End user not found.' });
    // A user of another organization of the same account is not a user of this one.
    const otherOrg = (await createOrganization(api, account.accountId, token)).id;
    const stranger = await createEndUser(api, otherOrg, token);
    expect((await api.request('PUT', accessPath(system.name, stranger.id), { token })).status).toBe(404);
    expect(await signInDirectory().hasAccess(orgId, system.name, stranger.id)).toBe(false);
  });
});

describe('revoking access', () => {
  it('answers 204, then 404; the user no longer has access', async () => {
    const [system, user] = await Promise.all([createSystem(api, orgId, token), createEndUser(api, orgId, token)]);
    await grantAccess(api, orgId, token, system.name, user.id);
    expect((await api.request('DELETE', accessPath(system.name, user.id), { token })).status).toBe(204);
    expect(await signInDirectory().hasAccess(orgId, system.name, user.id)).toBe(false);
    expect((await api.request('DELETE', accessPath(system.name, user.id), { token })).status).toBe(404);
    expect((await api.request<{ items: unknown[] }>('GET', accessPath(system.name), { token })).body.items).toEqual([]);
    // Granting again is a new grant.
    expect((await api.request('PUT', accessPath(system.name, user.id), { token })).status).toBe(201);

    const events = (await eventsOf(account.accountId)).filter((e) => e.target?.id === user.id && e.type.startsWith('access.'));
    expect(events.map((e) => e.type).sort()).toEqual(['access.granted', 'access.granted', 'access.revoked']);
  });
});

describe('listing access', () => {
  it('pages through the grants of a system with each user’s email', async () => {
    const system: SystemBody = await createSystem(api, orgId, token);
    const users: EndUserBody[] = [];
    for (let i = 0; i < 3; i++) users.push(await createEndUser(api, orgId, token));
    for (const user of users) await grantAccess(api, orgId, token, system.name, user.id);
    // A grant to another system does not show.
    const other = await createSystem(api, orgId, token);
    await grantAccess(api, orgId, token, other.name, users[0]?.id ?? '');

    type Listed = { items: (GrantBody & { email: string })[]; nextCursor: string | null };
    const first = await api.request<Listed>('GET', `${accessPath(system.name)}?limit=2`, { token });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    const second = await api.request<Listed>('GET', `${accessPath(system.name)}?limit=2&cursor=${first.body.nextCursor}`, { token });
    const items = [...first.body.items, ...second.body.items];
    expect(second.body.nextCursor).toBeNull();
    const expected = [...users].sort((a, b) => (a.id < b.id ? -1 : 1)).map((u) => ({ systemName: system.name, userId: u.id, email: u.email, createdAt: expect.any(String) as string }));
    expect(items).toEqual(expected);

    const otherCursor = await api.request('GET', `${accessPath(other.name)}?cursor=${first.body.nextCursor}`, { token });
    expect(otherCursor.status).toBe(400);
    expect(otherCursor.body).toMatchObject({ errors: [{ field: 'query.cursor' }] });
  });

  it('answers 404 for an unknown system', async () => {
    expect((await api.request('GET', accessPath(uniqueSystemName('ghost')), { token })).status).toBe(404);
  });
});
