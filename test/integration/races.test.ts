/**
 * Check-and-use under real concurrency (ASVS 15.4.2), end to end: the local server over DynamoDB
 * Local, N = 20 identical correct submissions released at once per scenario. Exactly one wins each
 * time, every loser gets a 4xx problem (never a 5xx), and the suite prints the figures.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { operatorSecondFactor } from '#shared/compose/mfa.ts';
import { operatorSessions } from '#shared/compose/sessions.ts';
import { invitations } from '#shared/compose/tenancy.ts';
import type { AppError } from '#shared/domain/kernel/errors.ts';
import { race, Tally } from '#test/support/concurrency.ts';
import { signupBody, strongPassword, uniqueEmail } from '#test/support/factories.ts';
import type { ApiResponse } from '#test/support/local-api.ts';
import { useLocalApi } from '#test/support/local-api.ts';
import { completeSignIn, lastLink, lastPin, signInFixture, startSignIn, type SignInFixture } from '#test/support/sign-in.ts';
import { addMember, createAccount } from '#test/support/tenancy.ts';
import { mailedInvitationToken } from '#test/support/invitations.ts';
import { codeInSteps, enrolOperator, referenceCode } from '#test/support/totp.ts';

const api = useLocalApi();
const N = 20;
const tally = new Tally();

afterAll(() => {
  console.log(`races: ${tally.scenarios} scenarios × ${N} = ${tally.attempts} concurrent submissions, ${tally.winners} winners`);
});

type Answer = ApiResponse<{ code?: string; authenticated?: boolean }>;

/** Releases N copies of `send` at once; expects one `winStatus` and only refusals with `loserCodes`. */
async function exactlyOne(send: (index: number) => Promise<Answer>, winStatus: number, loserCodes: string[], isWin: (r: Answer) => boolean = () => true) {
  const outcome = await race(N, send, (r) => r.status === winStatus && isWin(r));
  tally.record(outcome);
  const losers = outcome.losers.map((r) => (r.status === 'fulfilled' ? `${r.value.status} ${r.value.body.code ?? ''}` : String(r.reason)));
  expect({ winners: outcome.winners.length, losers }).toMatchObject({ winners: 1 });
  expect(losers.filter((loser) => !loserCodes.some((code) => loser.endsWith(` ${code}`) && /^4\d\d /.test(loser)))).toEqual([]);
  return outcome;
}

const authenticated = (r: Answer) => r.body.authenticated === true;

/** A sign-in fixture whose end user has TOTP confirmed; the PIN step already passed on a fresh challenge. */
async function atTotpStep(): Promise<{ fixture: SignInFixture; secret: string; recoveryCodes: string[] }> {
  const fixture = await signInFixture(api, { policy: { factors: ['pin', 'totp'] } });
  const token = fixture.account.owner.accessToken;
  const path = `/v2/organizations/${fixture.orgId}/users/${fixture.user.id}/totp`;
  const started = await api.request<{ secret: string }>('POST', path, { token });
  const confirmed = await api.request<{ recoveryCodes: string[] }>('POST', `${path}/confirm`, { token, body: { code: referenceCode(started.body.secret) } });
  expect(confirmed.status).toBe(200);
  const signIn = { email: fixture.user.email, system: fixture.system.name };
  expect((await startSignIn(api, fixture.apikey, signIn)).status).toBe(202);
  const first = await completeSignIn(api, fixture.apikey, { ...signIn, pin: await lastPin(api, fixture.user.phone) });
  expect(first.body).toMatchObject({ authenticated: false, remaining: ['totp'] });
  return { fixture, secret: started.body.secret, recoveryCodes: confirmed.body.recoveryCodes };
}

/**
 * An operator with TOTP on, and N pending logins: one mfaToken through a real password login, the
 * others minted by the service a login calls (N scrypt checks in this one process would only measure
 * the CPU; each login is its own Lambda in AWS).
 */
async function operatorAtMfaStep() {
  const { owner } = await createAccount(api);
  const enrolled = await enrolOperator(api, owner.accessToken, owner.password);
  const login = await api.request<{ mfaToken: string }>('POST', '/v2/auth/login', { body: { email: owner.email, password: owner.password } });
  const minted = await Promise.all(Array.from({ length: N - 1 }, () => operatorSecondFactor().issueMfaToken(owner.userId, 'login')));
  return { enrolled, mfaTokens: [login.body.mfaToken, ...minted] };
}

describe(`races on DynamoDB Local, ${N} concurrent correct submissions each`, () => {
  it('one SMS PIN: exactly one token', async () => {
    const fixture = await signInFixture(api);
    const signIn = { email: fixture.user.email, system: fixture.system.name };
    expect((await startSignIn(api, fixture.apikey, signIn)).status).toBe(202);
    const pin = await lastPin(api, fixture.user.phone);
    await exactlyOne(() => completeSignIn(api, fixture.apikey, { ...signIn, pin }), 200, ['expired'], authenticated);
  });

  it('one magic link: exactly one token', async () => {
    const fixture = await signInFixture(api, { policy: { factors: ['passwordless'] }, passwordlessUrl: 'https://portal.example.com/in' });
    const signIn = { email: fixture.user.email, system: fixture.system.name };
    expect((await startSignIn(api, fixture.apikey, signIn)).status).toBe(202);
    const passwordless = await lastLink(api, fixture.user.phone);
    await exactlyOne(() => completeSignIn(api, fixture.apikey, { ...signIn, passwordless }), 200, ['expired'], authenticated);
  });

  it('one end-user TOTP code at the second step: exactly one token', async () => {
    const { fixture, secret } = await atTotpStep();
    const totp = codeInSteps(secret, 1);
    const signIn = { email: fixture.user.email, system: fixture.system.name };
    // A loser either sees the code replayed (counted as a wrong code) or the challenge consumed.
    await exactlyOne(() => completeSignIn(api, fixture.apikey, { ...signIn, totp }), 200, ['expired', 'invalid_credentials', 'too_many_attempts'], authenticated);
  });

  it('one end-user recovery code at the second step: exactly one token, one code spent', async () => {
    const { fixture, recoveryCodes } = await atTotpStep();
    const recoveryCode = recoveryCodes[0] ?? '';
    const signIn = { email: fixture.user.email, system: fixture.system.name };
    await exactlyOne(
      () => completeSignIn(api, fixture.apikey, { ...signIn, recoveryCode }),
      200,
      ['expired', 'invalid_credentials', 'too_many_attempts'],
      authenticated,
    );
  });

  it('one operator TOTP code over N pending logins (POST /v2/auth/mfa): exactly one session', async () => {
    const { enrolled, mfaTokens } = await operatorAtMfaStep();
    const code = codeInSteps(enrolled.secret, 1);
    await exactlyOne((i) => api.request('POST', '/v2/auth/mfa', { body: { mfaToken: mfaTokens[i], code } }), 200, ['code_already_used', 'too_many_attempts']);
  });

  it('one operator recovery code over N pending logins: exactly one session', async () => {
    const { enrolled, mfaTokens } = await operatorAtMfaStep();
    const recoveryCode = enrolled.recoveryCodes[0] ?? '';
    const outcome = await exactlyOne(
      (i) => api.request('POST', '/v2/auth/mfa', { body: { mfaToken: mfaTokens[i], recoveryCode } }),
      200,
      ['invalid_code', 'invalid_credentials', 'code_already_used', 'too_many_attempts'],
    );
    const token = (outcome.winners[0]?.body as { accessToken?: string } | undefined)?.accessToken ?? '';
    const me = await api.request<{ mfa: { recoveryCodesRemaining: number } }>('GET', '/v2/me', { token });
    expect(me.body.mfa.recoveryCodesRemaining).toBe(9);
  });

  it('one refresh token: exactly one new pair', async () => {
    const signup = await api.request<{ refreshToken: string }>('POST', '/v2/signup', { body: signupBody() });
    await exactlyOne(() => api.request('POST', '/v2/auth/refresh', { body: { refreshToken: signup.body.refreshToken } }), 200, ['refresh_token_reused', 'invalid_refresh_token']);
  });

  it('one invitation: exactly one member joins (service level)', async () => {
    const { accountId, owner } = await createAccount(api);
    const invited = await api.request<{ email: string }>('POST', `/v2/accounts/${accountId}/invitations`, {
      token: owner.accessToken,
      body: { email: uniqueEmail('invitee'), role: 'viewer', scope: 'all' },
    });
    expect(invited.status).toBe(201);
    const token = await mailedInvitationToken(api, invited.body.email);
    // Through the service, not HTTP: each accept hashes the new password (scrypt, 128 MiB), and N of
    // them in this one process would outlast the local server's simulated 10 s Lambda deadline.
    const password = strongPassword();
    const outcome = await race(N, () => invitations().accept({ token, password }, { requestId: 'race', sourceIp: '127.0.0.1', principal: { kind: 'anonymous' } }), () => true);
    tally.record(outcome);
    expect(outcome.winners).toHaveLength(1);
    expect(outcome.losers.map((r) => (r.status === 'rejected' ? (r.reason as AppError).code : 'ok'))).toEqual(Array(N - 1).fill('invitation_used'));
    const members = await api.request<{ items: unknown[] }>('GET', `/v2/accounts/${accountId}/members`, { token: owner.accessToken });
    expect(members.body.items).toHaveLength(2);
  });

  it('one enrolment link: exactly one confirmation shows recovery codes', async () => {
    const { accountId, owner } = await createAccount(api);
    const member = await addMember(api, accountId, 'manager');
    const link = await api.request<{ enrollmentUrl: string }>('POST', `/v2/accounts/${accountId}/members/${member.userId}/mfa/enrollment`, { token: owner.accessToken });
    // The page shows the secret after the member's password, with the step token its code form carries.
    const form = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    const page = await (await fetch(link.body.enrollmentUrl, { ...form, body: new URLSearchParams({ password: member.password }).toString() })).text();
    const secret = /data-secret="([A-Z2-7]+)"/.exec(page)?.[1] ?? '';
    const step = /name="step" value="([^"]+)"/.exec(page)?.[1] ?? '';
    expect(secret).not.toBe('');
    const code = referenceCode(secret);
    const outcome = await race(
      N,
      async () => {
        const response = await fetch(link.body.enrollmentUrl, { ...form, body: new URLSearchParams({ code, step }).toString() });
        return { status: response.status, html: await response.text() };
      },
      (r) => r.status === 200 && r.html.includes('id="recovery-codes"'),
    );
    tally.record(outcome);
    expect(outcome.winners).toHaveLength(1);
    for (const loser of outcome.losers) expect(loser.status === 'fulfilled' && loser.value.status >= 400 && loser.value.status < 500).toBe(true);
  });

  it('signups with one email: exactly one account (service level)', async () => {
    // Through the service for the same reason as invitations (one scrypt hash per attempt).
    const email = uniqueEmail('race');
    const outcome = await race(N, () => operatorSessions().signUp(signupBody({ email })), () => true);
    tally.record(outcome);
    expect(outcome.winners).toHaveLength(1);
    expect(outcome.losers.map((r) => (r.status === 'rejected' ? (r.reason as AppError).status : 0))).toEqual(Array(N - 1).fill(409));
    expect((await api.request('POST', '/v2/auth/login', { body: { email, password: 'wrong-password-123' } })).status).toBe(401);
  });
});
