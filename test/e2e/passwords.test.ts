/**
 * Passwords over HTTP (SPEC §4 Passwords, §6, §8 notices), as an attacker would try them: the change
 * without the current password or past its budget, the forgot route as an address oracle, the reset
 * link replayed, raced, expired or replaced, and the reset as a way around the second factor.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { LoginThrottleRepository } from '#shared/adapters/login-throttle-repository.ts';
import { PasswordRepository } from '#shared/adapters/password-repository.ts';
import { documentClient } from '#shared/compose/runtime.ts';
import { config } from '#shared/config.ts';
import { PASSWORD_EVENTS } from '#shared/domain/kernel/audit-events.ts';
import { hashSecret, randomSecret } from '#shared/domain/kernel/secrets.ts';
import { LOGIN_MAX_ATTEMPTS, LoginThrottle } from '#shared/domain/sessions/login-throttle.ts';
import { race } from '#test/support/concurrency.ts';
import { signupBody, strongPassword, uniqueEmail } from '#test/support/factories.ts';
import { expectData, expectProblem, expectSignedUp, expectStatus, useLocalApi } from '#test/support/local-api.ts';
import { eventsOf } from '#test/support/organizations.ts';
import { emailsTo, lastEmail, linkIn } from '#test/support/sign-in.ts';
import { addMember } from '#test/support/tenancy.ts';
import { codeInSteps, enrolOperator } from '#test/support/totp.ts';

const api = useLocalApi();

/** A new account whose owner is signed in: the signup's session. */
async function signUp() {
  const body = signupBody();
  const created = expectSignedUp(await api.client.POST('/v2/signup', { body }));
  return { ...body, ...created };
}

/** A fresh session (refresh family) of an operator without 2FA. */
async function logIn(email: string, password: string) {
  const answer = expectData(await api.client.POST('/v2/auth/login', { body: { email, password } }), 200);
  if (!('accessToken' in answer)) throw new Error(`login answered no tokens: ${JSON.stringify(answer)}`);
  return answer;
}

// Body mode: a missing refresh token would be a 400, not the answer a test expects.
const refresh = (refreshToken: string | undefined) => api.client.POST('/v2/auth/refresh', { body: { refreshToken } });
const change = (token: string, currentPassword: string, newPassword: string) =>
  api.as(token).POST('/v2/me/password', { body: { currentPassword, newPassword } });
const forgot = (email: string) => api.client.POST('/v2/auth/password/forgot', { body: { email } });
const reset = (token: string, newPassword: string) => api.client.POST('/v2/auth/password/reset', { body: { token, newPassword } });

/** Asks for a link and answers its token, read from the outbox. */
async function resetTokenFor(email: string): Promise<string> {
  expectStatus(await forgot(email), 202);
  return linkIn(await lastEmail(api, email, /Reset your Portcullis password/)).token;
}

const passwords = () => new PasswordRepository(documentClient(), config().tableName);
const loginThrottle = () => new LoginThrottle(new LoginThrottleRepository(documentClient(), config().tableName));

describe('POST /v2/me/password', () => {
  it('refuses a wrong current password with 401 invalid_credentials and keeps the old one', async () => {
    const owner = await signUp();
    expectProblem(await change(owner.accessToken, strongPassword(), strongPassword()), 401, 'invalid_credentials');
    await logIn(owner.email, owner.password);
  });

  it('shares the login attempt budget: with one attempt left, of two concurrent wrong current passwords one is compared and one refused with 429', async () => {
    const owner = await signUp();
    // Nine attempts spent as nine wrong logins would (the count of scrypt checks under a burst is in
    // test/integration/attempt-budgets.test.ts; here the budget is shown to be the login's).
    for (let i = 0; i < LOGIN_MAX_ATTEMPTS - 1; i++) await loginThrottle().reserveAttempt(owner.email);
    const { results } = await race(2, () => change(owner.accessToken, strongPassword(), strongPassword()), () => true);
    const statuses = results.map((r) => (r.status === 'fulfilled' ? r.value.response.status : 0)).sort();
    expect(statuses).toEqual([401, 429]);
    // The right password is refused too until the window passes, here and at login.
    const afterwards = await change(owner.accessToken, owner.password, strongPassword());
    expectProblem(afterwards, 429, 'rate_limited');
    expect(afterwards.response.headers.get('retry-after')).toMatch(/^\d+$/);
    expectProblem(await api.client.POST('/v2/auth/login', { body: { email: owner.email, password: owner.password } }), 429, 'rate_limited');
  });

  it('changes the password, ends every other session at once but keeps the caller’s, e-mails a notice and audits it', async () => {
    const owner = await signUp();
    const other = await logIn(owner.email, owner.password);
    const third = await logIn(owner.email, owner.password);
    const newPassword = strongPassword();

    expectStatus(await change(owner.accessToken, owner.password, newPassword), 204);

    // The other sessions' refresh fails at once; their access tokens run out within 15 minutes.
    expectProblem(await refresh(other.refreshToken), 401, 'invalid_refresh_token');
    expectProblem(await refresh(third.refreshToken), 401, 'invalid_refresh_token');
    expectData(await refresh(owner.refreshToken), 200);
    expectProblem(await api.client.POST('/v2/auth/login', { body: { email: owner.email, password: owner.password } }), 401, 'invalid_credentials');
    await logIn(owner.email, newPassword);

    const notice = await lastEmail(api, owner.email, /password was changed/);
    expect(notice.text).toContain('Your other sessions were signed out');
    const events = (await eventsOf(owner.accountId)).filter((event) => event.type === PASSWORD_EVENTS.changed);
    expect(events).toEqual([expect.objectContaining({ actor: { kind: 'operator', id: owner.userId }, details: { sessionsEnded: 2 } })]);
  });

  it('voids a reset link asked for before the change', async () => {
    const owner = await signUp();
    const token = await resetTokenFor(owner.email);
    const newPassword = strongPassword();
    expectStatus(await change(owner.accessToken, owner.password, newPassword), 204);
    expectProblem(await reset(token, strongPassword()), 400, 'invalid_reset_token');
    await logIn(owner.email, newPassword);
  });

  it('asks a session with the second factor when the operator has 2FA (403 step_up_required), then changes', async () => {
    const owner = await signUp();
    const { secret } = await enrolOperator(api, owner.accessToken, owner.password);
    // The signup's access token (amr pwd) still runs: it must not change the password of a 2FA person.
    expectProblem(await change(owner.accessToken, owner.password, strongPassword()), 403, 'step_up_required');

    const step = expectData(await api.client.POST('/v2/auth/login', { body: { email: owner.email, password: owner.password } }), 200);
    if (!('mfaRequired' in step)) throw new Error('expected the second step');
    const signedIn = expectData(await api.client.POST('/v2/auth/mfa', { body: { mfaToken: step.mfaToken, code: codeInSteps(secret, 1) } }), 200);
    expectStatus(await change(signedIn.accessToken, owner.password, strongPassword()), 204);
  });

  it('refuses a weak or missing new password with 400 naming body.newPassword, before any attempt is spent', async () => {
    const owner = await signUp();
    for (let i = 0; i < LOGIN_MAX_ATTEMPTS + 1; i++) {
      const weak = await change(owner.accessToken, owner.password, 'password1234');
      expect(expectProblem(weak, 400, 'weak_password')).toMatchObject({ errors: [{ field: 'body.newPassword' }] });
    }
    const short = await change(owner.accessToken, owner.password, 'short');
    expect(expectProblem(short, 400, 'validation_failed')).toMatchObject({ errors: [{ field: 'body.newPassword' }] });
    const missing = await api.raw('POST', '/v2/me/password', { token: owner.accessToken, body: { newPassword: strongPassword() } });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'body.currentPassword' }] });
    // None of the refusals above spent the budget.
    expectStatus(await change(owner.accessToken, owner.password, strongPassword()), 204);
  });

  it('is the caller’s own only: no credential → 401, and another account’s owner cannot reach someone else’s password', async () => {
    const response = await api.raw('POST', '/v2/me/password', { body: { currentPassword: strongPassword(), newPassword: strongPassword() } });
    expect(response.status).toBe(401);
    // No path parameter or body field names an operator: the access token's subject is the only one
    // whose password the route can change. Another account's owner, holding the victim's password,
    // only ever tries it against their own.
    const victim = await signUp();
    const stranger = await signUp();
    expectProblem(await change(stranger.accessToken, victim.password, strongPassword()), 401, 'invalid_credentials');
    await logIn(victim.email, victim.password);
  });
});

describe('POST /v2/auth/password/forgot', () => {
  /** The answer as bytes, with the per-request headers left out. */
  async function rawForgot(email: string) {
    const response = await fetch(`${api.url()}/v2/auth/password/forgot`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
    });
    const headers = [...response.headers.entries()].filter(([name]) => !['date', 'x-request-id', 'apigw-requestid'].includes(name));
    return { status: response.status, headers, bytes: Buffer.from(await response.arrayBuffer()).toString('base64') };
  }

  it('answers identical bytes for an operator’s address and an unknown one; only the operator gets a link', async () => {
    const owner = await signUp();
    const unknown = uniqueEmail('nobody');
    const known = await rawForgot(owner.email);
    const stranger = await rawForgot(unknown);
    expect(known.status).toBe(202);
    expect(stranger).toEqual(known);
    expect(known.bytes).toBe('');

    const mail = await lastEmail(api, owner.email, /Reset your Portcullis password/);
    const { url, token } = linkIn(mail);
    expect(url.startsWith(`${config().consoleUrl}/reset-password?token=`)).toBe(true);
    expect(token).toMatch(/^ppr_[\w-]{43}$/);
    expect(mail.text).toContain('30 minutes');
    expect(await emailsTo(api, unknown)).toEqual([]);
    expect((await eventsOf(owner.accountId)).map((event) => event.type)).toContain(PASSWORD_EVENTS.resetRequested);
  });

  it('sends at most one link a minute per address, still answering the same 202', async () => {
    const owner = await signUp();
    const first = await rawForgot(owner.email);
    const second = await rawForgot(owner.email);
    expect(second).toEqual(first);
    expect((await emailsTo(api, owner.email)).filter((mail) => /Reset your/.test(mail.subject))).toHaveLength(1);
  });

  it('refuses a malformed address with 400 naming body.email', async () => {
    const response = await api.raw('POST', '/v2/auth/password/forgot', { body: { email: 'not-an-address' } });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'body.email' }] });
  });
});

describe('POST /v2/auth/password/reset', () => {
  it('sets the new password, ends every session, answers no tokens, e-mails a notice and audits it', async () => {
    const owner = await signUp();
    const other = await logIn(owner.email, owner.password);
    const token = await resetTokenFor(owner.email);
    const newPassword = strongPassword();

    const answer = await reset(token, newPassword);
    expectStatus(answer, 204);
    expect(answer.data).toBeUndefined();

    expectProblem(await refresh(owner.refreshToken), 401, 'invalid_refresh_token');
    expectProblem(await refresh(other.refreshToken), 401, 'invalid_refresh_token');
    expectProblem(await api.client.POST('/v2/auth/login', { body: { email: owner.email, password: owner.password } }), 401, 'invalid_credentials');
    await logIn(owner.email, newPassword);
    expect((await lastEmail(api, owner.email, /password was reset/)).text).toContain('Every session was signed out');
    const events = (await eventsOf(owner.accountId)).filter((event) => event.type === PASSWORD_EVENTS.reset);
    expect(events).toEqual([expect.objectContaining({ details: { sessionsEnded: 2 } })]);
  });

  it('refuses a link used twice', async () => {
    const owner = await signUp();
    const token = await resetTokenFor(owner.email);
    const newPassword = strongPassword();
    expectStatus(await reset(token, newPassword), 204);
    expectProblem(await reset(token, strongPassword()), 400, 'invalid_reset_token');
    await logIn(owner.email, newPassword);
  });

  it('lets exactly one of 20 concurrent resets with one link win', async () => {
    const owner = await signUp();
    const token = await resetTokenFor(owner.email);
    const chosen = Array.from({ length: 20 }, () => strongPassword());
    const { results, winners, losers } = await race(20, (i) => reset(token, chosen[i] ?? ''), (result) => result.response.status === 204);
    expect(winners).toHaveLength(1);
    for (const loser of losers) {
      expect(loser.status).toBe('fulfilled');
      if (loser.status === 'fulfilled') expectProblem(loser.value, 400, 'invalid_reset_token');
    }
    // The winner's password is now the operator's, a loser's is not.
    const winner = results.findIndex((r) => r.status === 'fulfilled' && r.value.response.status === 204);
    await logIn(owner.email, chosen[winner] ?? '');
    const loser = chosen[(winner + 1) % chosen.length] ?? '';
    expectProblem(await api.client.POST('/v2/auth/login', { body: { email: owner.email, password: loser } }), 401, 'invalid_credentials');
  });

  it('never bypasses 2FA: after a reset the login still answers mfaRequired', async () => {
    const owner = await signUp();
    await enrolOperator(api, owner.accessToken, owner.password);
    const token = await resetTokenFor(owner.email);
    const newPassword = strongPassword();
    expectStatus(await reset(token, newPassword), 204);
    const answer = expectData(await api.client.POST('/v2/auth/login', { body: { email: owner.email, password: newPassword } }), 200);
    expect(answer).toMatchObject({ mfaRequired: true, methods: ['totp', 'recovery_code'] });
    expect(answer).not.toHaveProperty('accessToken');
  });

  it('refuses a weak password with 400 naming body.newPassword without spending the link', async () => {
    const owner = await signUp();
    const token = await resetTokenFor(owner.email);
    const weak = await reset(token, 'password1234');
    expect(expectProblem(weak, 400, 'weak_password')).toMatchObject({ errors: [{ field: 'body.newPassword' }] });
    const short = await reset(token, 'short');
    expect(expectProblem(short, 400, 'validation_failed')).toMatchObject({ errors: [{ field: 'body.newPassword' }] });
    expectStatus(await reset(token, strongPassword()), 204);
  });

  it('refuses an expired link (expiry checked on read: DynamoDB TTL is late or, locally, absent)', async () => {
    const owner = await signUp();
    const token = `ppr_${randomSecret(32)}`;
    await passwords().saveResetLink({ userId: owner.userId, tokenHash: hashSecret(token), expiresAt: Math.floor(Date.now() / 1000) - 1 });
    expectProblem(await reset(token, strongPassword()), 400, 'invalid_reset_token');
    await logIn(owner.email, owner.password);
  });

  it('keeps one live link per operator: a newer link voids the older one', async () => {
    const owner = await signUp();
    const older = await resetTokenFor(owner.email);
    // A second request within the minute sends nothing (the mail limit): the newer link is written as the forgot route writes it.
    const newer = `ppr_${randomSecret(32)}`;
    await passwords().saveResetLink({ userId: owner.userId, tokenHash: hashSecret(newer), expiresAt: Math.floor(Date.now() / 1000) + 1800 });
    expectProblem(await reset(older, strongPassword()), 400, 'invalid_reset_token');
    expectStatus(await reset(newer, strongPassword()), 204);
  });

  it('refuses an unknown token and bad input with 400', async () => {
    expectProblem(await reset(`ppr_${randomSecret(32)}`, strongPassword()), 400, 'invalid_reset_token');
    const missing = await api.raw('POST', '/v2/auth/password/reset', { body: { newPassword: strongPassword() } });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'body.token' }] });
    const wrongType = await api.raw('POST', '/v2/auth/password/reset', { body: { token: 42, newPassword: strongPassword() } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body).toMatchObject({ errors: [{ field: 'body.token' }] });
  });

  it('clears the login throttle of the address: a locked-out operator signs in after a reset', async () => {
    const owner = await signUp();
    // The whole budget spent, as ten wrong logins would spend it.
    for (let i = 0; i < LOGIN_MAX_ATTEMPTS; i++) await loginThrottle().reserveAttempt(owner.email);
    expectProblem(await api.client.POST('/v2/auth/login', { body: { email: owner.email, password: owner.password } }), 429, 'rate_limited');
    const newPassword = strongPassword();
    expectStatus(await reset(await resetTokenFor(owner.email), newPassword), 204);
    await logIn(owner.email, newPassword);
  });

  it('stores the link only as its hash: the token appears nowhere in the table', async () => {
    const owner = await signUp();
    const token = await resetTokenFor(owner.email);
    const secretPart = token.slice('ppr_'.length);
    let startKey: Record<string, unknown> | undefined;
    let scanned = 0;
    do {
      const page = await documentClient().send(new ScanCommand({ TableName: config().tableName, ExclusiveStartKey: startKey }));
      const text = JSON.stringify(page.Items ?? []);
      scanned += page.Items?.length ?? 0;
      expect(text).not.toContain(secretPart);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    expect(scanned).toBeGreaterThan(0);
    // …and the hash is there, so the scan looked at the right table.
    expect(await passwords().findResetLink(hashSecret(token))).toMatchObject({ userId: owner.userId });
  });
});

describe('security notices', () => {
  it('tells the operator when they turn 2FA off', async () => {
    const owner = await signUp();
    const { secret } = await enrolOperator(api, owner.accessToken, owner.password);
    expectStatus(await api.as(owner.accessToken).DELETE('/v2/me/mfa/totp', { body: { code: codeInSteps(secret, 1) } }), 204);
    expect((await lastEmail(api, owner.email, /Two-factor authentication was turned off/)).text).toContain('recovery codes no longer work');
  });

  it('tells a member when an owner resets their 2FA, naming the account', async () => {
    const owner = await signUp();
    const member = await addMember(api, owner.accountId, 'manager');
    await enrolOperator(api, member.accessToken, member.password);
    expectStatus(await api.as(owner.accessToken).POST('/v2/accounts/{accountId}/members/{userId}/mfa/reset', { params: { path: { accountId: owner.accountId, userId: member.userId } } }), 204);
    expect((await lastEmail(api, member.email, /two-factor authentication was reset/)).text).toContain(`"${owner.accountName}"`);
  });
});
