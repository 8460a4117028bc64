import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { localOutbox } from '#shared/compose/sign-in.ts';
import { challengeKey } from '#shared/data/keys.ts';
import { rawItem, createKey } from '#test/support/keys-events.ts';
import type { CompleteSignInInput, StartSignInInput } from '#client/index.ts';
import { expectData, expectProblem, expectStatus, useLocalApi } from '#test/support/local-api.ts';
import { createOrganization } from '#test/support/organizations.ts';
import { addUser, lastPin, signInFixture, smsTo, wrongPin } from '#test/support/sign-in.ts';
import { createAccount } from '#test/support/tenancy.ts';
import { codeInSteps, referenceCode } from '#test/support/totp.ts';

const api = useLocalApi();

// Before any module loads: this file's handlers log everything, down to DEBUG, to check that no PIN,
// link, token or phone number ever reaches a log line.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
});

const logged: string[] = [];
const tokensIssued: string[] = [];
beforeAll(() => {
  // Captured, not echoed: DEBUG would drown the test report.
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
  }
});
afterAll(() => {
  vi.restoreAllMocks();
});

/** `POST /v2/user/authenticate` with an access key, through the typed client. */
const startSignIn = (apikey: string, body: StartSignInInput) => api.as({ apikey }).startSignIn(body);

/** `POST /v2/system/authenticate/user` with an access key, through the typed client. */
const completeSignIn = (apikey: string, body: CompleteSignInInput) => api.as({ apikey }).completeSignIn(body);

async function events(accountId: string, token: string, type: string) {
  const answer = await api.as(token).GET('/v2/accounts/{accountId}/events', { params: { path: { accountId }, query: { type } } });
  return expectData(answer, 200).items;
}

describe('PIN sign-in', () => {
  it('runs as a client app would: start, PIN by SMS, complete, verify the token with the JWKS', async () => {
    const fx = await signInFixture(api, { policy: { factors: ['pin'], tokenTtlSeconds: 900 } });

    const started = expectData(await startSignIn(fx.apikey, { email: fx.user.email, system: fx.system.name }), 202);
    expect(Object.keys(started).sort()).toEqual(['challengeId', 'deliveredTo', 'expiresAt', 'method']);
    expect(started.challengeId).toMatch(/^chl_/);
    expect(started.method).toBe('pin');
    expect(started.deliveredTo).toBe(`********${fx.user.phone.slice(-2)}`);
    const ttl = Date.parse(started.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(290_000);
    expect(ttl).toBeLessThanOrEqual(300_000);
    const [sms] = await smsTo(api, fx.user.phone);
    expect(sms?.body).toMatch(new RegExp(`^${fx.system.name}: your code is \\d{6}$`));
    const pin = await lastPin(api, fx.user.phone);

    // The email in any case: end-user emails are matched case-insensitively.
    const completed = expectData(await completeSignIn(fx.apikey, { email: fx.user.email.toUpperCase(), system: fx.system.name, pin }), 200);
    expect(completed).toMatchObject({ authenticated: true, tokenType: 'Bearer', expiresIn: 900, user: { id: fx.user.id, email: fx.user.email }, amr: ['sms'] });
    if (!completed.authenticated) throw new Error('expected a token');

    const jwks = createRemoteJWKSet(new URL(`${api.url()}/v2/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(completed.token, jwks, {
      // Each organization is its own issuer (SPEC §9): the URL of the organization under this server.
      issuer: `${api.url()}/v2/organizations/${fx.orgId}`,
      audience: fx.system.name,
      algorithms: ['ES256'],
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({ sub: fx.user.id, org: fx.orgId, amr: ['sms'], aud: fx.system.name });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(900);
    expect(payload.jti).toEqual(expect.any(String));

    // Audited: sent then verified, with organization, system, user and a masked phone only.
    const sent = await events(fx.account.accountId, fx.account.owner.accessToken, 'challenge.sent');
    const verified = await events(fx.account.accountId, fx.account.owner.accessToken, 'challenge.verified');
    for (const event of [sent[0], verified[0]]) {
      expect(event).toMatchObject({
        organizationId: fx.orgId,
        actor: { kind: 'key' },
        target: { type: 'end_user', id: fx.user.id },
        details: { system: fx.system.name, userId: fx.user.id, phone: `+33*******${fx.user.phone.slice(-2)}` },
      });
    }

    // Nothing stored or logged in clear: the raw item holds an HMAC, not the PIN; logs hold neither.
    const item = await rawItem(challengeKey(started.challengeId));
    expect(item).toMatchObject({ status: 'consumed', userId: fx.user.id, organizationId: fx.orgId });
    expect(JSON.stringify(item)).not.toContain(`"${pin}"`);
    expect(item?.secretHash ?? null).toBeNull();
    expect(JSON.stringify(await events(fx.account.accountId, fx.account.owner.accessToken, 'challenge.sent'))).not.toContain(pin);
    tokensIssued.push(completed.token);
  });

  it('stores the PIN only as an HMAC while the challenge is live', async () => {
    const fx = await signInFixture(api);
    const started = expectData(await startSignIn(fx.apikey, { email: fx.user.email, system: fx.system.name }), 202);
    const pin = await lastPin(api, fx.user.phone);
    const item = await rawItem(challengeKey(started.challengeId));
    expect(item?.secretHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(item)).not.toContain(pin);
    expect(item?.ttl).toEqual(expect.any(Number));
  });

  it('refuses a PIN used once already (reuse)', async () => {
    const fx = await signInFixture(api);
    await startSignIn(fx.apikey, { email: fx.user.email, system: fx.system.name });
    const pin = await lastPin(api, fx.user.phone);
    expectData(await completeSignIn(fx.apikey, { email: fx.user.email, system: fx.system.name, pin }), 200);
    expectProblem(await completeSignIn(fx.apikey, { email: fx.user.email, system: fx.system.name, pin }), 401, 'expired');
  });

  it('kills a challenge after maxAttempts wrong PINs, even for the right one afterwards', async () => {
    const fx = await signInFixture(api, { policy: { factors: ['pin'], pin: { length: 8, ttlSeconds: 300, maxAttempts: 3 } } });
    const started = expectData(await startSignIn(fx.apikey, { email: fx.user.email, system: fx.system.name }), 202);
    const pin = await lastPin(api, fx.user.phone);
    expect(pin).toMatch(/^\d{8}$/);
    const body = { email: fx.user.email, system: fx.system.name, challengeId: started.challengeId };
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await completeSignIn(fx.apikey, { ...body, pin: wrongPin(pin) })).error?.code);
    expect(codes).toEqual(['invalid_credentials', 'invalid_credentials', 'too_many_attempts']);
    expectProblem(await completeSignIn(fx.apikey, { ...body, pin }), 401, 'too_many_attempts');
    expect((await events(fx.account.accountId, fx.account.owner.accessToken, 'challenge.locked'))[0]?.details).toMatchObject({ scope: 'challenge' });
  });

  it('answers unknown, disabled and unauthorized users the same 202, sends nothing and audits the reason', async () => {
    const fx = await signInFixture(api);
    const token = fx.account.owner.accessToken;
    const disabled = await addUser(api, fx);
    expectData(
      await api.as(token).PATCH('/v2/organizations/{orgId}/users/{userId}', { params: { path: { orgId: fx.orgId, userId: disabled.id } }, body: { status: 'disabled' } }),
      200,
    );
    const noGrant = await addUser(api, fx, { grant: false });

    const answers = [];
    for (const email of [fx.user.email, 'nobody.here@example.com', disabled.email, noGrant.email]) {
      answers.push(expectData(await startSignIn(fx.apikey, { email, system: fx.system.name }), 202));
    }
    for (const answer of answers) {
      expect(Object.keys(answer).sort()).toEqual(['challengeId', 'deliveredTo', 'expiresAt', 'method']);
      expect(answer.challengeId).toMatch(/^chl_[0-9a-f]{32}$/);
      expect(answer.method).toBe('pin');
      expect(answer.deliveredTo).toMatch(/^\*{8}\d{2}$/);
    }
    expect(await smsTo(api, disabled.phone)).toEqual([]);
    expect(await smsTo(api, noGrant.phone)).toEqual([]);
    const reasons = (await events(fx.account.accountId, token, 'challenge.suppressed')).map((event) => event.details.reason).sort();
    expect(reasons).toEqual(['no_access', 'unknown_user', 'user_disabled']);

    // A decoy can never be completed.
    const decoy = answers[1];
    const completed = await completeSignIn(fx.apikey, { email: 'nobody.here@example.com', system: fx.system.name, pin: '123456', challengeId: decoy?.challengeId });
    expectProblem(completed, 401, 'invalid_credentials');
  });

  it('answers an unknown system 404 system_not_found (a client configuration error)', async () => {
    const fx = await signInFixture(api);
    expectProblem(await startSignIn(fx.apikey, { email: fx.user.email, system: 'no-such-system' }), 404, 'system_not_found');
  });

  it('refuses bad input with 400 naming the field', async () => {
    const fx = await signInFixture(api);
    const bad = expectProblem(await startSignIn(fx.apikey, { email: 'not-an-email', system: fx.system.name }), 400, 'validation_failed');
    expect(bad.errors?.map((error) => error.field)).toContain('body.email');
    // Two credentials, or none: the typed client does not compile either, so these go raw.
    const headers = { apikey: fx.apikey };
    const two = await api.raw('POST', '/v2/system/authenticate/user', { headers, body: { email: fx.user.email, system: fx.system.name, pin: '123456', totp: '123456' } });
    expect(two.status).toBe(400);
    const none = await api.raw('POST', '/v2/system/authenticate/user', { headers, body: { email: fx.user.email, system: fx.system.name } });
    expect(none.status).toBe(400);
  });

  it('steps up: sensitivity high asks PIN then TOTP, returning remaining [totp] after the PIN', async () => {
    const fx = await signInFixture(api, {
      policy: { factors: ['pin'], rules: [{ if: { sensitivity: ['high'] }, factors: ['pin', 'totp'] }] },
    });
    const token = fx.account.owner.accessToken;
    const owner = api.as(token);
    const userPath = { params: { path: { orgId: fx.orgId, userId: fx.user.id } } };
    const enrolment = expectData(await owner.POST('/v2/organizations/{orgId}/users/{userId}/totp', userPath), 200);
    const confirmCode = referenceCode(enrolment.secret);
    expectData(await owner.POST('/v2/organizations/{orgId}/users/{userId}/totp/confirm', { ...userPath, body: { code: confirmCode } }), 200);

    const started = expectData(await startSignIn(fx.apikey, { email: fx.user.email, system: fx.system.name, context: { sensitivity: 'high' } }), 202);
    expect(started.method).toBe('pin');
    const pin = await lastPin(api, fx.user.phone);
    const first = expectData(await completeSignIn(fx.apikey, { email: fx.user.email, system: fx.system.name, pin }), 200);
    expect(first).toEqual({ authenticated: false, challengeId: started.challengeId, remaining: ['totp'] });

    // The PIN again is not the TOTP step.
    expectProblem(await completeSignIn(fx.apikey, { email: fx.user.email, system: fx.system.name, pin }), 400);
    // The next time step's code: inside the ±1 step window and never the one the confirmation spent.
    const code = codeInSteps(enrolment.secret, 1);
    const second = expectData(await completeSignIn(fx.apikey, { email: fx.user.email, system: fx.system.name, totp: code }), 200);
    expect(second).toMatchObject({ authenticated: true, amr: ['sms', 'otp', 'mfa'] });
  });

  it('steps up with two SMS factors: PIN, then a link on the same challenge', async () => {
    const fx = await signInFixture(api, {
      policy: { factors: ['pin'], rules: [{ if: { resource: ['payroll'] }, factors: ['pin', 'passwordless'] }] },
      passwordlessUrl: 'https://app.example.com/sign-in',
    });
    await startSignIn(fx.apikey, { email: fx.user.email, system: fx.system.name, context: { resource: 'payroll' } });
    const first = expectData(await completeSignIn(fx.apikey, { email: fx.user.email, system: fx.system.name, pin: await lastPin(api, fx.user.phone) }), 200);
    expect(first).toMatchObject({ authenticated: false, remaining: ['passwordless'] });
    const [link] = await smsTo(api, fx.user.phone);
    const url = /sign in (\S+)$/.exec(link?.body ?? '')?.[1] ?? '';
    expect(url.startsWith('https://app.example.com/sign-in?token=')).toBe(true);
    const second = expectData(await completeSignIn(fx.apikey, { email: fx.user.email, system: fx.system.name, passwordless: url }), 200);
    expect(second).toMatchObject({ authenticated: true, amr: ['sms'] });
    if (!second.authenticated) throw new Error('expected a token');
    const decoded = decodeProtectedHeader(second.token);
    expect(decoded.kid).toEqual(expect.any(String));
  });
});

describe('cross-tenant', () => {
  it("another account's key never starts or completes a challenge in this organization", async () => {
    const fx = await signInFixture(api);
    const other = await createAccount(api);
    const foreign = await createKey(api, other.accountId, other.owner.accessToken, { permissions: ['authenticate', 'manage'], organizations: 'all' });

    expectProblem(await startSignIn(foreign.key, { email: fx.user.email, system: fx.system.name, organization: fx.orgId }), 404);
    expect(await smsTo(api, fx.user.phone)).toEqual([]);

    // A live challenge of this organization cannot be completed with the foreign key either.
    const started = expectData(await startSignIn(fx.apikey, { email: fx.user.email, system: fx.system.name }), 202);
    const pin = await lastPin(api, fx.user.phone);
    const complete = await completeSignIn(foreign.key, { email: fx.user.email, system: fx.system.name, organization: fx.orgId, pin, challengeId: started.challengeId });
    expect(JSON.stringify(expectProblem(complete, 404))).not.toContain(fx.user.id);
    // …and it is still live for the rightful key.
    expectData(await completeSignIn(fx.apikey, { email: fx.user.email, system: fx.system.name, pin }), 200);
  });

  it('a key of the same account that does not reach the organization gets 404; a manage-only key 403', async () => {
    const fx = await signInFixture(api);
    const token = fx.account.owner.accessToken;
    const sibling = await createOrganization(api, fx.account.accountId, token);
    const elsewhere = await createKey(api, fx.account.accountId, token, { permissions: ['authenticate'], organizations: [sibling.id] });
    const manageOnly = await createKey(api, fx.account.accountId, token, { permissions: ['manage'], organizations: [fx.orgId] });

    expectProblem(await startSignIn(elsewhere.key, { email: fx.user.email, system: fx.system.name, organization: fx.orgId }), 404);
    expectStatus(await startSignIn(manageOnly.key, { email: fx.user.email, system: fx.system.name }), 403);
    expect(await smsTo(api, fx.user.phone)).toEqual([]);
  });

  it('a key reaching several organizations must name one (400 body.organization)', async () => {
    const fx = await signInFixture(api);
    const everywhere = await createKey(api, fx.account.accountId, fx.account.owner.accessToken, { permissions: ['authenticate'], organizations: 'all' });
    const missing = expectProblem(await startSignIn(everywhere.key, { email: fx.user.email, system: fx.system.name }), 400, 'validation_failed');
    expect(missing.errors?.map((error) => error.field)).toContain('body.organization');
    expectData(await startSignIn(everywhere.key, { email: fx.user.email, system: fx.system.name, organization: fx.orgId }), 202);
  });
});

describe('logs', () => {
  it('never carry the PINs, links, tokens or phone numbers of this whole file', () => {
    const logs = logged.join('');
    expect(logs).toContain('request refused'); // the capture works: refused sign-ins were logged
    const sent = localOutbox().list();
    expect(sent.length).toBeGreaterThan(5);
    for (const sms of sent) {
      const secret = /your code is (\d+)$/.exec(sms.body)?.[1] ?? /token=(\S+)$/.exec(sms.body)?.[1] ?? '';
      expect(secret).not.toBe('');
      // As a whole number or token: a 6-digit PIN may well occur inside some epoch timestamp.
      expect(logs).not.toMatch(new RegExp(`(?<![0-9A-Za-z_-])${secret}(?![0-9A-Za-z_-])`));
      expect(logs).not.toContain(sms.to);
    }
    for (const token of tokensIssued) expect(logs).not.toContain(token);
  });
});
