import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { config } from '#shared/config.ts';
import { auditRepository, documentClient } from '#shared/container.ts';
import { accountKey, invitationKey, invitationTokenKey, type ItemKey } from '#shared/data/keys.ts';
import { hashSecret } from '#shared/domain/secrets.ts';
import { AcceptedInvitation, CreatedInvitation, InvitationPage } from '#shared/schemas/members.ts';
import { signupBody, strongPassword, uniqueEmail } from '#test/support/factories.ts';
import { useLocalApi } from '#test/support/local-api.ts';
import { addMember, createAccount, logIn } from '#test/support/tenancy.ts';

const api = useLocalApi();

const invitations = (accountId: string) => `/v2/accounts/${accountId}/invitations`;

interface Created {
  id: string;
  token: string;
  acceptUrl: string;
  email: string;
  expiresAt: string;
}

async function invite(accountId: string, token: string, body: Record<string, unknown> = {}): Promise<Created> {
  const response = await api.request<Created>('POST', invitations(accountId), {
    token,
    body: { email: uniqueEmail('invitee'), role: 'manager', scope: 'all', ...body },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

const accept = (body: Record<string, unknown>) =>
  api.request<{ accessToken: string; userId: string; accountId: string }>('POST', '/v2/invitations/accept', { body });

async function rawItem(key: ItemKey) {
  return (await documentClient().send(new GetCommand({ TableName: config().tableName, Key: key, ConsistentRead: true }))).Item;
}

async function eventsOf(accountId: string, type: string) {
  return (await auditRepository().listEvents({ accountId, type, limit: 100 })).items;
}

describe('creating and listing invitations', () => {
  it('answers the token once, stores only its SHA-256, and lists the invitation without it', async () => {
    const { accountId, owner } = await createAccount(api);
    const email = uniqueEmail('Invitee');
    const response = await api.request<Created>('POST', invitations(accountId), {
      token: owner.accessToken,
      body: { email, role: 'viewer', scope: 'all' },
    });
    expect(response.status).toBe(201);
    const created = CreatedInvitation.parse(response.body);
    expect(created).toMatchObject({ email: email.toLowerCase(), role: 'viewer', scope: 'all', status: 'pending', createdBy: owner.userId });
    expect(created.id).toMatch(/^inv_/);
    expect(created.token).toMatch(/^pci_[\w-]{43}$/);
    expect(created.acceptUrl).toBe(`/v2/invitations/accept#token=${created.token}`);
    const days = (Date.parse(created.expiresAt) - Date.parse(created.createdAt)) / 86_400_000;
    expect(days).toBe(7);

    // At rest: the hash as the lookup key and on the invitation, never the token.
    const invitationItem = await rawItem(invitationKey(accountId, created.id));
    const tokenItem = await rawItem(invitationTokenKey(hashSecret(created.token)));
    expect(invitationItem).toMatchObject({ tokenHash: hashSecret(created.token), status: 'pending', ttl: expect.any(Number) as number });
    expect(tokenItem).toMatchObject({ accountId, invitationId: created.id });
    for (const item of [invitationItem, tokenItem]) {
      const stored = JSON.stringify(item);
      expect(stored).not.toContain(created.token);
      expect(stored).not.toContain(created.token.slice(4));
    }

    const list = await api.request('GET', invitations(accountId), { token: owner.accessToken });
    expect(list.status).toBe(200);
    const page = InvitationPage.parse(list.body);
    expect(page.items).toEqual([expect.objectContaining({ id: created.id, email: email.toLowerCase(), status: 'pending' })]);
    expect(JSON.stringify(list.body)).not.toContain(created.token);
    expect(JSON.stringify(list.body)).not.toContain('tokenHash');

    const [event] = await eventsOf(accountId, 'invitation.created');
    expect(event).toMatchObject({ actor: { kind: 'operator', id: owner.userId }, target: { type: 'invitation', id: created.id } });
    expect(JSON.stringify(event)).not.toContain(created.token);
  });

  it('pages through pending invitations and refuses a foreign cursor', async () => {
    const { accountId, owner } = await createAccount(api);
    const ids = [(await invite(accountId, owner.accessToken)).id, (await invite(accountId, owner.accessToken)).id, (await invite(accountId, owner.accessToken)).id];
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const response = await api.request<{ items: { id: string }[]; nextCursor: string | null }>('GET', `${invitations(accountId)}${query}`, { token: owner.accessToken });
      expect(response.status).toBe(200);
      seen.push(...response.body.items.map((item) => item.id));
      cursor = response.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(ids.sort());

    const bad = await api.request('GET', `${invitations(accountId)}?cursor=eyJwayI6IkEifQ`, { token: owner.accessToken });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ errors: [{ field: 'query.cursor' }] });
  });

  it('refuses to invite someone who is already a member', async () => {
    const { accountId, owner } = await createAccount(api);
    const response = await api.request('POST', invitations(accountId), { token: owner.accessToken, body: { email: owner.email, role: 'viewer', scope: 'all' } });
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'member_exists' });
  });

  it('answers 400 naming the field for bad bodies, scopes and ids', async () => {
    const { accountId, owner } = await createAccount(api);
    const other = await createAccount(api);
    const foreignOrg = await api.request<{ id: string }>('POST', `/v2/accounts/${other.accountId}/organizations`, { token: other.owner.accessToken, body: { name: 'X' } });
    expect(foreignOrg.status).toBe(201);
    const good = { email: uniqueEmail(), role: 'viewer', scope: 'all' };
    const cases: [unknown, string][] = [
      [{ ...good, email: 'not-an-email' }, 'body.email'],
      [{ role: 'viewer', scope: 'all' }, 'body.email'],
      [{ ...good, role: 'root' }, 'body.role'],
      [{ ...good, scope: undefined }, 'body.scope'],
      [{ ...good, scope: { organizations: [foreignOrg.body.id] } }, 'body.scope.organizations.0'],
      [{ ...good, scope: { groups: ['grp_missing'] } }, 'body.scope.groups.0'],
      [{ ...good, role: 'owner', scope: { organizations: ['org_x'] } }, 'body.scope'],
      [{ ...good, token: 'mine' }, 'body.token'],
    ];
    for (const [body, field] of cases) {
      const response = await api.request('POST', invitations(accountId), { token: owner.accessToken, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((response.body as { errors: { field: string }[] }).errors[0]?.field, JSON.stringify(body)).toBe(field);
    }
    const limit = await api.request('GET', `${invitations(accountId)}?limit=101`, { token: owner.accessToken });
    expect(limit.body).toMatchObject({ errors: [{ field: 'query.limit' }] });
    const badId = await api.request('DELETE', `${invitations(accountId)}/inv%2Fx`, { token: owner.accessToken });
    expect(badId.status).toBe(400);
    expect(badId.body).toMatchObject({ errors: [{ field: 'params.invitationId' }] });
    expect(await eventsOf(accountId, 'invitation.created')).toEqual([]);
  });
});

describe('accepting an invitation', () => {
  it('makes a new person an operator and member, signed in, with the invited role and scope', async () => {
    const { accountId, owner } = await createAccount(api);
    const orgId = (await api.request<{ id: string }>('POST', `/v2/accounts/${accountId}/organizations`, { token: owner.accessToken, body: { name: 'C' } })).body.id;
    const created = await invite(accountId, owner.accessToken, { role: 'viewer', scope: { organizations: [orgId] } });
    const password = strongPassword();

    const response = await accept({ token: created.token, password });
    expect(response.status).toBe(200);
    const session = AcceptedInvitation.parse(response.body);
    expect(session.accountId).toBe(accountId);

    const me = await api.request('GET', '/v2/me', { token: session.accessToken });
    expect(me.body).toMatchObject({
      id: session.userId,
      email: created.email,
      memberships: [{ accountId, role: 'viewer', scope: { organizations: [orgId], groups: [] } }],
    });
    // The password set here is the login.
    await logIn(api, created.email, password);

    const list = await api.request<{ items: unknown[] }>('GET', invitations(accountId), { token: owner.accessToken });
    expect(list.body.items).toEqual([]);
    const [event] = await eventsOf(accountId, 'invitation.accepted');
    expect(event).toMatchObject({ actor: { kind: 'operator', id: session.userId }, target: { type: 'invitation', id: created.id }, details: { newOperator: true } });
  });

  it('refuses reuse of an accepted invitation with 409 invitation_used', async () => {
    const { accountId, owner } = await createAccount(api);
    const created = await invite(accountId, owner.accessToken);
    expect((await accept({ token: created.token, password: strongPassword() })).status).toBe(200);

    const again = await accept({ token: created.token, password: strongPassword() });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'invitation_used' });
    const revoke = await api.request('DELETE', `${invitations(accountId)}/${created.id}`, { token: owner.accessToken });
    expect(revoke.status).toBe(409);
    expect(revoke.body).toMatchObject({ code: 'invitation_used' });
  });

  it('lets an existing operator join with their current password, and only with it', async () => {
    const first = await createAccount(api);
    const second = await createAccount(api);
    const created = await invite(second.accountId, second.owner.accessToken, { email: first.owner.email, role: 'manager' });

    const missing = await accept({ token: created.token });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ errors: [{ field: 'body.password' }] });
    const wrong = await accept({ token: created.token, password: strongPassword() });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ code: 'invalid_credentials' });

    const joined = await accept({ token: created.token, password: first.owner.password });
    expect(joined.status).toBe(200);
    expect(joined.body.userId).toBe(first.owner.userId);
    const me = await api.request<{ memberships: { accountId: string; role: string }[] }>('GET', '/v2/me', { token: joined.body.accessToken });
    expect(me.body.memberships).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ accountId: first.accountId, role: 'owner' }),
        expect.objectContaining({ accountId: second.accountId, role: 'manager' }),
      ]),
    );
    const [event] = await eventsOf(second.accountId, 'invitation.accepted');
    expect(event).toMatchObject({ details: { newOperator: false, userId: first.owner.userId } });
  });

  it('refuses an expired invitation with 410 invitation_expired', async () => {
    const { accountId, owner } = await createAccount(api);
    const created = await invite(accountId, owner.accessToken);
    await documentClient().send(
      new UpdateCommand({
        TableName: config().tableName,
        Key: invitationKey(accountId, created.id),
        UpdateExpression: 'SET expiresAt = :past',
        ExpressionAttributeValues: { ':past': new Date(Date.now() - 1000).toISOString() },
      }),
    );
    const response = await accept({ token: created.token, password: strongPassword() });
    expect(response.status).toBe(410);
    expect(response.body).toMatchObject({ code: 'invitation_expired' });
    const list = await api.request<{ items: unknown[] }>('GET', invitations(accountId), { token: owner.accessToken });
    expect(list.body.items).toEqual([]);
  });

  it('answers 404 for an unknown or revoked token', async () => {
    const { accountId, owner } = await createAccount(api);
    const unknown = await accept({ token: 'pci_unknown', password: strongPassword() });
    expect(unknown.status).toBe(404);

    const created = await invite(accountId, owner.accessToken);
    const revoke = await api.request('DELETE', `${invitations(accountId)}/${created.id}`, { token: owner.accessToken });
    expect(revoke.status).toBe(204);
    expect(await rawItem(invitationTokenKey(hashSecret(created.token)))).toBeUndefined();
    const revoked = await accept({ token: created.token, password: strongPassword() });
    expect(revoked.status).toBe(404);
    const again = await api.request('DELETE', `${invitations(accountId)}/${created.id}`, { token: owner.accessToken });
    expect(again.status).toBe(404);

    const [event] = await eventsOf(accountId, 'invitation.revoked');
    expect(event).toMatchObject({ actor: { kind: 'operator', id: owner.userId }, target: { type: 'invitation', id: created.id } });
  });

  it('checks a new password like signup does', async () => {
    const { accountId, owner } = await createAccount(api);
    const created = await invite(accountId, owner.accessToken);
    const short = await accept({ token: created.token, password: 'short-pw' });
    expect(short.status).toBe(400);
    expect(short.body).toMatchObject({ errors: [{ field: 'body.password', message: 'must be at least 12 characters' }] });
    const common = await accept({ token: created.token, password: 'qwerty123456' });
    expect(common.status).toBe(400);
    expect(common.body).toMatchObject({ code: 'weak_password', errors: [{ field: 'body.password' }] });
    const none = await accept({ token: created.token });
    expect(none.body).toMatchObject({ errors: [{ field: 'body.password' }] });
    // Still pending: a refused attempt spends nothing.
    expect((await accept({ token: created.token, password: strongPassword() })).status).toBe(200);
  });

  it('answers 400 naming the field for a bad accept body', async () => {
    const cases: [unknown, string][] = [
      [{}, 'body.token'],
      [{ token: 7 }, 'body.token'],
      [{ token: '' }, 'body.token'],
      [{ token: 'pci_x', password: 5 }, 'body.password'],
      [{ token: 'pci_x', email: 'a@b.c' }, 'body.email'],
    ];
    for (const [body, field] of cases) {
      const response = await accept(body as Record<string, unknown>);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((response.body as unknown as { errors: { field: string }[] }).errors[0]?.field).toBe(field);
    }
  });

  it('counts an accepted owner invitation as an owner, so the first owner may then step down', async () => {
    const { accountId, owner } = await createAccount(api);
    const created = await invite(accountId, owner.accessToken, { role: 'owner' });
    const joined = await accept({ token: created.token, password: strongPassword() });
    expect(joined.status).toBe(200);
    expect((await rawItem(accountKey(accountId)))?.ownerCount).toBe(2);
    const stepDown = await api.request('PATCH', `/v2/accounts/${accountId}/members/${owner.userId}`, { token: owner.accessToken, body: { role: 'viewer' } });
    expect(stepDown.status).toBe(200);
  });

  it('refuses an invitation to an email that signed up meanwhile only through that operator\'s password', async () => {
    const { accountId, owner } = await createAccount(api);
    const email = uniqueEmail('late');
    const created = await invite(accountId, owner.accessToken, { email });
    const signup = signupBody({ email });
    expect((await api.request('POST', '/v2/signup', { body: signup })).status).toBe(201);
    const asNewPerson = await accept({ token: created.token, password: strongPassword() });
    expect(asNewPerson.status).toBe(401);
    expect((await accept({ token: created.token, password: signup.password })).status).toBe(200);
  });

  it('lets only owners manage invitations', async () => {
    const { accountId } = await createAccount(api);
    const manager = await addMember(api, accountId, 'manager');
    const response = await api.request('POST', invitations(accountId), { token: manager.accessToken, body: { email: uniqueEmail(), role: 'viewer', scope: 'all' } });
    expect(response.status).toBe(403);
  });
});
