import { describe, expect, it } from 'vitest';
import type { Principal } from '#shared/domain/kernel/principal.ts';
import { INVITATION_TTL_MS, Invitations } from '#shared/domain/tenancy/invitations.ts';
import { FixedClock } from '#test/support/fakes/clock.ts';
import { FakeSecondFactor } from '#test/support/fakes/sessions.ts';
import { MemoryTenancy } from '#test/support/fakes/tenancy.ts';
import { RecordingMailer } from '#test/support/fakes/mailer.ts';
import { SessionGate } from '#shared/domain/sessions/session-gate.ts';

const ANONYMOUS: Principal = { kind: 'anonymous' };
const CONSOLE_URL = 'https://console.example.test';
const signedIn = (userId: string, amr = ['pwd']): Principal => ({ kind: 'operator', userId, amr });
const request = (principal: Principal) => ({ requestId: 'req-1', sourceIp: '192.0.2.1', principal });

/**
 * The sessions port of `Invitations`: the real gate over a fake second factor, and `admit` answering
 * what it was asked (the session itself is OperatorSessions' business, tested on its own).
 */
function sessionsOver(secondFactor: FakeSecondFactor) {
  const gate = new SessionGate(secondFactor);
  const admitted: { userId: string; amr: string[] }[] = [];
  return {
    admitted,
    verdict: (userId: string, amr: readonly string[]) => gate.verdict(userId, amr),
    admit: (userId: string, amr: string[]) => {
      admitted.push({ userId, amr });
      return Promise.resolve({ accessToken: `access-${userId}`, refreshToken: `refresh-${userId}`, tokenType: 'Bearer' as const, expiresIn: 900 });
    },
  };
}

function world() {
  const clock = new FixedClock();
  const tenancy = new MemoryTenancy(clock.now);
  const secondFactor = new FakeSecondFactor();
  const sessions = sessionsOver(secondFactor);
  const mailer = new RecordingMailer();
  const service = new Invitations(tenancy, tenancy, tenancy, sessions, { mailer, consoleUrl: CONSOLE_URL }, clock.now);
  const { account, owner } = tenancy.seedAccount();
  const context = { actor: { kind: 'operator' as const, id: owner.id }, requestId: 'req-0', sourceIp: '192.0.2.9' };
  /** The service, whose `create` also answers the token the invitee was e-mailed (its own answer has none). */
  const invitations = {
    create: async (...args: Parameters<Invitations['create']>) => ({ ...(await service.create(...args)), token: mailer.tokenIn(args[1].email, 'invitation') }),
    accept: service.accept.bind(service),
    list: service.list.bind(service),
    revoke: service.revoke.bind(service),
  };
  return { clock, tenancy, secondFactor, sessions, service, mailer, invitations, account, owner, context };
}

describe('Invitations', () => {
  it('an invitation cannot be accepted twice', async () => {
    const { tenancy, invitations, account, context } = world();
    const invitee = tenancy.seedOperator('ann@example.test');
    const { token } = await invitations.create(account.id, { email: invitee.email, role: 'viewer', scope: 'all' }, context);
    await expect(invitations.accept({ token }, request(signedIn(invitee.id)))).resolves.toEqual({ accountId: account.id, joined: true });

    const again = invitations.accept({ token }, request(signedIn(invitee.id)));

    await expect(again).rejects.toMatchObject({ status: 409, code: 'invitation_used' });
    expect(tenancy.eventsOfType('invitation.accepted')).toHaveLength(1);
  });

  it('of two accepts at once exactly one joins; the other is told the invitation was used', async () => {
    const { tenancy, invitations, account, context } = world();
    const invitee = tenancy.seedOperator('ann@example.test');
    const { token } = await invitations.create(account.id, { email: invitee.email, role: 'manager', scope: 'all' }, context);

    const results = await Promise.allSettled([1, 2].map(() => invitations.accept({ token }, request(signedIn(invitee.id)))));

    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((result) => result.status === 'rejected')?.reason).toMatchObject({ status: 409 });
    expect(await tenancy.findMembership(account.id, invitee.id)).toMatchObject({ role: 'manager' });
  });

  it('a new person sets a password, joins with the invited role and scope, and signs in through the gate', async () => {
    const { tenancy, invitations, sessions, account, context } = world();
    const organization = tenancy.seedOrganization(account.id);
    const scope = { organizations: [organization.id], groups: [] };
    const { token } = await invitations.create(account.id, { email: 'new@example.test', role: 'viewer', scope }, context);

    const accepted = await invitations.accept({ token, password: 'a long and unusual passphrase 7' }, request(ANONYMOUS));

    expect(accepted).toMatchObject({ accountId: account.id, accessToken: expect.any(String) as string });
    const operator = await tenancy.findOperatorByEmail('new@example.test');
    expect(operator?.passwordHash).not.toContain('a long and unusual passphrase 7');
    expect(await tenancy.findMembership(account.id, operator?.id ?? '')).toMatchObject({ role: 'viewer', scope });
    expect(sessions.admitted).toEqual([{ userId: operator?.id, amr: ['pwd'] }]);
  });

  it('a new person must choose an acceptable password, and nothing is written until they do', async () => {
    const { tenancy, invitations, account, context } = world();
    const { token } = await invitations.create(account.id, { email: 'new@example.test', role: 'viewer', scope: 'all' }, context);

    await expect(invitations.accept({ token }, request(ANONYMOUS))).rejects.toMatchObject({ status: 400, code: 'validation_failed' });
    await expect(invitations.accept({ token, password: 'short' }, request(ANONYMOUS))).rejects.toMatchObject({ status: 400 });

    expect(await tenancy.findOperatorByEmail('new@example.test')).toBeUndefined();
  });

  it('an email that already has a login is accepted only by that operator, signed in', async () => {
    const { tenancy, invitations, account, context } = world();
    const invitee = tenancy.seedOperator('ann@example.test');
    const someoneElse = tenancy.seedOperator('bob@example.test');
    const { token } = await invitations.create(account.id, { email: invitee.email, role: 'viewer', scope: 'all' }, context);

    // A password never stands in for an existing operator's sign-in.
    await expect(invitations.accept({ token, password: 'a long and unusual passphrase 7' }, request(ANONYMOUS))).rejects.toMatchObject({ status: 401, code: 'sign_in_required' });
    await expect(invitations.accept({ token }, request(signedIn(someoneElse.id)))).rejects.toMatchObject({ status: 403, code: 'invitation_email_mismatch' });

    expect(await tenancy.findMembership(account.id, invitee.id)).toBeUndefined();
  });

  it('an operator with TOTP must have shown it in the session they accept with', async () => {
    const { tenancy, secondFactor, invitations, account, context } = world();
    const invitee = tenancy.seedOperator('ann@example.test');
    secondFactor.enableTotp(invitee.id, '123456');
    const { token } = await invitations.create(account.id, { email: invitee.email, role: 'viewer', scope: 'all' }, context);

    await expect(invitations.accept({ token }, request(signedIn(invitee.id, ['pwd'])))).rejects.toMatchObject({ status: 403, code: 'step_up_required' });

    await expect(invitations.accept({ token }, request(signedIn(invitee.id, ['pwd', 'otp'])))).resolves.toMatchObject({ joined: true });
  });

  it('expires after 7 days (410), while a used invitation stays used (409) after that', async () => {
    const { clock, tenancy, invitations, account, context } = world();
    const invitee = tenancy.seedOperator('ann@example.test');
    const unused = await invitations.create(account.id, { email: 'late@example.test', role: 'viewer', scope: 'all' }, context);
    const used = await invitations.create(account.id, { email: invitee.email, role: 'viewer', scope: 'all' }, context);
    await invitations.accept({ token: used.token }, request(signedIn(invitee.id)));

    clock.advance(INVITATION_TTL_MS / 1000);

    await expect(invitations.accept({ token: unused.token, password: 'a long and unusual passphrase 7' }, request(ANONYMOUS))).rejects.toMatchObject({ status: 410, code: 'invitation_expired' });
    await expect(invitations.accept({ token: used.token }, request(signedIn(invitee.id)))).rejects.toMatchObject({ status: 409, code: 'invitation_used' });
    expect((await invitations.list(account.id, { limit: 10 })).items).toEqual([]);
  });

  it('a revoked invitation is unknown to its token (404); an accepted one cannot be revoked (409)', async () => {
    const { tenancy, invitations, account, context } = world();
    const invitee = tenancy.seedOperator('ann@example.test');
    const revoked = await invitations.create(account.id, { email: 'new@example.test', role: 'viewer', scope: 'all' }, context);
    const accepted = await invitations.create(account.id, { email: invitee.email, role: 'viewer', scope: 'all' }, context);
    await invitations.accept({ token: accepted.token }, request(signedIn(invitee.id)));

    await invitations.revoke(account.id, revoked.id, context);

    await expect(invitations.accept({ token: revoked.token, password: 'a long and unusual passphrase 7' }, request(ANONYMOUS))).rejects.toMatchObject({ status: 404 });
    await expect(invitations.revoke(account.id, accepted.id, context)).rejects.toMatchObject({ status: 409, code: 'invitation_used' });
  });

  it('refuses to invite someone who is already a member', async () => {
    const { invitations, account, owner, context } = world();

    await expect(invitations.create(account.id, { email: owner.email, role: 'viewer', scope: 'all' }, context)).rejects.toMatchObject({ status: 409, code: 'member_exists' });
  });

  it("refuses a scope naming another account's organization, and an owner scoped to less than all", async () => {
    const { tenancy, invitations, account, context } = world();
    const other = tenancy.seedAccount('Other');
    const foreign = tenancy.seedOrganization(other.account.id);
    const scope = { organizations: [foreign.id], groups: [] };

    await expect(invitations.create(account.id, { email: 'new@example.test', role: 'viewer', scope }, context)).rejects.toMatchObject({
      status: 400,
      errors: [{ field: 'body.scope.organizations.0', message: 'is not an organization of this account' }],
    });
    await expect(invitations.create(account.id, { email: 'new@example.test', role: 'owner', scope: { organizations: [], groups: [] } }, context)).rejects.toMatchObject({ status: 400 });
    expect(tenancy.invitations.size).toBe(0);
  });

  it('e-mails the token to the invitee only, with the account and the inviter, and stores only its hash', async () => {
    const { tenancy, service, mailer, account, owner, context } = world();

    const created = await service.create(account.id, { email: 'new@example.test', role: 'viewer', scope: 'all' }, context);

    expect(created).not.toHaveProperty('token');
    expect(created).not.toHaveProperty('acceptUrl');
    const mail = mailer.last('new@example.test', 'invitation');
    expect(mailer.sent).toHaveLength(1);
    expect(mail?.values).toMatchObject({ accountName: account.name, inviterEmail: owner.email, role: 'viewer', expiresAt: created.expiresAt });
    const token = mailer.tokenIn('new@example.test', 'invitation');
    expect(mail?.values.url).toBe(`${CONSOLE_URL}/accept?token=${token}`);
    expect(JSON.stringify([created, ...tenancy.invitations.values(), ...tenancy.events])).not.toContain(token);
    expect((await service.list(account.id, { limit: 10 })).items[0]).not.toHaveProperty('token');
  });

  it('keeps no invitation when its e-mail cannot be sent, and answers 502 email_failed', async () => {
    const { tenancy, service, mailer, account, context } = world();
    mailer.send = () => Promise.reject(new Error('SES throttled'));

    await expect(service.create(account.id, { email: 'new@example.test', role: 'viewer', scope: 'all' }, context)).rejects.toMatchObject({ status: 502, code: 'email_failed' });

    expect([...tenancy.invitations.values()].filter((invitation) => invitation.status === 'pending')).toEqual([]);
    expect(tenancy.events.map((event) => event.type)).toEqual(['invitation.created', 'invitation.revoked']);
  });

  it('sends nothing when the invitation is refused', async () => {
    const { service, mailer, account, owner, context } = world();

    await expect(service.create(account.id, { email: owner.email, role: 'viewer', scope: 'all' }, context)).rejects.toMatchObject({ code: 'member_exists' });

    expect(mailer.sent).toEqual([]);
  });
});
