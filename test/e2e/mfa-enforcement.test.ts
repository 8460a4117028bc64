import { describe, expect, it } from 'vitest';
import { TokenPair } from '#shared/schemas/sessions.ts';
import { expectData, expectProblem, expectStatus, useLocalApi } from '#test/support/local-api.ts';
import { createOrganization, eventsOf } from '#test/support/organizations.ts';
import { addMember, createAccount } from '#test/support/tenancy.ts';
import { mailedInvitationToken } from '#test/support/invitations.ts';
import { codeInSteps, enrolOperator, referenceCode } from '#test/support/totp.ts';

const api = useLocalApi();

async function login(email: string, password: string) {
  return expectData(await api.client.POST('/v2/auth/login', { body: { email, password } }), 200);
}

/** The `mfaToken` of a login that asks for a second factor or an enrolment. */
function mfaTokenOf(answer: Awaited<ReturnType<typeof login>>): string {
  if (!('mfaToken' in answer)) throw new Error('login answered tokens, not an mfaToken');
  return answer.mfaToken;
}

/** Turns `settings.requireMfa` on for the whole account, as its owner. */
async function requireMfa(accountId: string, ownerToken: string) {
  expectData(await api.as(ownerToken).PATCH('/v2/accounts/{accountId}', { params: { path: { accountId } }, body: { settings: { requireMfa: true } } }), 200);
}

/** `POST /v2/accounts/{accountId}/members/{userId}/mfa/reset` as `token`. */
const resetMfa = (token: string, accountId: string, userId: string) =>
  api.as(token).POST('/v2/accounts/{accountId}/members/{userId}/mfa/reset', { params: { path: { accountId, userId } } });

describe.concurrent('2FA enforcement (settings.requireMfa)', () => {
  it('makes a member of a requireMfa account enrol with the mfaToken before anything else, then completes the login', async () => {
    const { accountId, owner } = await createAccount(api);
    const member = await addMember(api, accountId, 'manager');
    await requireMfa(accountId, owner.accessToken);

    const answer = await login(member.email, member.password);
    expect(answer).toEqual({ mfaEnrollmentRequired: true, mfaToken: expect.stringMatching(/^pmt_/) as unknown });
    const mfaToken = mfaTokenOf(answer);
    const enrolling = api.as(mfaToken);

    // The enrolment token is good for nothing else.
    expectStatus(await enrolling.GET('/v2/me'), 401);
    expectStatus(await enrolling.GET('/v2/accounts/{accountId}', { params: { path: { accountId } } }), 401);
    expectStatus(await enrolling.POST('/v2/me/mfa/recovery-codes', { body: { code: '123456' } }), 401);
    expectProblem(await api.client.POST('/v2/auth/mfa', { body: { mfaToken, code: '123456' } }), 401);

    const started = expectData(await enrolling.POST('/v2/me/mfa/totp', { body: {} }), 200);
    const confirmed = expectData(await enrolling.POST('/v2/me/mfa/totp/confirm', { body: { code: referenceCode(started.secret) } }), 200);
    expect(confirmed.recoveryCodes).toHaveLength(10);
    // Confirming with the enrolment token answers a session too.
    expect(confirmed.accessToken).toEqual(expect.any(String));
    expectData(await api.as(confirmed.accessToken ?? '').GET('/v2/me'), 200);
    // Spent: the enrolment token cannot start another enrolment.
    expectStatus(await enrolling.POST('/v2/me/mfa/totp', { body: {} }), 401);

    // From now on the member signs in with a code.
    const next = await login(member.email, member.password);
    expect(next).toMatchObject({ mfaRequired: true });
    const done = await api.client.POST('/v2/auth/mfa', { body: { mfaToken: mfaTokenOf(next), code: codeInSteps(started.secret, 1) } });
    expect(TokenPair.parse(expectData(done, 200))).toBeTruthy();
  });

  it('stops a password-only session from refreshing once requireMfa covers the operator', async () => {
    const { accountId, owner } = await createAccount(api);
    const member = await addMember(api, accountId, 'viewer');
    const session = await login(member.email, member.password);
    if (!('refreshToken' in session)) throw new Error('expected a password-only session');
    await requireMfa(accountId, owner.accessToken);
    const refreshed = await api.client.POST('/v2/auth/refresh', { body: { refreshToken: session.refreshToken } });
    expectProblem(refreshed, 401, 'mfa_enrollment_required');
  });

  it('covers exactly the members whose scope reaches a requireMfa organization', async () => {
    const { accountId, owner } = await createAccount(api);
    const strict = await createOrganization(api, accountId, owner.accessToken, { settings: { requireMfa: true } });
    const relaxed = await createOrganization(api, accountId, owner.accessToken);
    const covered = await addMember(api, accountId, 'viewer', { organizations: [strict.id], groups: [] });
    const notCovered = await addMember(api, accountId, 'viewer', { organizations: [relaxed.id], groups: [] });

    expect(await login(covered.email, covered.password)).toMatchObject({ mfaEnrollmentRequired: true });
    expect(TokenPair.parse(await login(notCovered.email, notCovered.password))).toBeTruthy();
    // The owner's scope is `all`: covered too.
    expect(await login(owner.email, owner.password)).toMatchObject({ mfaEnrollmentRequired: true });
  });

  it('lets an owner reset a member who lost the phone; the member must enrol again where required', async () => {
    const { accountId, owner } = await createAccount(api);
    const member = await addMember(api, accountId, 'manager');
    const enrolled = await enrolOperator(api, member.accessToken, member.password);
    expect(await login(member.email, member.password)).toMatchObject({ mfaRequired: true });

    expectProblem(await resetMfa(member.accessToken, accountId, owner.userId), 403);
    const other = await createAccount(api);
    expectProblem(await resetMfa(other.owner.accessToken, accountId, member.userId), 404);
    expectProblem(await resetMfa(owner.accessToken, accountId, other.owner.userId), 404);

    expectStatus(await resetMfa(owner.accessToken, accountId, member.userId), 204);
    const event = (await eventsOf(accountId)).find((e) => e.type === 'mfa.reset');
    expect(event).toMatchObject({ actor: { kind: 'operator', id: owner.userId }, target: { type: 'operator', id: member.userId } });
    // No 2FA any more: the old secret's codes mean nothing, and login answers tokens.
    expect(TokenPair.parse(await login(member.email, member.password))).toBeTruthy();
    expect(enrolled.secret).toBeTruthy();

    await requireMfa(accountId, owner.accessToken);
    expect(await login(member.email, member.password)).toMatchObject({ mfaEnrollmentRequired: true });
    expectProblem(await resetMfa(owner.accessToken, accountId, member.userId), 409, 'mfa_not_enrolled');
  });
});

/** `POST /v2/accounts/{accountId}/members/{userId}/mfa/enrollment` as `token`. */
const enrollmentLink = (token: string, accountId: string, userId: string) =>
  api.as(token).POST('/v2/accounts/{accountId}/members/{userId}/mfa/enrollment', { params: { path: { accountId, userId } } });

/** Adds the operator of `person` to `accountId` through the invitation flow (signed in, as SPEC §4 asks). */
async function joinAccount(accountId: string, ownerToken: string, person: { email: string; accessToken: string }) {
  const invitation = expectData(
    await api.as(ownerToken).POST('/v2/accounts/{accountId}/invitations', { params: { path: { accountId } }, body: { email: person.email, role: 'viewer', scope: 'all' } }),
    201,
  );
  const token = await mailedInvitationToken(api, invitation.email);
  expectData(await api.as(person.accessToken).POST('/v2/invitations/accept', { body: { token } }), 200);
}

describe('a second factor belongs to the person (review finding 3)', () => {
  it('refuses an owner to reset or re-enrol a member who belongs to another account too (409 member_in_other_accounts)', async () => {
    // The victim guards their own account with TOTP, and is also a member of the attacker's account.
    const victim = await createAccount(api);
    const attacker = await createAccount(api);
    await joinAccount(attacker.accountId, attacker.owner.accessToken, victim.owner);
    const enrolled = await enrolOperator(api, victim.owner.accessToken, victim.owner.password);

    expectProblem(await resetMfa(attacker.owner.accessToken, attacker.accountId, victim.owner.userId), 409, 'member_in_other_accounts');
    expectProblem(await enrollmentLink(attacker.owner.accessToken, attacker.accountId, victim.owner.userId), 409, 'member_in_other_accounts');

    // The victim's factor is untouched: login still asks for it, and their code still works.
    const answer = await login(victim.owner.email, victim.owner.password);
    expect(answer).toMatchObject({ mfaRequired: true });
    expectData(await api.client.POST('/v2/auth/mfa', { body: { mfaToken: mfaTokenOf(answer), code: codeInSteps(enrolled.secret, 1) } }), 200);
    expect((await eventsOf(victim.accountId)).map((e) => e.type)).not.toContain('mfa.reset');
  });

  it("asks an owner with 2FA for a session that showed the code (403 step_up_required) before changing a member's factor", async () => {
    const { accountId, owner } = await createAccount(api);
    const member = await addMember(api, accountId, 'manager');
    await enrolOperator(api, member.accessToken, member.password);
    // `owner.accessToken` is from before the owner's TOTP: password only.
    const ownerTotp = await enrolOperator(api, owner.accessToken, owner.password);

    expectProblem(await resetMfa(owner.accessToken, accountId, member.userId), 403, 'step_up_required');
    expectProblem(await enrollmentLink(owner.accessToken, accountId, member.userId), 403, 'step_up_required');
    expect(await login(member.email, member.password)).toMatchObject({ mfaRequired: true });

    const second = await login(owner.email, owner.password);
    const stepped = expectData(await api.client.POST('/v2/auth/mfa', { body: { mfaToken: mfaTokenOf(second), code: codeInSteps(ownerTotp.secret, 1) } }), 200);
    expectStatus(await resetMfa(stepped.accessToken, accountId, member.userId), 204);
    expectData(await enrollmentLink(stepped.accessToken, accountId, member.userId), 201);
  });

  it('answers the 403 of a lower role before anything about the member (no probing of other accounts)', async () => {
    const { accountId, owner } = await createAccount(api);
    const manager = await addMember(api, accountId, 'manager');
    const elsewhere = await createAccount(api);
    await joinAccount(accountId, owner.accessToken, elsewhere.owner);
    expectProblem(await resetMfa(manager.accessToken, accountId, elsewhere.owner.userId), 403, 'forbidden');
    expectProblem(await enrollmentLink(manager.accessToken, accountId, elsewhere.owner.userId), 403, 'forbidden');
  });
});
