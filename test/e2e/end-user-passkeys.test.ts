/**
 * End users' passkeys (SPEC §11) with real ceremonies: Chromium's virtual authenticator on routed pages
 * at http://localhost:PORT (a system's `webauthn: {rpId: "localhost", origins: [that origin]}`). The
 * customer's app registers a passkey through the API and signs its user in with the `passkey` factor;
 * then, attacker first, what must be refused: replays, another origin, another RP ID, unknown
 * credentials, other users' passkeys (same organization or another), concurrent uses of one
 * assertion, and decoys that must look like real answers.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { race } from '#test/support/concurrency.ts';
import { createEndUser, createSystem, grantAccess, type EndUserBody, type SystemBody } from '#test/support/directory.ts';
import { createKey } from '#test/support/keys-events.ts';
import { expectData, expectProblem, useLocalApi } from '#test/support/local-api.ts';
import { createOrganization, eventsOf } from '#test/support/organizations.ts';
import { lastPin } from '#test/support/sign-in.ts';
import { createAccount, type TestAccount } from '#test/support/tenancy.ts';
import { closeBrowser, openWebAuthnPage, type WebAuthnPage } from '#test/support/webauthn.ts';

const api = useLocalApi();

afterAll(closeBrowser);

/** The app's origin as browsers see it: the server's port (plus an offset for "another site") on `localhost`. */
const origin = (portOffset = 0): string => `http://localhost:${String(Number(new URL(api.url()).port) + portOffset)}`;

interface World {
  account: TestAccount;
  orgId: string;
  system: SystemBody;
  /** `authenticate` key of the organization. */
  auth: { apikey: string };
  /** `manage` key of the organization: what the customer's back end registers passkeys with. */
  manage: { apikey: string };
}

/** An organization with a system on `webauthn: {rpId: localhost, origins: [origin()]}` and its keys. */
async function world(policy: Record<string, unknown> = { factors: ['passkey'] }): Promise<World> {
  const account = await createAccount(api);
  const token = account.owner.accessToken;
  const organization = await createOrganization(api, account.accountId, token);
  const system = await createSystem(api, organization.id, token, { policy, webauthn: { rpId: 'localhost', origins: [origin()] } });
  const auth = await createKey(api, account.accountId, token, { permissions: ['authenticate'], organizations: [organization.id] });
  const manage = await createKey(api, account.accountId, token, { permissions: ['manage'], organizations: [organization.id] });
  return { account, orgId: organization.id, system, auth: { apikey: auth.key }, manage: { apikey: manage.key } };
}

async function userOf(w: World): Promise<EndUserBody> {
  const user = await createEndUser(api, w.orgId, w.account.owner.accessToken);
  await grantAccess(api, w.orgId, w.account.owner.accessToken, w.system.name, user.id);
  return user;
}

/** The customer's app registers a passkey for `user` on `system` (options → the browser's create → register). */
async function registerPasskey(w: World, user: EndUserBody, page: WebAuthnPage, system = w.system.name) {
  const path = { path: { orgId: w.orgId, userId: user.id } };
  const options = expectData(await api.as(w.manage).POST('/v2/organizations/{orgId}/users/{userId}/passkeys/options', { params: path, body: { system } }), 200);
  const response = await page.create(options.publicKey);
  return expectData(await api.as(w.manage).POST('/v2/organizations/{orgId}/users/{userId}/passkeys', { params: path, body: { flowId: options.flowId, name: 'Phone', response: response as never } }), 201);
}

const start = (w: World, email: string, context?: Record<string, string>) =>
  api.as(w.auth).POST('/v2/user/authenticate', { body: { email, system: w.system.name, ...(context ? { context } : {}) } });

const complete = (w: World, email: string, challengeId: string, passkey: Record<string, unknown>) =>
  api.as(w.auth).POST('/v2/system/authenticate/user', { body: { email, system: w.system.name, challengeId, passkey: passkey as never } });

/** Starts a passkey sign-in for `email` and answers the challenge and the browser's assertion from `page`. */
async function assertionFor(w: World, email: string, page: WebAuthnPage) {
  const started = expectData(await start(w, email), 202);
  expect(started.method).toBe('passkey');
  return { challengeId: started.challengeId, passkey: await page.get(started.publicKey) };
}

describe('end-user passkeys with a real authenticator', () => {
  it('registers a passkey through the API and signs the user in with it (amr hwk, user, mfa)', async () => {
    const w = await world();
    const user = await userOf(w);
    const page = await openWebAuthnPage(origin());
    try {
      const path = { path: { orgId: w.orgId, userId: user.id } };
      const options = expectData(await api.as(w.manage).POST('/v2/organizations/{orgId}/users/{userId}/passkeys/options', { params: path, body: { system: w.system.name } }), 200);
      expect(options.publicKey).toMatchObject({ rp: { id: 'localhost', name: w.system.name }, attestation: 'none', authenticatorSelection: { residentKey: 'required' } });
      const response = await page.create(options.publicKey);
      const created = expectData(
        await api.as(w.manage).POST('/v2/organizations/{orgId}/users/{userId}/passkeys', { params: path, body: { flowId: options.flowId, name: 'Phone', response: response as never } }),
        201,
      );
      expect(created).toMatchObject({ name: 'Phone', lastUsedAt: null });
      // The flow was spent by its use: the same registration again is refused.
      expectProblem(
        await api.as(w.manage).POST('/v2/organizations/{orgId}/users/{userId}/passkeys', { params: path, body: { flowId: options.flowId, name: 'Again', response: response as never } }),
        401,
        'invalid_passkey_flow',
      );

      const started = expectData(await start(w, user.email), 202);
      expect(started).toMatchObject({ method: 'passkey', deliveredTo: null });
      expect(started.publicKey).toMatchObject({ rpId: 'localhost', allowCredentials: [], userVerification: 'preferred' });
      const done = expectData(await complete(w, user.email, started.challengeId, await page.get(started.publicKey)), 200);
      if (!done.authenticated) throw new Error('expected a token');
      expect(done.amr).toEqual(['hwk', 'user', 'mfa']);
      expect(decodeJwt(done.token)).toMatchObject({ sub: user.id, aud: w.system.name, org: w.orgId, amr: ['hwk', 'user', 'mfa'] });

      const list = expectData(await api.as(w.account.owner.accessToken).GET('/v2/organizations/{orgId}/users/{userId}/passkeys', { params: path }), 200);
      expect(list.items).toEqual([expect.objectContaining({ id: created.id, name: 'Phone' })]);
      expect(list.items[0]?.lastUsedAt).not.toBeNull();
      expect(JSON.stringify(list)).not.toMatch(/publicKey|counter/);
      const events = await eventsOf(w.account.accountId);
      expect(events.find((e) => e.type === 'passkey.added')).toMatchObject({ organizationId: w.orgId, target: { type: 'end_user', id: user.id } });

      // Removed, it signs nobody in.
      const removed = await api.as(w.manage).DELETE('/v2/organizations/{orgId}/users/{userId}/passkeys/{passkeyId}', { params: { path: { ...path.path, passkeyId: created.id } } });
      expect(removed.response.status).toBe(204);
      const again = await assertionFor(w, user.email, page);
      expectProblem(await complete(w, user.email, again.challengeId, again.passkey), 401, 'invalid_credentials');
    } finally {
      await page.close();
    }
  });

  it('steps up from a PIN to a passkey for sensitivity high, with both in the amr', async () => {
    const w = await world({ factors: ['pin'], rules: [{ if: { sensitivity: ['high'] }, factors: ['pin', 'passkey'] }] });
    const user = await userOf(w);
    const page = await openWebAuthnPage(origin());
    try {
      await registerPasskey(w, user, page);
      const started = expectData(await start(w, user.email, { sensitivity: 'high' }), 202);
      expect(started.method).toBe('pin');
      expect(started.publicKey).toBeUndefined();
      const pinDone = expectData(
        await api.as(w.auth).POST('/v2/system/authenticate/user', { body: { email: user.email, system: w.system.name, challengeId: started.challengeId, pin: await lastPin(api, user.phone) } }),
        200,
      );
      if (pinDone.authenticated) throw new Error('expected a step-up');
      expect(pinDone.remaining).toEqual(['passkey']);
      expect(pinDone.publicKey).toMatchObject({ rpId: 'localhost', allowCredentials: [] });
      // A PIN where the passkey is due is the existing 400 naming the field the step expects.
      const wrongField = await api.as(w.auth).POST('/v2/system/authenticate/user', { body: { email: user.email, system: w.system.name, challengeId: started.challengeId, pin: '123456' } });
      expect(expectProblem(wrongField, 400).errors?.[0]?.field).toBe('body.passkey');
      const done = expectData(await complete(w, user.email, started.challengeId, await page.get(pinDone.publicKey)), 200);
      if (!done.authenticated) throw new Error('expected a token');
      expect(done.amr).toEqual(['sms', 'hwk', 'user', 'mfa']);
    } finally {
      await page.close();
    }
  });

  it('counts a passkey without user verification as one factor (amr hwk, user)', async () => {
    const w = await world();
    const user = await userOf(w);
    const page = await openWebAuthnPage(origin());
    try {
      await registerPasskey(w, user, page);
      const started = expectData(await start(w, user.email), 202);
      // Any client may ask the authenticator not to verify its user; the server then sees presence only.
      const assertion = await page.get({ ...started.publicKey, userVerification: 'discouraged' });
      const done = expectData(await complete(w, user.email, started.challengeId, assertion), 200);
      if (!done.authenticated) throw new Error('expected a token');
      expect(done.amr).toEqual(['hwk', 'user']);
    } finally {
      await page.close();
    }
  });

  it('refuses a replayed assertion, another origin, another RP ID and an unknown credential', async () => {
    const w = await world();
    const user = await userOf(w);
    const page = await openWebAuthnPage(origin());
    const elsewhere = await openWebAuthnPage(origin(1));
    const otherRp = await openWebAuthnPage('https://example.com');
    const stranger = await openWebAuthnPage(origin());
    try {
      await registerPasskey(w, user, page);

      // Replay: the consumed challenge is spent; on a new challenge the old assertion signs the wrong one.
      const first = await assertionFor(w, user.email, page);
      expectData(await complete(w, user.email, first.challengeId, first.passkey), 200);
      expectProblem(await complete(w, user.email, first.challengeId, first.passkey), 401, 'expired');
      const next = expectData(await start(w, user.email), 202);
      expectProblem(await complete(w, user.email, next.challengeId, first.passkey), 401, 'invalid_credentials');
      expect(await failureOf(w, next.challengeId)).toBe('passkey_rejected');

      // Another origin (another port of localhost, which the system does not list): the registered
      // credential itself, copied into that page's authenticator, signs from there.
      await copyCredentials(page, elsewhere);
      const wrongOrigin = await assertionFor(w, user.email, elsewhere);
      expectProblem(await complete(w, user.email, wrongOrigin.challengeId, wrongOrigin.passkey), 401, 'invalid_credentials');
      expect(await failureOf(w, wrongOrigin.challengeId)).toBe('passkey_rejected');
      // The same authenticator on the listed origin still signs in: only the origin was wrong.
      const rightOrigin = await assertionFor(w, user.email, page);
      expectData(await complete(w, user.email, rightOrigin.challengeId, rightOrigin.passkey), 200);

      // Another RP ID: a passkey of the same user registered for a system on example.com.
      const other = await createSystem(api, w.orgId, w.account.owner.accessToken, { policy: { factors: ['passkey'] }, webauthn: { rpId: 'example.com', origins: ['https://example.com'] } });
      await registerPasskey(w, user, otherRp, other.name);
      const started = expectData(await start(w, user.email), 202);
      const foreign = await otherRp.get({ ...started.publicKey, rpId: 'example.com' });
      expectProblem(await complete(w, user.email, started.challengeId, foreign), 401, 'invalid_credentials');
      expect(await failureOf(w, started.challengeId)).toBe('passkey_rejected');

      // An unknown credential: made by an authenticator from real options, never registered.
      const options = expectData(
        await api.as(w.manage).POST('/v2/organizations/{orgId}/users/{userId}/passkeys/options', { params: { path: { orgId: w.orgId, userId: user.id } }, body: { system: w.system.name } }),
        200,
      );
      await stranger.create(options.publicKey);
      const unknown = await assertionFor(w, user.email, stranger);
      expectProblem(await complete(w, user.email, unknown.challengeId, unknown.passkey), 401, 'invalid_credentials');
      expect(await failureOf(w, unknown.challengeId)).toBe('passkey_unknown');
    } finally {
      await Promise.all([page.close(), elsewhere.close(), otherRp.close(), stranger.close()]);
    }
  });

  it("refuses another user's passkey, in the same organization and in another", async () => {
    const w = await world();
    const [victim, mallory] = [await userOf(w), await userOf(w)];
    const malloryPage = await openWebAuthnPage(origin());
    const outsiderPage = await openWebAuthnPage(origin());
    try {
      await registerPasskey(w, mallory, malloryPage);
      const sameOrg = await assertionFor(w, victim.email, malloryPage);
      expectProblem(await complete(w, victim.email, sameOrg.challengeId, sameOrg.passkey), 401, 'invalid_credentials');
      expect(await failureOf(w, sameOrg.challengeId)).toBe('passkey_unknown');

      // Another organization's user whose email is the victim's: another person, another tenant.
      const o = await world();
      const outsider = await createEndUser(api, o.orgId, o.account.owner.accessToken, { email: victim.email });
      await grantAccess(api, o.orgId, o.account.owner.accessToken, o.system.name, outsider.id);
      await registerPasskey(o, outsider, outsiderPage);
      const crossOrg = await assertionFor(w, victim.email, outsiderPage);
      expectProblem(await complete(w, victim.email, crossOrg.challengeId, crossOrg.passkey), 401, 'invalid_credentials');
      expect(await failureOf(w, crossOrg.challengeId)).toBe('passkey_unknown');
      // And the victim's organization cannot register for, list or remove the outsider's passkeys.
      const outsiderPath = { params: { path: { orgId: o.orgId, userId: outsider.id } } };
      expect((await api.as(w.manage).GET('/v2/organizations/{orgId}/users/{userId}/passkeys', outsiderPath)).response.status).toBeOneOf([403, 404]);
      expect((await api.as(w.manage).POST('/v2/organizations/{orgId}/users/{userId}/passkeys/options', { ...outsiderPath, body: { system: o.system.name } })).response.status).toBeOneOf([403, 404]);
    } finally {
      await Promise.all([malloryPage.close(), outsiderPage.close()]);
    }
  });

  it('gives exactly one token to 8 concurrent completions of one assertion', async () => {
    const w = await world();
    const user = await userOf(w);
    const page = await openWebAuthnPage(origin());
    try {
      await registerPasskey(w, user, page);
      const { challengeId, passkey } = await assertionFor(w, user.email, page);
      const outcome = await race(8, () => complete(w, user.email, challengeId, passkey), (r) => r.response.status === 200);
      expect(outcome.winners).toHaveLength(1);
      for (const loser of outcome.losers) expect(loser.status === 'fulfilled' ? loser.value.response.status : 0).toBe(401);
    } finally {
      await page.close();
    }
  });

  it('answers unknown, no-access, disabled and passkey-less users like a real one, and never completes them', async () => {
    const w = await world();
    const user = await userOf(w);
    const noAccess = await createEndUser(api, w.orgId, w.account.owner.accessToken);
    const disabled = await userOf(w);
    await api.as(w.manage).PATCH('/v2/organizations/{orgId}/users/{userId}', { params: { path: { orgId: w.orgId, userId: disabled.id } }, body: { status: 'disabled' } });
    const noPasskey = await userOf(w);
    const page = await openWebAuthnPage(origin());
    try {
      await registerPasskey(w, user, page);
      const shapeOf = (body: Record<string, unknown>) => JSON.stringify(body, (key, value: unknown) => (typeof value === 'string' && key !== 'method' && key !== 'rpId' && key !== 'userVerification' ? value.length : value));
      const real = expectData(await start(w, user.email), 202);
      for (const email of [`nobody.${user.id}@example.com`, noAccess.email, disabled.email, noPasskey.email]) {
        const decoy = expectData(await start(w, email), 202);
        expect(Object.keys(decoy).sort()).toEqual(Object.keys(real).sort());
        expect(shapeOf({ ...decoy.publicKey, challenge: '' })).toBe(shapeOf({ ...real.publicKey, challenge: '' }));
        expect(decoy.publicKey).toMatchObject({ allowCredentials: [] });
        // The user's real assertion, presented on the decoy's challenge: refused like a wrong one.
        const assertion = await page.get(decoy.publicKey);
        expectProblem(await complete(w, email, decoy.challengeId, assertion), 401, 'invalid_credentials');
      }
    } finally {
      await page.close();
    }
  });
});

/** Why the audit log says a check of `challengeId` failed (the 401 itself says nothing). */
async function failureOf(w: World, challengeId: string): Promise<unknown> {
  const events = await eventsOf(w.account.accountId);
  return events.find((e) => e.type === 'challenge.failed' && e.details.challengeId === challengeId)?.details.reason;
}

/** Copies the virtual authenticator's credentials (private keys included) of `from` into `to`: the same passkey on another page. */
async function copyCredentials(from: WebAuthnPage, to: WebAuthnPage): Promise<void> {
  const { credentials } = await from.cdp.send('WebAuthn.getCredentials', { authenticatorId: from.authenticatorId });
  for (const credential of credentials) await to.cdp.send('WebAuthn.addCredential', { authenticatorId: to.authenticatorId, credential });
}
