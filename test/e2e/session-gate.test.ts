/**
 * SPEC §6 "One gate issues operator sessions", the behavioural half: every route the manifest flags
 * as answering operator tokens (test/unit/session-gate.test.ts proves the flags equal "the response
 * schema carries tokens") is attacked by someone who knows a 2FA operator's password but not their
 * code, and must answer no tokens. A flagged route without an attack here fails the suite.
 */
import { describe, expect, it } from 'vitest';
import { PendingSignupRepository } from '#shared/adapters/pending-signup-repository.ts';
import { documentClient } from '#shared/compose/runtime.ts';
import { operatorStore } from '#shared/compose/shared.ts';
import { config } from '#shared/config.ts';
import { hashSecret, randomSecret } from '#shared/domain/kernel/secrets.ts';
import { hashPassword } from '#shared/domain/sessions/passwords.ts';
import type { RouteId } from '#shared/http/manifest.ts';
import { manifest } from '#shared/http/manifest.ts';
import { REFRESH_COOKIE } from '#shared/http/session-cookie.ts';
import { TokenPair } from '#shared/schemas/sessions.ts';
import { signupBody, strongPassword, uniqueEmail } from '#test/support/factories.ts';
import { expectData, expectProblem, useLocalApi } from '#test/support/local-api.ts';
import { createAccount, type TestAccount } from '#test/support/tenancy.ts';
import { mailedInvitationToken } from '#test/support/invitations.ts';
import { codeInSteps, enrolOperator, referenceCode, type Enrolled } from '#test/support/totp.ts';

const api = useLocalApi();

const TOKEN_FIELDS = /"(accessToken|refreshToken)"/;

/** A victim: an operator with TOTP on, in their own account; `account.owner.accessToken` is password-only (pre-TOTP). */
async function victimWithTotp(): Promise<{ account: TestAccount; enrolled: Enrolled }> {
  const account = await createAccount(api);
  return { account, enrolled: await enrolOperator(api, account.owner.accessToken, account.owner.password) };
}

/** An invitation of `email` into a new account of the attacker's, with the token e-mailed to `email`. */
async function inviteIntoAttackerAccount(email: string): Promise<{ attacker: TestAccount; token: string }> {
  const attacker = await createAccount(api);
  const invitation = expectData(
    await api.as(attacker.owner.accessToken).POST('/v2/accounts/{accountId}/invitations', {
      params: { path: { accountId: attacker.accountId } },
      body: { email, role: 'viewer', scope: 'all' },
    }),
    201,
  );
  return { attacker, token: await mailedInvitationToken(api, invitation.email) };
}

/**
 * A pending `verify-email` sign-up for `email`, written as the signup service writes one, with its
 * token (this file's server runs `open`, which e-mails no links).
 */
async function plantPendingSignup(email: string, password: string): Promise<string> {
  const token = `psv_${randomSecret(32)}`;
  const now = Date.now();
  await new PendingSignupRepository(documentClient(), config().tableName).createPendingSignup({
    tokenHash: hashSecret(token),
    email,
    accountName: 'Planted',
    passwordHash: await hashPassword(password),
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 3_600_000).toISOString(),
  });
  return token;
}

async function memberIds(account: TestAccount): Promise<string[]> {
  const page = expectData(await api.as(account.owner.accessToken).GET('/v2/accounts/{accountId}/members', { params: { path: { accountId: account.accountId } } }), 200);
  return page.items.map((m) => m.userId);
}

/**
 * How the attacks carry the refresh token: in the body, or (the console's cookie mode, SPEC §10) in
 * the cookie with `X-Refresh-Token-Mode: cookie`, a second way to carry tokens that must pass the
 * same gate. Set by the test that runs the attacks; the tests of a file run one after another.
 */
let attackMode: 'body' | 'cookie' = 'body';

/** A raw call whose answer must hold no operator token: not in the body, not in a cookie. */
async function noTokens(method: string, path: string, options: Parameters<typeof api.raw>[2] = {}) {
  let sent = options;
  if (attackMode === 'cookie') {
    const { refreshToken, ...rest } = (options.body ?? {}) as { refreshToken?: string };
    sent = {
      ...options,
      ...(options.body !== undefined ? { body: rest } : {}),
      headers: { ...options.headers, 'x-refresh-token-mode': 'cookie', ...(refreshToken !== undefined ? { cookie: `${REFRESH_COOKIE}=${refreshToken}` } : {}) },
    };
  }
  const answer = await api.raw(method, path, sent);
  expect(JSON.stringify(answer.body), `${method} ${path}`).not.toMatch(TOKEN_FIELDS);
  expect(answer.headers.getSetCookie(), `${method} ${path} Set-Cookie`).toEqual([]);
  return answer;
}

/** Per token-issuing route: what someone with the victim's password (and nothing else) tries. */
const ATTACKS: Partial<Record<RouteId, () => Promise<void>>> = {
  async signup() {
    const { account } = await victimWithTotp();
    const answer = await noTokens('POST', '/v2/signup', { body: signupBody({ email: account.owner.email, password: account.owner.password }) });
    // What any existing address gets: the 202 (and an e-mail to its owner), never a session.
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ verificationSent: true });
  },
  async verifySignup() {
    // A sign-up link for the victim's address that outlived their becoming an operator (asked for
    // before, or planted): the link holder must get neither a session nor a second operator.
    const { account } = await victimWithTotp();
    const token = await plantPendingSignup(account.owner.email, account.owner.password);
    const answer = await noTokens('POST', '/v2/signup/verify', { body: { token } });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('invalid_signup_token');
    expect((await operatorStore().findOperatorByEmail(account.owner.email))?.id).toBe(account.owner.userId);
  },
  async login() {
    const { account } = await victimWithTotp();
    const answer = await noTokens('POST', '/v2/auth/login', { body: { email: account.owner.email, password: account.owner.password } });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ mfaRequired: true });
  },
  async completeMfaLogin() {
    const { account } = await victimWithTotp();
    const login = await noTokens('POST', '/v2/auth/login', { body: { email: account.owner.email, password: account.owner.password } });
    const mfaToken = String(login.body.mfaToken);
    const wrong = await noTokens('POST', '/v2/auth/mfa', { body: { mfaToken, code: '000000' } });
    expect(wrong.status).toBe(401);
  },
  async refresh() {
    // A session from before TOTP was turned on: the gate closes it at its next refresh.
    const { owner } = await createAccount(api);
    const session = TokenPair.parse(expectData(await api.client.POST('/v2/auth/login', { body: { email: owner.email, password: owner.password } }), 200));
    await enrolOperator(api, owner.accessToken, owner.password);
    const answer = await noTokens('POST', '/v2/auth/refresh', { body: { refreshToken: session.refreshToken } });
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('mfa_required');
  },
  async acceptInvitation() {
    const { account } = await victimWithTotp();
    const { attacker, token } = await inviteIntoAttackerAccount(account.owner.email);
    const withPassword = await noTokens('POST', '/v2/invitations/accept', { body: { token, password: account.owner.password } });
    expect(withPassword.status).toBe(401);
    expect(await memberIds(attacker)).not.toContain(account.owner.userId);
  },
  async confirmOperatorTotp() {
    // The login mfaToken of the second step is not an enrolment token: confirming with it is refused.
    const { account, enrolled } = await victimWithTotp();
    const login = await noTokens('POST', '/v2/auth/login', { body: { email: account.owner.email, password: account.owner.password } });
    const answer = await noTokens('POST', '/v2/me/mfa/totp/confirm', { token: String(login.body.mfaToken), body: { code: codeInSteps(enrolled.secret, 1) } });
    expect(answer.status).toBe(401);
    // And a password-only access token of the person (re-enrolling) gets recovery codes, never tokens.
    const restarted = expectData(await api.as(account.owner.accessToken).POST('/v2/me/mfa/totp', { body: { password: account.owner.password } }), 200);
    const confirmed = await noTokens('POST', '/v2/me/mfa/totp/confirm', { token: account.owner.accessToken, body: { code: referenceCode(restarted.secret) } });
    expect(confirmed.status).toBe(200);
  },
  async passkeySignIn() {
    // The password is no passkey: an assertion the attacker signs with a key of their own, naming a
    // credential the victim does not have, gets no session (the refusals of genuine assertions without
    // user verification, replays and other origins: test/e2e/operator-passkeys.test.ts).
    await victimWithTotp();
    const options = await noTokens('POST', '/v2/auth/passkey/options');
    const forged = { id: 'Zm9yZ2Vk', rawId: 'Zm9yZ2Vk', type: 'public-key', clientExtensionResults: {}, response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA' } };
    const answer = await noTokens('POST', '/v2/auth/passkey', { body: { flowId: String(options.body.flowId), response: forged } });
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('passkey_rejected');
  },
};

const flagged = manifest.filter((route) => route.issuesOperatorSession === true).map((route) => route.id as RouteId);

describe('the session gate on every route that answers operator tokens', () => {
  it('has an attack for every flagged route', () => {
    expect(flagged.filter((id) => !ATTACKS[id])).toEqual([]);
  });

  it.each(flagged)('%s gives no tokens to someone with only the password of a 2FA operator', async (id) => {
    const attack = ATTACKS[id];
    if (!attack) throw new Error(`no attack written for the token route ${id}`);
    attackMode = 'body';
    await attack();
  });

  it.each(flagged)('%s gives no tokens, in the body or a cookie, in cookie mode either', async (id) => {
    const attack = ATTACKS[id];
    if (!attack) throw new Error(`no attack written for the token route ${id}`);
    attackMode = 'cookie';
    try {
      await attack();
    } finally {
      attackMode = 'body';
    }
  });
});

describe('invitation accept through the gate (review finding 1)', () => {
  it("gives no session to someone who knows a 2FA operator's password and invites them into an account of their own", async () => {
    const { account: victim } = await victimWithTotp();
    const { attacker, token } = await inviteIntoAttackerAccount(victim.owner.email);

    const answer = await api.raw('POST', '/v2/invitations/accept', { body: { token, password: victim.owner.password } });
    expect(answer.status, JSON.stringify(answer.body)).toBe(401);
    expect(answer.body.code).toBe('sign_in_required');
    expect(JSON.stringify(answer.body)).not.toMatch(TOKEN_FIELDS);
    expect(await memberIds(attacker)).not.toContain(victim.owner.userId);
  });

  it('asks a 2FA operator to accept with a session that showed the code (403 step_up_required), then joins them without tokens', async () => {
    const { account: victim, enrolled } = await victimWithTotp();
    const { attacker, token } = await inviteIntoAttackerAccount(victim.owner.email);

    // `victim.owner.accessToken` is from before TOTP: password only.
    expectProblem(await api.as(victim.owner.accessToken).POST('/v2/invitations/accept', { body: { token } }), 403, 'step_up_required');
    expect(await memberIds(attacker)).not.toContain(victim.owner.userId);

    const login = expectData(await api.client.POST('/v2/auth/login', { body: { email: victim.owner.email, password: victim.owner.password } }), 200);
    if (!('mfaRequired' in login)) throw new Error('expected the second step');
    const session = expectData(await api.client.POST('/v2/auth/mfa', { body: { mfaToken: login.mfaToken, code: codeInSteps(enrolled.secret, 1) } }), 200);
    const joined = expectData(await api.as(session.accessToken).POST('/v2/invitations/accept', { body: { token } }), 200);
    expect(joined).toEqual({ accountId: attacker.accountId, joined: true });
    expect(await memberIds(attacker)).toContain(victim.owner.userId);
  });

  it('answers a new person covered by requireMfa the enrolment, not tokens', async () => {
    const owner = await createAccount(api);
    expectData(
      await api.as(owner.owner.accessToken).PATCH('/v2/accounts/{accountId}', { params: { path: { accountId: owner.accountId } }, body: { settings: { requireMfa: true } } }),
      200,
    );
    const email = uniqueEmail('new');
    const invitation = expectData(
      await api.as(owner.owner.accessToken).POST('/v2/accounts/{accountId}/invitations', {
        params: { path: { accountId: owner.accountId } },
        body: { email, role: 'viewer', scope: 'all' },
      }),
      201,
    );
    const token = await mailedInvitationToken(api, invitation.email);
    const answer = expectData(await api.client.POST('/v2/invitations/accept', { body: { token, password: strongPassword() } }), 200);
    expect(answer).toEqual({ accountId: owner.accountId, userId: expect.stringMatching(/^usr_/) as unknown, mfaEnrollmentRequired: true, mfaToken: expect.stringMatching(/^pmt_/) as unknown });
    // The enrolment token enrols, and only then is there a session.
    if (!('mfaToken' in answer)) throw new Error('expected an mfaToken');
    const started = expectData(await api.as(answer.mfaToken).POST('/v2/me/mfa/totp', { body: {} }), 200);
    const confirmed = expectData(await api.as(answer.mfaToken).POST('/v2/me/mfa/totp/confirm', { body: { code: referenceCode(started.secret) } }), 200);
    expect(confirmed.accessToken).toEqual(expect.any(String));
  });
});

describe('refresh through the gate', () => {
  it('still refreshes a session that showed the second factor', async () => {
    const { account, enrolled } = await victimWithTotp();
    const login = expectData(await api.client.POST('/v2/auth/login', { body: { email: account.owner.email, password: account.owner.password } }), 200);
    if (!('mfaRequired' in login)) throw new Error('expected the second step');
    const session = expectData(await api.client.POST('/v2/auth/mfa', { body: { mfaToken: login.mfaToken, code: codeInSteps(enrolled.secret, 1) } }), 200);
    const refreshed = expectData(await api.client.POST('/v2/auth/refresh', { body: { refreshToken: session.refreshToken } }), 200);
    expect(refreshed.accessToken).toEqual(expect.any(String));
  });

  it('ends a password-only family for good once the person has TOTP', async () => {
    const { owner } = await createAccount(api);
    const session = TokenPair.parse(expectData(await api.client.POST('/v2/auth/login', { body: { email: owner.email, password: owner.password } }), 200));
    await enrolOperator(api, owner.accessToken, owner.password);
    expectProblem(await api.client.POST('/v2/auth/refresh', { body: { refreshToken: session.refreshToken } }), 401, 'mfa_required');
    // The family is revoked: a second try is refused too.
    expectProblem(await api.client.POST('/v2/auth/refresh', { body: { refreshToken: session.refreshToken } }), 401, 'invalid_refresh_token');
  });
});
