import { describe, expect, it } from 'vitest';
import { TokenPair } from '#shared/schemas/sessions.ts';
import { useLocalApi } from '#test/support/local-api.ts';
import { createOrganization, eventsOf } from '#test/support/organizations.ts';
import { addMember, createAccount } from '#test/support/tenancy.ts';
import { codeInSteps, enrolOperator, oathtoolCode } from '#test/support/totp.ts';

const api = useLocalApi();

async function login(email: string, password: string) {
  const response = await api.request('POST', '/v2/auth/login', { body: { email, password } });
  expect(response.status).toBe(200);
  return response.body;
}

describe.concurrent('2FA enforcement (settings.requireMfa)', () => {
  it('makes a member of a requireMfa account enrol with the mfaToken before anything else, then completes the login', async () => {
    const { accountId, owner } = await createAccount(api);
    const member = await addMember(api, accountId, 'manager');
    const patched = await api.request('PATCH', `/v2/accounts/${accountId}`, { token: owner.accessToken, body: { settings: { requireMfa: true } } });
    expect(patched.status).toBe(200);

    const answer = await login(member.email, member.password);
    expect(answer).toEqual({ mfaEnrollmentRequired: true, mfaToken: expect.stringMatching(/^pmt_/) as unknown });
    const mfaToken = answer.mfaToken as string;

    // The enrolment token is good for nothing else.
    expect((await api.request('GET', '/v2/me', { token: mfaToken })).status).toBe(401);
    expect((await api.request('GET', `/v2/accounts/${accountId}`, { token: mfaToken })).status).toBe(401);
    expect((await api.request('POST', '/v2/me/mfa/recovery-codes', { token: mfaToken, body: { code: '123456' } })).status).toBe(401);
    expect((await api.request('POST', '/v2/auth/mfa', { body: { mfaToken, code: '123456' } })).status).toBe(401);

    const started = await api.request<{ secret: string }>('POST', '/v2/me/mfa/totp', { token: mfaToken, body: {} });
    expect(started.status).toBe(200);
    const confirmed = await api.request<{ recoveryCodes: string[]; accessToken: string }>('POST', '/v2/me/mfa/totp/confirm', {
      token: mfaToken,
      body: { code: oathtoolCode(started.body.secret) },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.recoveryCodes).toHaveLength(10);
    expect((await api.request('GET', '/v2/me', { token: confirmed.body.accessToken })).status).toBe(200);
    // Spent: the enrolment token cannot start another enrolment.
    expect((await api.request('POST', '/v2/me/mfa/totp', { token: mfaToken, body: {} })).status).toBe(401);

    // From now on the member signs in with a code.
    const next = await login(member.email, member.password);
    expect(next.mfaRequired).toBe(true);
    const done = await api.request('POST', '/v2/auth/mfa', { body: { mfaToken: next.mfaToken, code: codeInSteps(started.body.secret, 1) } });
    expect(TokenPair.parse(done.body)).toBeTruthy();
  });

  it('stops a password-only session from refreshing once requireMfa covers the operator', async () => {
    const { accountId, owner } = await createAccount(api);
    const member = await addMember(api, accountId, 'viewer');
    const session = await api.request<{ refreshToken: string }>('POST', '/v2/auth/login', { body: { email: member.email, password: member.password } });
    await api.request('PATCH', `/v2/accounts/${accountId}`, { token: owner.accessToken, body: { settings: { requireMfa: true } } });
    const refreshed = await api.request<{ code: string }>('POST', '/v2/auth/refresh', { body: { refreshToken: session.body.refreshToken } });
    expect(refreshed.status).toBe(401);
    expect(refreshed.body.code).toBe('mfa_enrollment_required');
  });

  it('covers exactly the members whose scope reaches a requireMfa organization', async () => {
    const { accountId, owner } = await createAccount(api);
    const strict = await createOrganization(api, accountId, owner.accessToken, { settings: { requireMfa: true } });
    const relaxed = await createOrganization(api, accountId, owner.accessToken);
    const covered = await addMember(api, accountId, 'viewer', { organizations: [strict.id], groups: [] });
    const notCovered = await addMember(api, accountId, 'viewer', { organizations: [relaxed.id], groups: [] });

    expect((await login(covered.email, covered.password)).mfaEnrollmentRequired).toBe(true);
    expect(TokenPair.parse(await login(notCovered.email, notCovered.password))).toBeTruthy();
    // The owner's scope is `all`: covered too.
    expect((await login(owner.email, owner.password)).mfaEnrollmentRequired).toBe(true);
  });

  it('lets an owner reset a member who lost the phone; the member must enrol again where required', async () => {
    const { accountId, owner } = await createAccount(api);
    const member = await addMember(api, accountId, 'manager');
    const enrolled = await enrolOperator(api, member.accessToken, member.password);
    expect((await login(member.email, member.password)).mfaRequired).toBe(true);

    const byManager = await api.request('POST', `/v2/accounts/${accountId}/members/${owner.userId}/mfa/reset`, { token: member.accessToken });
    expect(byManager.status).toBe(403);
    const other = await createAccount(api);
    const crossTenant = await api.request('POST', `/v2/accounts/${accountId}/members/${member.userId}/mfa/reset`, { token: other.owner.accessToken });
    expect(crossTenant.status).toBe(404);
    const notAMember = await api.request('POST', `/v2/accounts/${accountId}/members/${other.owner.userId}/mfa/reset`, { token: owner.accessToken });
    expect(notAMember.status).toBe(404);

    const reset = await api.request('POST', `/v2/accounts/${accountId}/members/${member.userId}/mfa/reset`, { token: owner.accessToken });
    expect(reset.status).toBe(204);
    const event = (await eventsOf(accountId)).find((e) => e.type === 'mfa.reset');
    expect(event).toMatchObject({ actor: { kind: 'operator', id: owner.userId }, target: { type: 'operator', id: member.userId } });
    // No 2FA any more: the old secret's codes mean nothing, and login answers tokens.
    expect(TokenPair.parse(await login(member.email, member.password))).toBeTruthy();
    expect(enrolled.secret).toBeTruthy();

    await api.request('PATCH', `/v2/accounts/${accountId}`, { token: owner.accessToken, body: { settings: { requireMfa: true } } });
    expect((await login(member.email, member.password)).mfaEnrollmentRequired).toBe(true);
    const again = await api.request('POST', `/v2/accounts/${accountId}/members/${member.userId}/mfa/reset`, { token: owner.accessToken });
    expect(again.status).toBe(409);
  });
});
