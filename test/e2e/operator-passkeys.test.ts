/**
 * Operators' passkeys (SPEC §11) with real ceremonies: Chromium's virtual authenticator on a page at
 * http://localhost:PORT (the operators' RP ID is the console's host; the local server's 127.0.0.1
 * reads as `localhost`). Registration, list, rename, passwordless sign-in through the session gate,
 * removal behind a second proof, and the refusals and races of the ceremonies.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { passkeyRepository } from '#shared/compose/passkeys.ts';
import { verifyRegistration } from '#shared/domain/passkeys/ceremonies.ts';
import type { RegistrationResponseJSON } from '#shared/domain/passkeys/options.ts';
import { passkeyIdOf } from '#shared/domain/passkeys/model.ts';
import { REFRESH_COOKIE } from '#shared/http/session-cookie.ts';
import { race } from '#test/support/concurrency.ts';
import { expectData, useLocalApi } from '#test/support/local-api.ts';
import { emailsTo } from '#test/support/sign-in.ts';
import { createAccount, type TestAccount } from '#test/support/tenancy.ts';
import { codeInSteps, enrolOperator } from '#test/support/totp.ts';
import { closeBrowser, openWebAuthnPage, type WebAuthnPage } from '#test/support/webauthn.ts';

const api = useLocalApi();

afterAll(closeBrowser);

/** The console's origin as browsers see it: the server's port on `localhost`. */
const origin = (portOffset = 0): string => `http://localhost:${String(Number(new URL(api.url()).port) + portOffset)}`;

/** Registers a passkey for the operator through the API with a real ceremony; answers the passkey. */
async function registerPasskey(owner: TestAccount['owner'], page: WebAuthnPage, name = 'Laptop') {
  const options = expectData(await api.as(owner.accessToken).POST('/v2/me/passkeys/options'), 200);
  const response = await page.create(options.publicKey);
  return expectData(await api.as(owner.accessToken).POST('/v2/me/passkeys', { body: { flowId: options.flowId, name, response: response as never } }), 201);
}

/**
 * A discoverable sign-in assertion, with its flow. `withoutUserVerification`: the client asks the
 * authenticator not to verify its user (`userVerification: 'discouraged'`), which any client may do;
 * the server then sees a passkey without user verification.
 */
async function assertion(page: WebAuthnPage, withoutUserVerification = false) {
  const options = expectData(await api.client.POST('/v2/auth/passkey/options'), 200);
  expect(options.publicKey).toMatchObject({ rpId: 'localhost', allowCredentials: [], userVerification: 'preferred' });
  const publicKey = withoutUserVerification ? { ...options.publicKey, userVerification: 'discouraged' } : options.publicKey;
  return { flowId: options.flowId, response: await page.get(publicKey) };
}

const signIn = (flowId: string, response: Record<string, unknown>, headers: Record<string, string> = {}) =>
  api.raw('POST', '/v2/auth/passkey', { body: { flowId, response }, headers });

describe('operator passkeys with a real authenticator', () => {
  it('registers, lists and renames a passkey, e-mails a notice, and signs in without a password', async () => {
    const { owner } = await createAccount(api);
    const page = await openWebAuthnPage(origin());
    try {
      const options = expectData(await api.as(owner.accessToken).POST('/v2/me/passkeys/options'), 200);
      expect(options.publicKey).toMatchObject({ rp: { id: 'localhost' }, attestation: 'none', authenticatorSelection: { residentKey: 'required' } });
      const created = await registerPasskey(owner, page);
      expect(created).toMatchObject({ name: 'Laptop', lastUsedAt: null, transports: ['internal'] });
      expect(created.id).toHaveLength(43);
      expect((await emailsTo(api, owner.email)).map((mail) => mail.subject)).toContain('A passkey was added to your sign-in');

      const renamed = expectData(
        await api.as(owner.accessToken).PATCH('/v2/me/passkeys/{passkeyId}', { params: { path: { passkeyId: created.id } }, body: { name: 'Work laptop' } }),
        200,
      );
      expect(renamed.name).toBe('Work laptop');
      const list = expectData(await api.as(owner.accessToken).GET('/v2/me/passkeys'), 200);
      expect(list.items).toEqual([expect.objectContaining({ id: created.id, name: 'Work laptop' })]);
      expect(JSON.stringify(list)).not.toMatch(/publicKey|counter/);

      const { flowId, response } = await assertion(page);
      const session = await signIn(flowId, response);
      expect(session.status).toBe(200);
      expect(session.body.tokenType).toBe('Bearer');
      expect(typeof session.body.accessToken).toBe('string');
      expect(typeof session.body.refreshToken).toBe('string');
      const sessions = expectData(await api.as(String(session.body.accessToken)).GET('/v2/me/sessions'), 200);
      expect(sessions.items.find((s) => s.current)?.amr).toEqual(['hwk', 'user', 'mfa']);
      const after = expectData(await api.as(owner.accessToken).GET('/v2/me/passkeys'), 200);
      expect(after.items[0]?.lastUsedAt).not.toBeNull();

      // Cookie mode, like login: the refresh token leaves the body for the HttpOnly cookie.
      const again = await assertion(page);
      const cookie = await signIn(again.flowId, again.response, { 'x-refresh-token-mode': 'cookie' });
      expect(cookie.status).toBe(200);
      expect(cookie.body).not.toHaveProperty('refreshToken');
      expect(cookie.headers.getSetCookie().join(';')).toContain(`${REFRESH_COOKIE}=`);
    } finally {
      await page.close();
    }
  });

  it('lets a user-verified passkey alone through requireMfa, where a password needs the enrolment', async () => {
    const { owner, accountId } = await createAccount(api);
    const page = await openWebAuthnPage(origin());
    try {
      await registerPasskey(owner, page);
      expectData(await api.as(owner.accessToken).PATCH('/v2/accounts/{accountId}', { params: { path: { accountId } }, body: { settings: { requireMfa: true } } }), 200);
      const password = expectData(await api.client.POST('/v2/auth/login', { body: { email: owner.email, password: owner.password } }), 200);
      expect(password).toMatchObject({ mfaEnrollmentRequired: true });
      const { flowId, response } = await assertion(page);
      const session = await signIn(flowId, response);
      expect(session.status).toBe(200);
      expect(session.body).toHaveProperty('accessToken');
    } finally {
      await page.close();
    }
  });

  it('counts a passkey without user verification as one factor: requireMfa still asks enrolment, TOTP still asks its code', async () => {
    const { owner, accountId } = await createAccount(api);
    const page = await openWebAuthnPage(origin());
    try {
      await registerPasskey(owner, page);
      expectData(await api.as(owner.accessToken).PATCH('/v2/accounts/{accountId}', { params: { path: { accountId } }, body: { settings: { requireMfa: true } } }), 200);
      const first = await assertion(page, true);
      const enrol = await signIn(first.flowId, first.response);
      expect(enrol.status).toBe(200);
      expect(enrol.body).toMatchObject({ mfaEnrollmentRequired: true });
      expect(JSON.stringify(enrol.body)).not.toMatch(/accessToken|refreshToken/);

      await enrolOperator(api, owner.accessToken, owner.password);
      const second = await assertion(page, true);
      const step = await signIn(second.flowId, second.response);
      expect(step.body).toMatchObject({ mfaRequired: true, methods: ['totp', 'recovery_code'] });
      expect(JSON.stringify(step.body)).not.toMatch(/accessToken|refreshToken/);
    } finally {
      await page.close();
    }
  });

  it('removes a passkey only with the password or a TOTP code, never with the access token alone', async () => {
    const { owner } = await createAccount(api);
    const page = await openWebAuthnPage(origin());
    try {
      const created = await registerPasskey(owner, page);
      const path = `/v2/me/passkeys/${created.id}`;
      const bare = await api.raw('DELETE', path, { token: owner.accessToken });
      expect(bare.status).toBe(400);
      const empty = await api.raw('DELETE', path, { token: owner.accessToken, body: {} });
      expect(empty.status).toBe(400);
      const wrong = await api.raw('DELETE', path, { token: owner.accessToken, body: { password: 'not the password at all' } });
      expect(wrong.status).toBe(401);
      expect((await api.as(owner.accessToken).GET('/v2/me/passkeys')).data?.items).toHaveLength(1);

      const other = await createAccount(api);
      const foreign = await api.raw('DELETE', path, { token: other.owner.accessToken, body: { password: other.owner.password } });
      expect(foreign.status).toBe(404);
      const foreignRename = await api.raw('PATCH', path, { token: other.owner.accessToken, body: { name: 'Mine now' } });
      expect(foreignRename.status).toBe(404);

      const enrolled = await enrolOperator(api, owner.accessToken, owner.password);
      const removed = await api.raw('DELETE', path, { token: owner.accessToken, body: { code: codeInSteps(enrolled.secret, 1) } });
      expect(removed.status).toBe(204);
      expect((await api.as(owner.accessToken).GET('/v2/me/passkeys')).data?.items).toEqual([]);
      // A removed passkey signs nobody in.
      const { flowId, response } = await assertion(page);
      const gone = await signIn(flowId, response);
      expect(gone.status).toBe(401);
      expect(gone.body.code).toBe('passkey_rejected');
    } finally {
      await page.close();
    }
  });
});

describe('refusals', () => {
  it('refuses a replayed assertion: the flow is spent by its first use', async () => {
    const { owner } = await createAccount(api);
    const page = await openWebAuthnPage(origin());
    try {
      await registerPasskey(owner, page);
      const { flowId, response } = await assertion(page);
      expect((await signIn(flowId, response)).status).toBe(200);
      const replay = await signIn(flowId, response);
      expect(replay.status).toBe(401);
      expect(replay.body.code).toBe('invalid_passkey_flow');
      // The same signed assertion under a fresh flow fails its challenge.
      const fresh = expectData(await api.client.POST('/v2/auth/passkey/options'), 200);
      const stale = await signIn(fresh.flowId, response);
      expect(stale.status).toBe(401);
      expect(stale.body.code).toBe('passkey_rejected');
    } finally {
      await page.close();
    }
  });

  it('refuses a credential made on another origin, and a registration checked against another RP ID', async () => {
    const { owner } = await createAccount(api);
    // Same RP ID (`localhost`), another origin (port): a page the console is not.
    const elsewhere = await openWebAuthnPage(origin(1));
    const home = await openWebAuthnPage(origin());
    try {
      const options = expectData(await api.as(owner.accessToken).POST('/v2/me/passkeys/options'), 200);
      const foreign = await elsewhere.create(options.publicKey);
      const refused = await api.raw('POST', '/v2/me/passkeys', { token: owner.accessToken, body: { flowId: options.flowId, name: 'Phished', response: foreign } });
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('passkey_rejected');

      // A genuine response from the right origin, verified as if the RP ID were another: refused.
      const again = expectData(await api.as(owner.accessToken).POST('/v2/me/passkeys/options'), 200);
      const genuine = (await home.create(again.publicKey)) as unknown as RegistrationResponseJSON;
      const challenge = (again.publicKey as { challenge: string }).challenge;
      const flow = { flowId: again.flowId, purpose: 'register' as const, owner: null, challenge, origins: [origin()], system: null, expiresAt: '' };
      await expect(verifyRegistration(genuine, { ...flow, rpId: 'example.com' })).rejects.toMatchObject({ code: 'passkey_rejected' });
      await expect(verifyRegistration(genuine, { ...flow, rpId: 'localhost', origins: ['https://console.example.com'] })).rejects.toMatchObject({ code: 'passkey_rejected' });
      expect((await verifyRegistration(genuine, { ...flow, rpId: 'localhost' })).rpId).toBe('localhost');
    } finally {
      await elsewhere.close();
      await home.close();
    }
  });

  it('refuses an assertion of a credential that was never registered', async () => {
    const { owner } = await createAccount(api);
    const page = await openWebAuthnPage(origin());
    try {
      // Created from genuine options, never posted back: the authenticator holds it, the server does not.
      const options = expectData(await api.as(owner.accessToken).POST('/v2/me/passkeys/options'), 200);
      const unposted = await page.create(options.publicKey);
      expect(await passkeyRepository().findPasskey(passkeyIdOf(String(unposted.id)))).toBeUndefined();
      const { flowId, response } = await assertion(page);
      const answer = await signIn(flowId, response);
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('passkey_rejected');
    } finally {
      await page.close();
    }
  });

  it('answers bad input with a 400 naming the field', async () => {
    const { owner } = await createAccount(api);
    const badFlow = await api.raw('POST', '/v2/auth/passkey', { body: { flowId: 'nope', response: {} } });
    expect(badFlow.status).toBe(400);
    expect(JSON.stringify(badFlow.body)).toContain('body.flowId');
    const badName = await api.raw('POST', '/v2/me/passkeys', { token: owner.accessToken, body: { flowId: 'pkf_00000000000000000000000000000000', name: '', response: {} } });
    expect(badName.status).toBe(400);
    expect(JSON.stringify(badName.body)).toContain('body.name');
    const unknownFlow = await api.raw('POST', '/v2/auth/passkey', {
      body: {
        flowId: 'pkf_00000000000000000000000000000000',
        response: { id: 'AA', rawId: 'AA', type: 'public-key', clientExtensionResults: {}, response: { clientDataJSON: 'AA', authenticatorData: 'AA', signature: 'AA' } },
      },
    });
    expect(unknownFlow.status).toBe(401);
    expect(unknownFlow.body.code).toBe('invalid_passkey_flow');
  });
});

describe('races', () => {
  it('of 8 concurrent completions of one sign-in flow exactly one gets a session', async () => {
    const { owner } = await createAccount(api);
    const page = await openWebAuthnPage(origin());
    try {
      await registerPasskey(owner, page);
      const { flowId, response } = await assertion(page);
      const { winners, results } = await race(8, () => signIn(flowId, response), (answer) => answer.status === 200);
      expect(winners).toHaveLength(1);
      const statuses = results.map((r) => (r.status === 'fulfilled' ? r.value.status : 0)).sort();
      expect(statuses).toEqual([200, 401, 401, 401, 401, 401, 401, 401]);
    } finally {
      await page.close();
    }
  });
});
