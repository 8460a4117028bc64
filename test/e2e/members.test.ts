import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { config } from '#shared/config.ts';
import { documentClient } from '#shared/compose/runtime.ts';
import { auditRepository } from '#shared/compose/shared.ts';
import { accountKey, MEMBER_SK_PREFIX } from '#shared/data/keys.ts';
import { encodeCursor } from '#shared/http/pagination.ts';
import { Member, MemberPage } from '#shared/schemas/members.ts';
import type { RequestBody, SuccessBody } from '#client/index.ts';
import { expectData, expectProblem, expectStatus, useLocalApi } from '#test/support/local-api.ts';
import { addMember, createAccount } from '#test/support/tenancy.ts';
import { enrolOperator } from '#test/support/totp.ts';

const api = useLocalApi();

/** Untyped paths, for the bodies and ids the contract refuses on purpose. */
const members = (accountId: string) => `/v2/accounts/${accountId}/members`;
const member = (accountId: string, userId: string) => `${members(accountId)}/${userId}`;

/** `GET /v2/accounts/{accountId}/members` as `token`. */
const listMembers = (token: string, accountId: string, query: { limit?: number; cursor?: string } = {}) =>
  api.as(token).GET('/v2/accounts/{accountId}/members', { params: { path: { accountId }, query } });
/** `PATCH /v2/accounts/{accountId}/members/{userId}` as `token`. */
const updateMember = (token: string, accountId: string, userId: string, body: RequestBody<'/v2/accounts/{accountId}/members/{userId}', 'patch'>) =>
  api.as(token).PATCH('/v2/accounts/{accountId}/members/{userId}', { params: { path: { accountId, userId } }, body });
/** `DELETE /v2/accounts/{accountId}/members/{userId}` as `token`. */
const removeMember = (token: string, accountId: string, userId: string) =>
  api.as(token).DELETE('/v2/accounts/{accountId}/members/{userId}', { params: { path: { accountId, userId } } });

async function ownerCount(accountId: string): Promise<unknown> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: config().tableName, Key: accountKey(accountId), ConsistentRead: true }));
  return Item?.ownerCount;
}

async function eventsOf(accountId: string, type: string) {
  const { items } = await auditRepository().listEvents({ accountId, type, limit: 100 });
  return items;
}

async function createOrganization(accountId: string, token: string): Promise<string> {
  const response = await api.as(token).POST('/v2/accounts/{accountId}/organizations', { params: { path: { accountId } }, body: { name: 'Customer' } });
  return expectData(response, 201).id;
}

async function createGroup(accountId: string, token: string, organizations: string[]): Promise<string> {
  const response = await api.as(token).POST('/v2/accounts/{accountId}/groups', { params: { path: { accountId } }, body: { name: 'Region', organizations } });
  return expectData(response, 201).id;
}

describe('listing members', () => {
  it('lists every member with email, role and scope, page by page', async () => {
    const { accountId, owner } = await createAccount(api);
    const manager = await addMember(api, accountId, 'manager');
    const viewer = await addMember(api, accountId, 'viewer');

    const seen: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page: SuccessBody<'/v2/accounts/{accountId}/members', 'get'> = expectData(
        await listMembers(viewer.accessToken, accountId, { limit: 1, ...(cursor ? { cursor } : {}) }),
        200,
      );
      expect(MemberPage.parse(page).items.length).toBeLessThanOrEqual(1);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);

    expect(seen).toHaveLength(3);
    expect(seen).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ userId: owner.userId, email: owner.email, role: 'owner', scope: 'all' }),
        expect.objectContaining({ userId: manager.userId, email: manager.email, role: 'manager', scope: 'all' }),
        expect.objectContaining({ userId: viewer.userId, email: viewer.email, role: 'viewer', scope: 'all' }),
      ]),
    );
  });

  it('tells whether each member has confirmed a second factor (the Admins page shows it)', async () => {
    const { accountId, owner } = await createAccount(api);
    const enrolled = await addMember(api, accountId, 'manager');
    const pending = await addMember(api, accountId, 'viewer');
    await enrolOperator(api, enrolled.accessToken, enrolled.password);
    // Started but never confirmed: still no second factor.
    expectData(await api.as(pending.accessToken).POST('/v2/me/mfa/totp', { body: { password: pending.password } }), 200);

    const page = expectData(await listMembers(owner.accessToken, accountId), 200);
    const mfaOf = (userId: string) => page.items.find((item) => item.userId === userId)?.mfa;
    expect([mfaOf(owner.userId), mfaOf(enrolled.userId), mfaOf(pending.userId)]).toEqual([{ totp: false }, { totp: true }, { totp: false }]);
  });

  it('refuses a malformed cursor and a cursor from another partition with 400 naming query.cursor', async () => {
    const { accountId, owner } = await createAccount(api);
    const other = await createAccount(api);
    const foreign = encodeCursor({ pk: accountKey(other.accountId).pk, sk: `${MEMBER_SK_PREFIX}${other.owner.userId}` });
    for (const cursor of ['%%%not-base64', 'bm90LWpzb24', foreign ?? '']) {
      expect(expectProblem(await listMembers(owner.accessToken, accountId, { cursor }), 400), cursor).toMatchObject({ errors: [{ field: 'query.cursor' }] });
    }
  });

  it('answers 400 naming the field for a bad limit or account id', async () => {
    const { accountId, owner } = await createAccount(api);
    expect(expectProblem(await listMembers(owner.accessToken, accountId, { limit: 0 }), 400)).toMatchObject({ errors: [{ field: 'query.limit' }] });
    expect(expectProblem(await listMembers(owner.accessToken, 'acc_bad#id'), 400)).toMatchObject({ errors: [{ field: 'params.accountId' }] });
  });
});

describe('changing a member', () => {
  it('changes role and scope, and audits each change in the same write', async () => {
    const { accountId, owner } = await createAccount(api);
    const target = await addMember(api, accountId, 'viewer');
    const orgId = await createOrganization(accountId, owner.accessToken);
    const groupId = await createGroup(accountId, owner.accessToken, []);

    const response = await updateMember(owner.accessToken, accountId, target.userId, { role: 'manager', scope: { organizations: [orgId], groups: [groupId] } });
    expect(Member.parse(expectData(response, 200))).toEqual({
      userId: target.userId,
      email: target.email,
      role: 'manager',
      scope: { organizations: [orgId], groups: [groupId] },
      createdAt: expect.any(String) as string,
      mfa: { totp: false },
    });

    const [roleChanged] = await eventsOf(accountId, 'member.role_changed');
    expect(roleChanged).toMatchObject({
      actor: { kind: 'operator', id: owner.userId },
      target: { type: 'member', id: target.userId },
      details: { from: 'viewer', to: 'manager' },
      requestId: expect.any(String) as string,
      sourceIp: expect.any(String) as string,
    });
    const [scopeChanged] = await eventsOf(accountId, 'member.scope_changed');
    expect(scopeChanged).toMatchObject({ target: { id: target.userId }, details: { from: 'all', to: { organizations: [orgId], groups: [groupId] } } });

    // The member now acts with the new role.
    expectProblem(await api.as(target.accessToken).GET('/v2/accounts/{accountId}/invitations', { params: { path: { accountId } } }), 403);
  });

  it('answers 200 without writing anything when nothing changes', async () => {
    const { accountId, owner } = await createAccount(api);
    const target = await addMember(api, accountId, 'viewer');
    expectData(await updateMember(owner.accessToken, accountId, target.userId, { role: 'viewer' }), 200);
    expect(await eventsOf(accountId, 'member.role_changed')).toEqual([]);
  });

  it('refuses scope ids that are not organizations or groups of the same account, naming each', async () => {
    const { accountId, owner } = await createAccount(api);
    const other = await createAccount(api);
    const foreignOrg = await createOrganization(other.accountId, other.owner.accessToken);
    const ownOrg = await createOrganization(accountId, owner.accessToken);
    const foreignGroup = await createGroup(other.accountId, other.owner.accessToken, [foreignOrg]);
    const target = await addMember(api, accountId, 'viewer');

    const response = await updateMember(owner.accessToken, accountId, target.userId, { scope: { organizations: [ownOrg, foreignOrg, 'org_missing'], groups: [foreignGroup] } });
    expect(expectProblem(response, 400)).toMatchObject({
      errors: [
        { field: 'body.scope.organizations.1', message: 'is not an organization of this account' },
        { field: 'body.scope.organizations.2' },
        { field: 'body.scope.groups.0', message: 'is not a group of this account' },
      ],
    });
    const unchanged = expectData(await listMembers(owner.accessToken, accountId), 200);
    expect(JSON.stringify(unchanged)).not.toContain(foreignOrg);
  });

  it('keeps an owner scoped to everything', async () => {
    const { accountId, owner } = await createAccount(api);
    const orgId = await createOrganization(accountId, owner.accessToken);
    const target = await addMember(api, accountId, 'manager', { organizations: [orgId], groups: [] });
    const scoped = await updateMember(owner.accessToken, accountId, target.userId, { role: 'owner', scope: { organizations: [orgId] } });
    expect(expectProblem(scoped, 400)).toMatchObject({ errors: [{ field: 'body.scope', message: 'must be "all" for an owner' }] });

    const promoted = await updateMember(owner.accessToken, accountId, target.userId, { role: 'owner' });
    expect(expectData(promoted, 200)).toMatchObject({ role: 'owner', scope: 'all' });
  });

  it('answers 400 naming the field for bad bodies and ids', async () => {
    const { accountId, owner } = await createAccount(api);
    const target = await addMember(api, accountId, 'viewer');
    // Bodies the contract refuses, most of them not even of the right type: raw.
    const cases: [unknown, string][] = [
      [{}, 'body'],
      [{ role: 'admin' }, 'body.role'],
      [{ role: 42 }, 'body.role'],
      [{ scope: 'some' }, 'body.scope'],
      [{ scope: { organizations: 'org_1' } }, 'body.scope'],
      [{ scope: { organizations: [], groups: [] } }, 'body.scope'],
      [{ scope: { organizations: ['org_1', 'org_1'] } }, 'body.scope.organizations.1'],
      [{ scope: { teams: [] } }, 'body.scope.teams'],
      [{ role: 'viewer', extra: true }, 'body.extra'],
    ];
    for (const [body, field] of cases) {
      const response = await api.raw('PATCH', member(accountId, target.userId), { token: owner.accessToken, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect((response.body as { errors: { field: string }[] }).errors[0]?.field, JSON.stringify(body)).toBe(field);
    }
    const badId = await updateMember(owner.accessToken, accountId, 'usr x', { role: 'viewer' });
    expect(expectProblem(badId, 400)).toMatchObject({ errors: [{ field: 'params.userId' }] });
    const badJson = await api.raw('PATCH', member(accountId, target.userId), { token: owner.accessToken, rawBody: '{', headers: { 'content-type': 'application/json' } });
    expect(badJson.status).toBe(400);
  });

  it('answers 404 for someone who is not a member', async () => {
    const { accountId, owner } = await createAccount(api);
    const other = await createAccount(api);
    expectProblem(await updateMember(owner.accessToken, accountId, other.owner.userId, { role: 'viewer' }), 404);
    expectProblem(await removeMember(owner.accessToken, accountId, other.owner.userId), 404);
  });
});

describe('last-owner protection', () => {
  it('refuses to demote or remove the only owner with 409 last_owner', async () => {
    const { accountId, owner } = await createAccount(api);
    expect(await ownerCount(accountId)).toBe(1);

    expectProblem(await updateMember(owner.accessToken, accountId, owner.userId, { role: 'manager' }), 409, 'last_owner');
    expectProblem(await removeMember(owner.accessToken, accountId, owner.userId), 409, 'last_owner');

    const list = expectData(await listMembers(owner.accessToken, accountId), 200);
    expect(list.items).toEqual([expect.objectContaining({ userId: owner.userId, role: 'owner' })]);
    expect(await ownerCount(accountId)).toBe(1);
    expect(await eventsOf(accountId, 'member.role_changed')).toEqual([]);
  });

  it('counts promotions, so the first owner can step down once another exists, and not after', async () => {
    const { accountId, owner } = await createAccount(api);
    const second = await addMember(api, accountId, 'manager');
    expectData(await updateMember(owner.accessToken, accountId, second.userId, { role: 'owner' }), 200);
    expect(await ownerCount(accountId)).toBe(2);

    expectData(await updateMember(owner.accessToken, accountId, owner.userId, { role: 'viewer' }), 200);
    expect(await ownerCount(accountId)).toBe(1);

    expectProblem(await removeMember(second.accessToken, accountId, second.userId), 409, 'last_owner');
  });
});

describe('removing a member', () => {
  it('removes the membership at once, audits it, and the member reaches nothing afterwards', async () => {
    const { accountId, owner } = await createAccount(api);
    const target = await addMember(api, accountId, 'manager');

    expectStatus(await removeMember(owner.accessToken, accountId, target.userId), 204);

    const list = expectData(await listMembers(owner.accessToken, accountId), 200);
    expect(list.items.map((item) => item.userId)).toEqual([owner.userId]);
    expectProblem(await listMembers(target.accessToken, accountId), 404);
    const me = expectData(await api.as(target.accessToken).GET('/v2/me'), 200);
    expect(me.memberships).toEqual([]);

    const [removed] = await eventsOf(accountId, 'member.removed');
    expect(removed).toMatchObject({ actor: { kind: 'operator', id: owner.userId }, target: { type: 'member', id: target.userId }, details: { role: 'manager' } });

    expectProblem(await removeMember(owner.accessToken, accountId, target.userId), 404);
  });

  it('lets an owner remove another owner, lowering the count', async () => {
    const { accountId, owner } = await createAccount(api);
    const second = await addMember(api, accountId, 'viewer');
    expectData(await updateMember(owner.accessToken, accountId, second.userId, { role: 'owner' }), 200);
    expectStatus(await removeMember(second.accessToken, accountId, owner.userId), 204);
    expect(await ownerCount(accountId)).toBe(1);
  });
});
