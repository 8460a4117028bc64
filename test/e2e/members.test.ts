import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { config } from '#shared/config.ts';
import { auditRepository, documentClient } from '#shared/container.ts';
import { accountKey, MEMBER_SK_PREFIX } from '#shared/data/keys.ts';
import { encodeCursor } from '#shared/http/pagination.ts';
import { Member, MemberPage } from '#shared/schemas/members.ts';
import { useLocalApi } from '#test/support/local-api.ts';
import { addMember, createAccount } from '#test/support/tenancy.ts';

const api = useLocalApi();

const members = (accountId: string) => `/v2/accounts/${accountId}/members`;
const member = (accountId: string, userId: string) => `${members(accountId)}/${userId}`;

async function ownerCount(accountId: string): Promise<unknown> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: config().tableName, Key: accountKey(accountId), ConsistentRead: true }));
  return Item?.ownerCount;
}

async function eventsOf(accountId: string, type: string) {
  const { items } = await auditRepository().listEvents({ accountId, type, limit: 100 });
  return items;
}

async function createOrganization(accountId: string, token: string): Promise<string> {
  const response = await api.request<{ id: string }>('POST', `/v2/accounts/${accountId}/organizations`, { token, body: { name: 'Customer' } });
  expect(response.status).toBe(201);
  return response.body.id;
}

async function createGroup(accountId: string, token: string, organizations: string[]): Promise<string> {
  const response = await api.request<{ id: string }>('POST', `/v2/accounts/${accountId}/groups`, { token, body: { name: 'Region', organizations } });
  expect(response.status).toBe(201);
  return response.body.id;
}

describe('listing members', () => {
  it('lists every member with email, role and scope, page by page', async () => {
    const { accountId, owner } = await createAccount(api);
    const manager = await addMember(api, accountId, 'manager');
    const viewer = await addMember(api, accountId, 'viewer');

    const seen: unknown[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=1&cursor=${cursor}` : '?limit=1';
      const response = await api.request<{ items: unknown[]; nextCursor: string | null }>('GET', `${members(accountId)}${query}`, { token: viewer.accessToken });
      expect(response.status).toBe(200);
      expect(MemberPage.parse(response.body).items.length).toBeLessThanOrEqual(1);
      seen.push(...response.body.items);
      cursor = response.body.nextCursor;
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

  it('refuses a malformed cursor and a cursor from another partition with 400 naming query.cursor', async () => {
    const { accountId, owner } = await createAccount(api);
    const other = await createAccount(api);
    const foreign = encodeCursor({ pk: accountKey(other.accountId).pk, sk: `${MEMBER_SK_PREFIX}${other.owner.userId}` });
    for (const cursor of ['%%%not-base64', 'bm90LWpzb24', foreign ?? '']) {
      const response = await api.request('GET', `${members(accountId)}?cursor=${cursor}`, { token: owner.accessToken });
      expect(response.status, cursor).toBe(400);
      expect(response.body).toMatchObject({ errors: [{ field: 'query.cursor' }] });
    }
  });

  it('answers 400 naming the field for a bad limit or account id', async () => {
    const { accountId, owner } = await createAccount(api);
    const limit = await api.request('GET', `${members(accountId)}?limit=0`, { token: owner.accessToken });
    expect(limit.status).toBe(400);
    expect(limit.body).toMatchObject({ errors: [{ field: 'query.limit' }] });
    const id = await api.request('GET', members('acc_bad%23id'), { token: owner.accessToken });
    expect(id.status).toBe(400);
    expect(id.body).toMatchObject({ errors: [{ field: 'params.accountId' }] });
  });
});

describe('changing a member', () => {
  it('changes role and scope, and audits each change in the same write', async () => {
    const { accountId, owner } = await createAccount(api);
    const target = await addMember(api, accountId, 'viewer');
    const orgId = await createOrganization(accountId, owner.accessToken);
    const groupId = await createGroup(accountId, owner.accessToken, []);

    const response = await api.request('PATCH', member(accountId, target.userId), {
      token: owner.accessToken,
      body: { role: 'manager', scope: { organizations: [orgId], groups: [groupId] } },
    });
    expect(response.status).toBe(200);
    expect(Member.parse(response.body)).toEqual({
      userId: target.userId,
      email: target.email,
      role: 'manager',
      scope: { organizations: [orgId], groups: [groupId] },
      createdAt: expect.any(String) as string,
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
    const invite = await api.request('GET', `/v2/accounts/${accountId}/invitations`, { token: target.accessToken });
    expect(invite.status).toBe(403);
  });

  it('answers 200 without writing anything when nothing changes', async () => {
    const { accountId, owner } = await createAccount(api);
    const target = await addMember(api, accountId, 'viewer');
    const response = await api.request('PATCH', member(accountId, target.userId), { token: owner.accessToken, body: { role: 'viewer' } });
    expect(response.status).toBe(200);
    expect(await eventsOf(accountId, 'member.role_changed')).toEqual([]);
  });

  it('refuses scope ids that are not organizations or groups of the same account, naming each', async () => {
    const { accountId, owner } = await createAccount(api);
    const other = await createAccount(api);
    const foreignOrg = await createOrganization(other.accountId, other.owner.accessToken);
    const ownOrg = await createOrganization(accountId, owner.accessToken);
    const foreignGroup = await createGroup(other.accountId, other.owner.accessToken, [foreignOrg]);
    const target = await addMember(api, accountId, 'viewer');

    const response = await api.request('PATCH', member(accountId, target.userId), {
      token: owner.accessToken,
      body: { scope: { organizations: [ownOrg, foreignOrg, 'org_missing'], groups: [foreignGroup] } },
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      errors: [
        { field: 'body.scope.organizations.1', message: 'is not an organization of this account' },
        { field: 'body.scope.organizations.2' },
        { field: 'body.scope.groups.0', message: 'is not a group of this account' },
      ],
    });
    const unchanged = await api.request<{ scope: unknown }>('GET', members(accountId), { token: owner.accessToken });
    expect(JSON.stringify(unchanged.body)).not.toContain(foreignOrg);
  });

  it('keeps an owner scoped to everything', async () => {
    const { accountId, owner } = await createAccount(api);
    const orgId = await createOrganization(accountId, owner.accessToken);
    const target = await addMember(api, accountId, 'manager', { organizations: [orgId], groups: [] });
    const scoped = await api.request('PATCH', member(accountId, target.userId), {
      token: owner.accessToken,
      body: { role: 'owner', scope: { organizations: [orgId] } },
    });
    expect(scoped.status).toBe(400);
    expect(scoped.body).toMatchObject({ errors: [{ field: 'body.scope', message: 'must be "all" for an owner' }] });

    const promoted = await api.request('PATCH', member(accountId, target.userId), { token: owner.accessToken, body: { role: 'owner' } });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ role: 'owner', scope: 'all' });
  });

  it('answers 400 naming the field for bad bodies and ids', async () => {
    const { accountId, owner } = await createAccount(api);
    const target = await addMember(api, accountId, 'viewer');
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
      const response = await api.request('PATCH', member(accountId, target.userId), { token: owner.accessToken, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect((response.body as { errors: { field: string }[] }).errors[0]?.field, JSON.stringify(body)).toBe(field);
    }
    const badId = await api.request('PATCH', member(accountId, 'usr%20x'), { token: owner.accessToken, body: { role: 'viewer' } });
    expect(badId.status).toBe(400);
    expect(badId.body).toMatchObject({ errors: [{ field: 'params.userId' }] });
    const badJson = await api.request('PATCH', member(accountId, target.userId), { token: owner.accessToken, rawBody: '{', headers: { 'content-type': 'application/json' } });
    expect(badJson.status).toBe(400);
  });

  it('answers 404 for someone who is not a member', async () => {
    const { accountId, owner } = await createAccount(api);
    const other = await createAccount(api);
    const response = await api.request('PATCH', member(accountId, other.owner.userId), { token: owner.accessToken, body: { role: 'viewer' } });
    expect(response.status).toBe(404);
    const removal = await api.request('DELETE', member(accountId, other.owner.userId), { token: owner.accessToken });
    expect(removal.status).toBe(404);
  });
});

describe('last-owner protection', () => {
  it('refuses to demote or remove the only owner with 409 last_owner', async () => {
    const { accountId, owner } = await createAccount(api);
    expect(await ownerCount(accountId)).toBe(1);

    const demote = await api.request('PATCH', member(accountId, owner.userId), { token: owner.accessToken, body: { role: 'manager' } });
    expect(demote.status).toBe(409);
    expect(demote.body).toMatchObject({ code: 'last_owner' });
    const remove = await api.request('DELETE', member(accountId, owner.userId), { token: owner.accessToken });
    expect(remove.status).toBe(409);
    expect(remove.body).toMatchObject({ code: 'last_owner' });

    const list = await api.request<{ items: { role: string }[] }>('GET', members(accountId), { token: owner.accessToken });
    expect(list.body.items).toEqual([expect.objectContaining({ userId: owner.userId, role: 'owner' })]);
    expect(await ownerCount(accountId)).toBe(1);
    expect(await eventsOf(accountId, 'member.role_changed')).toEqual([]);
  });

  it('counts promotions, so the first owner can step down once another exists, and not after', async () => {
    const { accountId, owner } = await createAccount(api);
    const second = await addMember(api, accountId, 'manager');
    const promote = await api.request('PATCH', member(accountId, second.userId), { token: owner.accessToken, body: { role: 'owner' } });
    expect(promote.status).toBe(200);
    expect(await ownerCount(accountId)).toBe(2);

    const stepDown = await api.request('PATCH', member(accountId, owner.userId), { token: owner.accessToken, body: { role: 'viewer' } });
    expect(stepDown.status).toBe(200);
    expect(await ownerCount(accountId)).toBe(1);

    const removeLast = await api.request('DELETE', member(accountId, second.userId), { token: second.accessToken });
    expect(removeLast.status).toBe(409);
    expect(removeLast.body).toMatchObject({ code: 'last_owner' });
  });
});

describe('removing a member', () => {
  it('removes the membership at once, audits it, and the member reaches nothing afterwards', async () => {
    const { accountId, owner } = await createAccount(api);
    const target = await addMember(api, accountId, 'manager');

    const response = await api.request('DELETE', member(accountId, target.userId), { token: owner.accessToken });
    expect(response.status).toBe(204);

    const list = await api.request<{ items: { userId: string }[] }>('GET', members(accountId), { token: owner.accessToken });
    expect(list.body.items.map((item) => item.userId)).toEqual([owner.userId]);
    const afterwards = await api.request('GET', members(accountId), { token: target.accessToken });
    expect(afterwards.status).toBe(404);
    const me = await api.request<{ memberships: unknown[] }>('GET', '/v2/me', { token: target.accessToken });
    expect(me.body.memberships).toEqual([]);

    const [removed] = await eventsOf(accountId, 'member.removed');
    expect(removed).toMatchObject({ actor: { kind: 'operator', id: owner.userId }, target: { type: 'member', id: target.userId }, details: { role: 'manager' } });

    const again = await api.request('DELETE', member(accountId, target.userId), { token: owner.accessToken });
    expect(again.status).toBe(404);
  });

  it('lets an owner remove another owner, lowering the count', async () => {
    const { accountId, owner } = await createAccount(api);
    const second = await addMember(api, accountId, 'viewer');
    await api.request('PATCH', member(accountId, second.userId), { token: owner.accessToken, body: { role: 'owner' } });
    const response = await api.request('DELETE', member(accountId, owner.userId), { token: second.accessToken });
    expect(response.status).toBe(204);
    expect(await ownerCount(accountId)).toBe(1);
  });
});
