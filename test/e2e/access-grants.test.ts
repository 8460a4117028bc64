/**
 * Access grants over HTTP: idempotent PUT (201 then 200), 404 for an unknown system or user, DELETE,
 * the paged list with emails, and what the challenge engine sees through `SignInDirectory.hasAccess`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { signInDirectory } from '#shared/compose/directory.ts';
import { expectData, expectProblem, expectStatus, useLocalApi } from '#test/support/local-api.ts';
import { createAccount, type TestAccount } from '#test/support/tenancy.ts';
import { createOrganization, eventsOf } from '#test/support/organizations.ts';
import { createEndUser, createSystem, grantAccess, uniqueSystemName, type EndUserBody, type SystemBody } from '#test/support/directory.ts';

const api = useLocalApi();

let account: TestAccount;
let orgId: string;
let token: string;

beforeAll(async () => {
  account = await createAccount(api);
  token = account.owner.accessToken;
  orgId = (await createOrganization(api, account.accountId, token)).id;
}, 60_000);

/** `PUT …/systems/{systemName}/access/{userId}` as the owner. */
const grant = (systemName: string, userId: string) =>
  api.as(token).PUT('/v2/organizations/{orgId}/systems/{systemName}/access/{userId}', { params: { path: { orgId, systemName, userId } } });
/** `DELETE …/systems/{systemName}/access/{userId}` as the owner. */
const revoke = (systemName: string, userId: string) =>
  api.as(token).DELETE('/v2/organizations/{orgId}/systems/{systemName}/access/{userId}', { params: { path: { orgId, systemName, userId } } });
/** `GET …/systems/{systemName}/access` as the owner. */
const listAccess = (systemName: string, query: { limit?: number; cursor?: string } = {}) =>
  api.as(token).GET('/v2/organizations/{orgId}/systems/{systemName}/access', { params: { path: { orgId, systemName }, query } });

describe('granting access', () => {
  it('answers 201 with a new grant, then 200 with the same grant', async () => {
    const [system, user] = await Promise.all([createSystem(api, orgId, token), createEndUser(api, orgId, token)]);
    expect(await signInDirectory().hasAccess(orgId, system.name, user.id)).toBe(false);

    const first = expectData(await grant(system.name, user.id), 201);
    expect(first).toEqual({ systemName: system.name, userId: user.id, createdAt: expect.any(String) as string });
    expect(expectData(await grant(system.name, user.id), 200)).toEqual(first);
    expect(await signInDirectory().hasAccess(orgId, system.name, user.id)).toBe(true);

    const granted = (await eventsOf(account.accountId)).filter((e) => e.type === 'access.granted' && e.target?.id === user.id);
    expect(granted).toHaveLength(1);
    expect(granted[0]).toMatchObject({ organizationId: orgId, details: { system: system.name }, actor: { kind: 'operator', id: account.owner.userId } });
  });

  it('creates one grant when the same PUT races itself', async () => {
    const [system, user] = await Promise.all([createSystem(api, orgId, token), createEndUser(api, orgId, token)]);
    const answers = await Promise.all(Array.from({ length: 4 }, () => grant(system.name, user.id)));
    expect(answers.filter((a) => a.response.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.response.status === 200)).toHaveLength(3);
    expect(expectData(await listAccess(system.name), 200).items).toHaveLength(1);
  });

  it('answers 404 when the system or the user does not exist in the organization', async () => {
    const [system, user] = await Promise.all([createSystem(api, orgId, token), createEndUser(api, orgId, token)]);
    expect(expectProblem(await grant(uniqueSystemName('ghost'), user.id), 404)).toMatchObject({ detail: 'System not found.' });
    expect(expectProblem(await grant(system.name, 'eu_ghost'), 404)).toMatchObject({ detail: 'End user not found.' });
    // A user of another organization of the same account is not a user of this one.
    const otherOrg = (await createOrganization(api, account.accountId, token)).id;
    const stranger = await createEndUser(api, otherOrg, token);
    expectProblem(await grant(system.name, stranger.id), 404);
    expect(await signInDirectory().hasAccess(orgId, system.name, stranger.id)).toBe(false);
  });
});

describe('revoking access', () => {
  it('answers 204, then 404; the user no longer has access', async () => {
    const [system, user] = await Promise.all([createSystem(api, orgId, token), createEndUser(api, orgId, token)]);
    await grantAccess(api, orgId, token, system.name, user.id);
    expectStatus(await revoke(system.name, user.id), 204);
    expect(await signInDirectory().hasAccess(orgId, system.name, user.id)).toBe(false);
    expectProblem(await revoke(system.name, user.id), 404);
    expect(expectData(await listAccess(system.name), 200).items).toEqual([]);
    // Granting again is a new grant.
    expectData(await grant(system.name, user.id), 201);

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

    const first = expectData(await listAccess(system.name, { limit: 2 }), 200);
    expect(first.items).toHaveLength(2);
    const second = expectData(await listAccess(system.name, { limit: 2, cursor: first.nextCursor ?? '' }), 200);
    const items = [...first.items, ...second.items];
    expect(second.nextCursor).toBeNull();
    const expected = [...users].sort((a, b) => (a.id < b.id ? -1 : 1)).map((u) => ({ systemName: system.name, userId: u.id, email: u.email, createdAt: expect.any(String) as string }));
    expect(items).toEqual(expected);

    const otherCursor = await listAccess(other.name, { cursor: first.nextCursor ?? '' });
    expect(expectProblem(otherCursor, 400)).toMatchObject({ errors: [{ field: 'query.cursor' }] });
  });

  it('answers 404 for an unknown system', async () => {
    expectProblem(await listAccess(uniqueSystemName('ghost')), 404);
  });
});
