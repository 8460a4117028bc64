import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { config } from '#shared/config.ts';
import { documentClient } from '#shared/compose/runtime.ts';
import { auditRepository } from '#shared/compose/shared.ts';
import { accountKey, invitationKey, invitationTokenKey, type ItemKey } from '#shared/data/keys.ts';
import { hashSecret } from '#shared/domain/kernel/secrets.ts';
import { AcceptedInvitation, CreatedInvitation, InvitationPage } from '#shared/schemas/members.ts';
import { signupBody, strongPassword, uniqueEmail } from '#test/support/factories.ts';
import type { RequestBody, SuccessBody } from '#client/index.ts';
import { expectData, expectSignedUp, expectProblem, expectStatus, useLocalApi } from '#test/support/local-api.ts';
import { addMember, createAccount, logIn } from '#test/support/tenancy.ts';
import { inviteByEmail, INVITATION_SUBJECT } from '#test/support/invitations.ts';
import { emailsTo, lastEmail, linkIn } from '#test/support/sign-in.ts';

const api = useLocalApi();

/** Untyped path, for the bodies and ids the contract refuses on purpose. */
const invitations = (accountId: string) => `/v2/accounts/${accountId}/invitations`;

type InvitationBody = RequestBody<'/v2/accounts/{accountId}/invitations', 'post'>;

/** `POST /v2/accounts/{accountId}/invitations` as `token`. */
const postInvitation = (token: string, accountId: string, body: InvitationBody) =>
  api.as(token).POST('/v2/accounts/{accountId}/invitations', { params: { path: { accountId } }, body });
/** `GET /v2/accounts/{accountId}/invitations` as `token`. */
const listInvitations = (token: string, accountId: string, query: { limit?: number; cursor?: string } = {}) =>
  api.as(token).GET('/v2/accounts/{accountId}/invitations', { params: { path: { accountId }, query } });
/** `DELETE /v2/accounts/{accountId}/invitations/{invitationId}` as `token`. */
const revokeInvitation = (token: string, accountId: string, invitationId: string) =>
  api.as(token).DELETE('/v2/accounts/{accountId}/invitations/{invitationId}', { params: { path: { accountId, invitationId } } });

/** An invitation (a manager of everything unless `body` says otherwise), with the token the invitee was e-mailed. */
async function invite(accountId: string, token: string, body: Partial<InvitationBody> = {}) {
  return inviteByEmail(api, token, accountId, { email: uniqueEmail('invitee'), role: 'manager', scope: 'all', ...body });
}

type AcceptBody = RequestBody<'/v2/invitations/accept', 'post'>;
const accept = (body: AcceptBody) => api.client.POST('/v2/invitations/accept', { body });
/** Accepting signed in, with the operator's access token. */
const acceptAs = (token: string, body: AcceptBody) => api.as(token).POST('/v2/invitations/accept', { body });

/** The tokens of a new person's accept (what login gives when no second factor is due). */
function sessionOf(answer: SuccessBody<'/v2/invitations/accept', 'post'>) {
  if (!('accessToken' in answer)) throw new Error(`expected tokens, got ${JSON.stringify(answer)}`);
  return answer;
}

async function rawItem(key: ItemKey) {
  return (await documentClient().send(new GetCommand({ TableName: config().tableName, Key: key, ConsistentRead: true }))).Item;
}

async function eventsOf(accountId: string, type: string) {
  return (await auditRepository().listEvents({ accountId, type, limit: 100 })).items;
}

describe('creating and listing invitations', () => {
  it('e-mails the token to the invitee only: never in the answer or the list, at rest only its SHA-256 (SPEC §4)', async () => {
    const { accountId, owner } = await createAccount(api);
    const accountName = expectData(await api.as(owner.accessToken).GET('/v2/accounts/{accountId}', { params: { path: { accountId } } }), 200).name;
    const email = uniqueEmail('Invitee');
    const response = await postInvitation(owner.accessToken, accountId, { email, role: 'viewer', scope: 'all' });
    const created = CreatedInvitation.parse(expectData(response, 201));
    expect(created).toMatchObject({ email: email.toLowerCase(), role: 'viewer', scope: 'all', status: 'pending', createdBy: owner.userId });
    expect(created.id).toMatch(/^inv_/);
    expect(Object.keys(expectData(response, 201)).sort()).toEqual(['createdAt', 'createdBy', 'email', 'expiresAt', 'id', 'role', 'scope', 'status']);
    const days = (Date.parse(created.expiresAt) - Date.parse(created.createdAt)) / 86_400_000;
    expect(days).toBe(7);

    // The invitee's e-mail: the console's accept link, the account's name and who invited.
    const mail = await lastEmail(api, email, INVITATION_SUBJECT);
    const { url, token } = linkIn(mail);
    expect(url).toBe(`${config().consoleUrl}/accept?token=${token}`);
    expect(token).toMatch(/^pci_[\w-]{43}$/);
    expect(mail.text).toContain(accountName);
    expect(mail.text).toContain(owner.email);
    expect(mail.html).toContain(token);
    expect(JSON.stringify(expectData(response, 201))).not.toContain(token);
    // Nobody else got it: the inviter's address has no invitation mail.
    expect((await emailsTo(api, owner.email)).filter((item) => INVITATION_SUBJECT.test(item.subject))).toEqual([]);

    // At rest: the hash as the lookup key and on the invitation, never the token.
    const invitationItem = await rawItem(invitationKey(accountId, created.id));
    const tokenItem = await rawItem(invitationTokenKey(hashSecret(token)));
    expect(invitationItem).toMatchObject({ tokenHash: hashSecret(token), status: 'pending', ttl: expect.any(Number) as number });
    expect(tokenItem).toMatchObject({ accountId, invitationId: created.id });
    for (const item of [invitationItem, tokenItem]) {
      const stored = JSON.stringify(item);
      expect(stored).not.toContain(token);
      expect(stored).not.toContain(token.slice(4));
    }

    const list = expectData(await listInvitations(owner.accessToken, accountId), 200);
    const page = InvitationPage.parse(list);
    expect(page.items).toEqual([expect.objectContaining({ id: created.id, email: email.toLowerCase(), status: 'pending' })]);
    expect(JSON.stringify(list)).not.toContain(token);
    expect(JSON.stringify(list)).not.toContain('tokenHash');

    const [event] = await eventsOf(accountId, 'invitation.created');
    expect(event).toMatchObject({ actor: { kind: 'operator', id: owner.userId }, target: { type: 'invitation', id: created.id } });
    expect(JSON.stringify(event)).not.toContain(token);

    // The e-mailed token is the one that accepts.
    expectData(await accept({ token, password: strongPassword() }), 200);
  });

  it('pages through pending invitations and refuses a foreign cursor', async () => {
    const { accountId, owner } = await createAccount(api);
    const ids = [(await invite(accountId, owner.accessToken)).id, (await invite(accountId, owner.accessToken)).id, (await invite(accountId, owner.accessToken)).id];
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: SuccessBody<'/v2/accounts/{accountId}/invitations', 'get'> = expectData(
        await listInvitations(owner.accessToken, accountId, { limit: 2, ...(cursor ? { cursor } : {}) }),
        200,
      );
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(ids.sort());

    const bad = await listInvitations(owner.accessToken, accountId, { cursor: 'eyJwayI6IkEifQ' });
    expect(expectProblem(bad, 400)).toMatchObject({ errors: [{ field: 'query.cursor' }] });
  });

  it('refuses to invite someone who is already a member', async () => {
    const { accountId, owner } = await createAccount(api);
    expectProblem(await postInvitation(owner.accessToken, accountId, { email: owner.email, role: 'viewer', scope: 'all' }), 409, 'member_exists');
  });

  it('answers 400 naming the field for bad bodies, scopes and ids', async () => {
    const { accountId, owner } = await createAccount(api);
    const other = await createAccount(api);
    const foreignOrg = expectData(
      await api.as(other.owner.accessToken).POST('/v2/accounts/{accountId}/organizations', { params: { path: { accountId: other.accountId } }, body: { name: 'X' } }),
      201,
    );
    const good = { email: uniqueEmail(), role: 'viewer', scope: 'all' };
    // Bodies the contract refuses, several of them not even of the right type: raw.
    const cases: [unknown, string][] = [
      [{ ...good, email: 'not-an-email' }, 'body.email'],
      [{ role: 'viewer', scope: 'all' }, 'body.email'],
      [{ ...good, role: 'root' }, 'body.role'],
      [{ ...good, scope: undefined }, 'body.scope'],
      [{ ...good, scope: { organizations: [foreignOrg.id] } }, 'body.scope.organizations.0'],
      [{ ...good, scope: { groups: ['grp_missing'] } }, 'body.scope.groups.0'],
      [{ ...good, role: 'owner', scope: { organizations: ['org_x'] } }, 'body.scope'],
      [{ ...good, token: 'mine' }, 'body.token'],
    ];
    for (const [body, field] of cases) {
      const response = await api.raw('POST', invitations(accountId), { token: owner.accessToken, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((response.body as { errors: { field: string }[] }).errors[0]?.field, JSON.stringify(body)).toBe(field);
    }
    expect(expectProblem(await listInvitations(owner.accessToken, accountId, { limit: 101 }), 400)).toMatchObject({ errors: [{ field: 'query.limit' }] });
    expect(expectProblem(await revokeInvitation(owner.accessToken, accountId, 'inv/x'), 400)).toMatchObject({ errors: [{ field: 'params.invitationId' }] });
    expect(await eventsOf(accountId, 'invitation.created')).toEqual([]);
  });
});

describe('accepting an invitation', () => {
  it('makes a new person an operator and member, signed in, with the invited role and scope', async () => {
    const { accountId, owner } = await createAccount(api);
    const orgId = expectData(
      await api.as(owner.accessToken).POST('/v2/accounts/{accountId}/organizations', { params: { path: { accountId } }, body: { name: 'C' } }),
      201,
    ).id;
    const created = await invite(accountId, owner.accessToken, { role: 'viewer', scope: { organizations: [orgId] } });
    const password = strongPassword();

    const session = sessionOf(AcceptedInvitation.parse(expectData(await accept({ token: created.token, password }), 200)));
    expect(session.accountId).toBe(accountId);

    const me = expectData(await api.as(session.accessToken).GET('/v2/me'), 200);
    expect(me).toMatchObject({
      id: session.userId,
      email: created.email,
      memberships: [{ accountId, role: 'viewer', scope: { organizations: [orgId], groups: [] } }],
    });
    // The password set here is the login.
    await logIn(api, created.email, password);

    expect(expectData(await listInvitations(owner.accessToken, accountId), 200).items).toEqual([]);
    const [event] = await eventsOf(accountId, 'invitation.accepted');
    expect(event).toMatchObject({ actor: { kind: 'operator', id: session.userId }, target: { type: 'invitation', id: created.id }, details: { newOperator: true } });
  });

  it('refuses reuse of an accepted invitation with 409 invitation_used', async () => {
    const { accountId, owner } = await createAccount(api);
    const created = await invite(accountId, owner.accessToken);
    expectData(await accept({ token: created.token, password: strongPassword() }), 200);

    expectProblem(await accept({ token: created.token, password: strongPassword() }), 409, 'invitation_used');
    expectProblem(await revokeInvitation(owner.accessToken, accountId, created.id), 409, 'invitation_used');
  });

  it('lets an existing operator join only signed in as the invited email, and answers no tokens (SPEC §4)', async () => {
    const first = await createAccount(api);
    const second = await createAccount(api);
    const created = await invite(second.accountId, second.owner.accessToken, { email: first.owner.email, role: 'manager' });

    // Not signed in: neither nothing, nor a wrong password, nor the right one accepts.
    expectProblem(await accept({ token: created.token }), 401, 'sign_in_required');
    expectProblem(await accept({ token: created.token, password: strongPassword() }), 401, 'sign_in_required');
    expectProblem(await accept({ token: created.token, password: first.owner.password }), 401, 'sign_in_required');
    // Signed in as someone else (the inviting owner here): the invitation is not theirs.
    expectProblem(await acceptAs(second.owner.accessToken, { token: created.token }), 403, 'invitation_email_mismatch');
    // A bad bearer token is a 401, never an anonymous accept.
    expectProblem(await acceptAs('not-a-token', { token: created.token, password: strongPassword() }), 401, 'invalid_token');

    const joined = expectData(await acceptAs(first.owner.accessToken, { token: created.token }), 200);
    expect(joined).toEqual({ accountId: second.accountId, joined: true });
    const me = expectData(await api.as(first.owner.accessToken).GET('/v2/me'), 200);
    expect(me.memberships).toEqual(
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
    expectProblem(await accept({ token: created.token, password: strongPassword() }), 410, 'invitation_expired');
    expect(expectData(await listInvitations(owner.accessToken, accountId), 200).items).toEqual([]);
  });

  it('answers 404 for an unknown or revoked token', async () => {
    const { accountId, owner } = await createAccount(api);
    expectProblem(await accept({ token: 'pci_unknown', password: strongPassword() }), 404);

    const created = await invite(accountId, owner.accessToken);
    expectStatus(await revokeInvitation(owner.accessToken, accountId, created.id), 204);
    expect(await rawItem(invitationTokenKey(hashSecret(created.token)))).toBeUndefined();
    expectProblem(await accept({ token: created.token, password: strongPassword() }), 404);
    expectProblem(await revokeInvitation(owner.accessToken, accountId, created.id), 404);

    const [event] = await eventsOf(accountId, 'invitation.revoked');
    expect(event).toMatchObject({ actor: { kind: 'operator', id: owner.userId }, target: { type: 'invitation', id: created.id } });
  });

  it('checks a new password like signup does', async () => {
    const { accountId, owner } = await createAccount(api);
    const created = await invite(accountId, owner.accessToken);
    const short = expectProblem(await accept({ token: created.token, password: 'short-pw' }), 400);
    expect(short).toMatchObject({ errors: [{ field: 'body.password', message: 'must be at least 12 characters' }] });
    const common = expectProblem(await accept({ token: created.token, password: 'qwerty123456' }), 400);
    expect(common).toMatchObject({ code: 'weak_password', errors: [{ field: 'body.password' }] });
    expect(expectProblem(await accept({ token: created.token }), 400)).toMatchObject({ errors: [{ field: 'body.password' }] });
    // Still pending: a refused attempt spends nothing.
    expectData(await accept({ token: created.token, password: strongPassword() }), 200);
  });

  it('answers 400 naming the field for a bad accept body', async () => {
    // Bodies the contract refuses, most of them not even of the right type: raw.
    const cases: [unknown, string][] = [
      [{}, 'body.token'],
      [{ token: 7 }, 'body.token'],
      [{ token: '' }, 'body.token'],
      [{ token: 'pci_x', password: 5 }, 'body.password'],
      [{ token: 'pci_x', email: 'a@b.c' }, 'body.email'],
    ];
    for (const [body, field] of cases) {
      const response = await api.raw<{ errors: { field: string }[] }>('POST', '/v2/invitations/accept', { body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.errors[0]?.field).toBe(field);
    }
  });

  it('counts an accepted owner invitation as an owner, so the first owner may then step down', async () => {
    const { accountId, owner } = await createAccount(api);
    const created = await invite(accountId, owner.accessToken, { role: 'owner' });
    expectData(await accept({ token: created.token, password: strongPassword() }), 200);
    expect((await rawItem(accountKey(accountId)))?.ownerCount).toBe(2);
    const stepDown = await api.as(owner.accessToken).PATCH('/v2/accounts/{accountId}/members/{userId}', {
      params: { path: { accountId, userId: owner.userId } },
      body: { role: 'viewer' },
    });
    expectData(stepDown, 200);
  });

  it('lets an email that signed up meanwhile accept only through that operator\'s session', async () => {
    const { accountId, owner } = await createAccount(api);
    const email = uniqueEmail('late');
    const created = await invite(accountId, owner.accessToken, { email });
    const signup = signupBody({ email });
    const signedUp = expectSignedUp(await api.client.POST('/v2/signup', { body: signup }));
    expectProblem(await accept({ token: created.token, password: strongPassword() }), 401, 'sign_in_required');
    expectProblem(await accept({ token: created.token, password: signup.password }), 401, 'sign_in_required');
    expect(expectData(await acceptAs(signedUp.accessToken, { token: created.token }), 200)).toEqual({ accountId, joined: true });
  });

  it('refuses a signed-in operator an invitation for a new person\'s email', async () => {
    const { accountId, owner } = await createAccount(api);
    const created = await invite(accountId, owner.accessToken);
    expectProblem(await acceptAs(owner.accessToken, { token: created.token, password: strongPassword() }), 403, 'invitation_email_mismatch');
    // Nothing spent: the invitee still accepts.
    sessionOf(expectData(await accept({ token: created.token, password: strongPassword() }), 200));
  });

  it('lets only owners manage invitations', async () => {
    const { accountId } = await createAccount(api);
    const manager = await addMember(api, accountId, 'manager');
    expectProblem(await postInvitation(manager.accessToken, accountId, { email: uniqueEmail(), role: 'viewer', scope: 'all' }), 403);
  });
});
