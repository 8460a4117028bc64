/**
 * The e-mail sign-in factors `email_pin` and `email_link` (SPEC §8) over HTTP through the local
 * server, as a client app runs them and as an attacker tries them: the secret goes to the user's
 * address (the local outbox, `GET /_local/email`), is completed with the same `pin` / `passwordless`
 * fields as its SMS twin, once; wrong PINs in a burst are compared at most `maxAttempts` times; an
 * unknown, unauthorized, disabled or undeliverable address gets a decoy that looks and behaves like a
 * real challenge and sends nothing; e-mails have their own per-user and daily limits.
 */
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { config } from '#shared/config.ts';
import { documentClient } from '#shared/compose/runtime.ts';
import { localEmailOutbox } from '#shared/compose/shared.ts';
import { challengeKey, emailSuppressionKey } from '#shared/data/keys.ts';
import { race } from '#test/support/concurrency.ts';
import { createSystem } from '#test/support/directory.ts';
import { rawItem } from '#test/support/keys-events.ts';
import { expectData, expectProblem, useLocalApi } from '#test/support/local-api.ts';
import { eventsOf } from '#test/support/organizations.ts';
import { addUser, completeSignIn, emailsTo, lastEmail, linkIn, signInFixture, smsTo, startSignIn, wrongPin, type SignInFixture } from '#test/support/sign-in.ts';
import { codeInSteps, referenceCode } from '#test/support/totp.ts';

const api = useLocalApi();

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const LINK_URL = 'https://app.example.com/magic';
const emailPin = (pin: Record<string, unknown> = {}) => ({ policy: { factors: ['email_pin'], pin: { length: 6, ttlSeconds: 300, maxAttempts: 3, ...pin } } });
const emailLink = { policy: { factors: ['email_link'], passwordless: { ttlSeconds: 120 } }, passwordlessUrl: LINK_URL };

/** The fixed shape of an e-mailed factor's `deliveredTo`: first character, stars, the top-level domain. */
const EMAIL_DELIVERED_TO = /^[a-z0-9]\*{5}@\*{5}\.[a-z]+$/;

/** The PIN of the newest sign-in e-mail to `address`, from its plain-text part (never in the subject). */
async function lastEmailPin(address: string): Promise<string> {
  const email = await lastEmail(api, address, /sign-in code/);
  const pin = /sign-in code is (\d+)/.exec(email.text)?.[1];
  if (!pin) throw new Error(`no PIN in "${email.subject}"`);
  // The PIN is in the body only: a subject is logged and previewed in more places.
  expect(email.subject).not.toContain(pin);
  return pin;
}

/** The organization's name, as its e-mails name it. */
async function organizationName(fx: SignInFixture): Promise<string> {
  const organization = expectData(await api.as(fx.account.owner.accessToken).GET('/v2/organizations/{orgId}', { params: { path: { orgId: fx.orgId } } }), 200);
  return organization.name;
}

/** The issuer's relying party, set up as jose documents it (see organization-issuer.test.ts). */
function verifierOf(orgId: string, audience: string) {
  const issuer = `${api.url()}/v2/organizations/${orgId}`;
  const jwks = createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`));
  return (token: string) => jwtVerify(token, jwks, { issuer, audience, algorithms: ['ES256'] });
}

/** Marks an address undeliverable as the e-mail feedback function does (only the item's presence counts here). */
async function suppress(address: string): Promise<void> {
  await documentClient().send(
    new PutCommand({ TableName: config().tableName, Item: { ...emailSuppressionKey(address.toLowerCase()), entity: 'EmailSuppression', reason: 'bounce', since: new Date().toISOString() } }),
  );
}

/** A problem body without what names one request or challenge (ids, instance). */
function shapeOf(body: unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body as Record<string, unknown>).filter(([key]) => !/id$|^instance$|^requestId$/i.test(key)));
}

describe('email_pin', () => {
  it('runs as a client app would: PIN by e-mail, completed in `pin`, a token the organization issuer verifies', async () => {
    const fx = await signInFixture(api, emailPin());
    const started = expectData(await api.as({ apikey: fx.apikey }).startSignIn({ email: fx.user.email, system: fx.system.name }), 202);
    expect(started).toMatchObject({ method: 'email_pin', deliveredTo: `${fx.user.email[0] ?? ''}*****@*****.com` });
    expect(started.deliveredTo).toMatch(EMAIL_DELIVERED_TO);

    // One e-mail, naming the organization; no SMS.
    const emails = await emailsTo(api, fx.user.email);
    expect(emails).toHaveLength(1);
    expect(emails[0]?.subject).toContain(await organizationName(fx));
    expect(await smsTo(api, fx.user.phone)).toEqual([]);
    const pin = await lastEmailPin(fx.user.email);
    expect(pin).toMatch(/^\d{6}$/);
    // Stored as an HMAC only.
    expect(JSON.stringify(await rawItem(challengeKey(started.challengeId)))).not.toContain(pin);

    const completed = expectData(await api.as({ apikey: fx.apikey }).completeSignIn({ email: fx.user.email, system: fx.system.name, pin, challengeId: started.challengeId }), 200);
    expect(completed).toMatchObject({ authenticated: true, user: { id: fx.user.id }, amr: ['email'] });
    if (!completed.authenticated) throw new Error('expected a token');
    const { payload } = await verifierOf(fx.orgId, fx.system.name)(completed.token);
    expect(payload).toMatchObject({ sub: fx.user.id, org: fx.orgId, aud: fx.system.name, amr: ['email'] });

    // Single use.
    const replay = await completeSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name, pin, challengeId: started.challengeId });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('expired');

    // Audited with its channel.
    const sent = (await eventsOf(fx.account.accountId)).find((event) => event.type === 'challenge.sent');
    expect(sent?.details).toMatchObject({ challengeId: started.challengeId, method: 'email_pin', channel: 'email' });
    expect(JSON.stringify(await eventsOf(fx.account.accountId))).not.toContain(pin);
  });

  it('asks for the PIN in `pin`: a link, a TOTP code or nothing is a 400 naming body.pin', async () => {
    const fx = await signInFixture(api, emailPin());
    expectData(await api.as({ apikey: fx.apikey }).startSignIn({ email: fx.user.email, system: fx.system.name }), 202);
    for (const credential of [{ passwordless: 'abc' }, { totp: '123456' }]) {
      const answer = await completeSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name, ...credential });
      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.body)).toContain('body.pin');
    }
    // The refusals spent nothing: the PIN still works.
    const done = await completeSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name, pin: await lastEmailPin(fx.user.email) });
    expect(done.body).toMatchObject({ authenticated: true });
  });

  it('compares at most maxAttempts of a concurrent burst of wrong PINs; the right PIN is dead after it', async () => {
    const fx = await signInFixture(api, emailPin({ maxAttempts: 3 }));
    const started = expectData(await api.as({ apikey: fx.apikey }).startSignIn({ email: fx.user.email, system: fx.system.name }), 202);
    const pin = await lastEmailPin(fx.user.email);
    const wrong = wrongPin(pin);
    const burst = await race(
      12,
      () => completeSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name, pin: wrong, challengeId: started.challengeId }),
      (answer) => answer.status === 200,
    );
    const codes = burst.results.map((answer) => (answer.status === 'fulfilled' ? answer.value.body.code : 'rejected'));
    expect(burst.winners).toEqual([]);
    expect(codes.filter((code) => code === 'invalid_credentials').length).toBeLessThanOrEqual(3);
    expect(codes.every((code) => code === 'invalid_credentials' || code === 'too_many_attempts')).toBe(true);
    const right = await completeSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name, pin, challengeId: started.challengeId });
    expect(right.status).toBe(401);
    expect(right.body.code).toBe('too_many_attempts');
  });

  it('voids the previous challenge when a new one starts', async () => {
    const fx = await signInFixture(api, emailPin());
    const first = expectData(await api.as({ apikey: fx.apikey }).startSignIn({ email: fx.user.email, system: fx.system.name }), 202);
    const firstPin = await lastEmailPin(fx.user.email);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 31_000); // past the per-user interval
    expectData(await api.as({ apikey: fx.apikey }).startSignIn({ email: fx.user.email, system: fx.system.name }), 202);
    const stale = await completeSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name, pin: firstPin, challengeId: first.challengeId });
    expect(stale.status).toBe(401);
    expect(stale.body.code).toBe('expired');
    const fresh = await completeSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name, pin: await lastEmailPin(fx.user.email) });
    expect(fresh.body).toMatchObject({ authenticated: true, amr: ['email'] });
  });
});

describe('when the e-mail cannot be sent', () => {
  it('answers 502 email_failed, voids the challenge and gives the budget back: a retry right away is sent', async () => {
    const fx = await signInFixture(api, emailPin());
    const signIn = { email: fx.user.email, system: fx.system.name };
    vi.spyOn(localEmailOutbox(), 'send').mockRejectedValueOnce(new Error('SES refused'));
    const failed = await api.as({ apikey: fx.apikey }).startSignIn(signIn);
    expectProblem(failed, 502, 'email_failed');
    const voided = (await eventsOf(fx.account.accountId)).find((event) => event.type === 'challenge.failed' && event.details.reason === 'email_failed');
    const challengeId = voided?.details.challengeId as string;
    expect((await rawItem(challengeKey(challengeId)))?.status).toBe('void');
    const guess = await completeSignIn(api, fx.apikey, { ...signIn, challengeId, pin: '123456' });
    expect(guess.status).toBe(401);
    // Not 429: the per-user window got its slot back.
    expectData(await api.as({ apikey: fx.apikey }).startSignIn(signIn), 202);
    expect(await emailsTo(api, fx.user.email)).toHaveLength(1);
  });
});

describe('email_link', () => {
  it('e-mails a link to the system passwordlessUrl, completed once in `passwordless` (whole link or token)', async () => {
    const fx = await signInFixture(api, emailLink);
    const started = expectData(await api.as({ apikey: fx.apikey }).startSignIn({ email: fx.user.email, system: fx.system.name }), 202);
    expect(started).toMatchObject({ method: 'email_link' });
    expect(started.deliveredTo).toMatch(EMAIL_DELIVERED_TO);
    expect(Date.parse(started.expiresAt) - Date.now()).toBeLessThanOrEqual(120_000);

    const email = await lastEmail(api, fx.user.email, /sign-in link/);
    expect(email.subject).toContain(await organizationName(fx));
    const { url, token } = linkIn(email);
    expect(url.startsWith(`${LINK_URL}?token=`)).toBe(true);
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(email.html).toContain(token);
    expect(JSON.stringify(await rawItem(challengeKey(started.challengeId)))).not.toContain(token);
    expect(await smsTo(api, fx.user.phone)).toEqual([]);

    const completed = expectData(await api.as({ apikey: fx.apikey }).completeSignIn({ email: fx.user.email, system: fx.system.name, passwordless: url }), 200);
    expect(completed).toMatchObject({ authenticated: true, amr: ['email'] });
    if (!completed.authenticated) throw new Error('expected a token');
    expect((await verifierOf(fx.orgId, fx.system.name)(completed.token)).payload).toMatchObject({ sub: fx.user.id, amr: ['email'] });

    // Replayed, as the link or as its token: refused.
    for (const passwordless of [url, token]) {
      const replay = await completeSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name, passwordless, challengeId: started.challengeId });
      expect(replay.status).toBe(401);
      expect(replay.body.code).toBe('expired');
    }
  });

  it('of N concurrent submissions of the right link exactly one wins', async () => {
    const fx = await signInFixture(api, emailLink);
    expectData(await api.as({ apikey: fx.apikey }).startSignIn({ email: fx.user.email, system: fx.system.name }), 202);
    const { url } = linkIn(await lastEmail(api, fx.user.email, /sign-in link/));
    const outcome = await race(
      8,
      () => completeSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name, passwordless: url }),
      (answer) => answer.status === 200,
    );
    expect(outcome.winners).toHaveLength(1);
    expect(outcome.losers.map((answer) => (answer.status === 'fulfilled' ? answer.value.status : 0))).toEqual(Array(7).fill(401));
  });

  it('steps up from an SMS PIN to an e-mailed link on the same challenge (amr sms, email, mfa)', async () => {
    const fx = await signInFixture(api, { policy: { factors: ['pin', 'email_link'] }, passwordlessUrl: LINK_URL });
    const started = expectData(await api.as({ apikey: fx.apikey }).startSignIn({ email: fx.user.email, system: fx.system.name }), 202);
    expect(started.method).toBe('pin');
    expect(await emailsTo(api, fx.user.email)).toEqual([]);
    const [sms] = await smsTo(api, fx.user.phone);
    const pin = /your code is (\d+)$/.exec(sms?.body ?? '')?.[1] ?? '';
    const first = await completeSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name, pin });
    expect(first.body).toEqual({ authenticated: false, challengeId: started.challengeId, remaining: ['email_link'] });
    const { token } = linkIn(await lastEmail(api, fx.user.email, /sign-in link/));
    const second = await completeSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name, passwordless: token });
    expect(second.body).toMatchObject({ authenticated: true, amr: ['sms', 'email', 'mfa'] });
  });
});

describe('policy', () => {
  it("takes a rule {if: {sensitivity: ['high']}, factors: ['email_pin', 'totp']}: PIN by e-mail, then TOTP", async () => {
    const fx = await signInFixture(api, { policy: { factors: ['pin'], rules: [{ if: { sensitivity: ['high'] }, factors: ['email_pin', 'totp'] }] } });
    const owner = api.as(fx.account.owner.accessToken);
    const userPath = { params: { path: { orgId: fx.orgId, userId: fx.user.id } } };
    const enrolment = expectData(await owner.POST('/v2/organizations/{orgId}/users/{userId}/totp', userPath), 200);
    expectData(await owner.POST('/v2/organizations/{orgId}/users/{userId}/totp/confirm', { ...userPath, body: { code: referenceCode(enrolment.secret) } }), 200);

    // Without the context the default chain (SMS PIN) applies.
    const plain = expectData(await api.as({ apikey: fx.apikey }).startSignIn({ email: fx.user.email, system: fx.system.name }), 202);
    expect(plain.method).toBe('pin');

    const high = await addUser(api, fx);
    const highPath = { params: { path: { orgId: fx.orgId, userId: high.id } } };
    const highEnrolment = expectData(await owner.POST('/v2/organizations/{orgId}/users/{userId}/totp', highPath), 200);
    expectData(await owner.POST('/v2/organizations/{orgId}/users/{userId}/totp/confirm', { ...highPath, body: { code: referenceCode(highEnrolment.secret) } }), 200);
    const started = expectData(await api.as({ apikey: fx.apikey }).startSignIn({ email: high.email, system: fx.system.name, context: { sensitivity: 'high' } }), 202);
    expect(started.method).toBe('email_pin');
    const first = await completeSignIn(api, fx.apikey, { email: high.email, system: fx.system.name, pin: await lastEmailPin(high.email) });
    expect(first.body).toEqual({ authenticated: false, challengeId: started.challengeId, remaining: ['totp'] });
    const second = await completeSignIn(api, fx.apikey, { email: high.email, system: fx.system.name, totp: codeInSteps(highEnrolment.secret, 1) });
    expect(second.body).toMatchObject({ authenticated: true, amr: ['email', 'otp', 'mfa'] });
  });

  it('refuses bad policy input with a 400 naming the field', async () => {
    const fx = await signInFixture(api);
    const token = fx.account.owner.accessToken;
    const cases: [Record<string, unknown>, string][] = [
      [{ factors: ['email'] }, 'body.policy.factors.0'],
      [{ factors: ['email_pin', 'email_pin'] }, 'body.policy.factors.1'],
      [{ factors: ['pin'], rules: [{ if: { sensitivity: ['high'] }, factors: ['email_otp'] }] }, 'body.policy.rules.0.factors.0'],
      [{ factors: ['email_pin'], pin: { length: 5 } }, 'body.policy.pin.length'],
      [{ factors: ['email_link'], passwordless: { ttlSeconds: 601 } }, 'body.policy.passwordless.ttlSeconds'],
    ];
    for (const [policy, field] of cases) {
      const answer = await api.request('POST', `/v2/organizations/${fx.orgId}/systems`, { token, body: { name: `s-${randomUUID().slice(0, 8)}`, policy, passwordlessUrl: LINK_URL } });
      expect(answer.status, JSON.stringify(policy)).toBe(400);
      expect(answer.body.code).toBe('validation_failed');
      expect((answer.body.errors as { field: string }[]).map((error) => error.field), JSON.stringify(policy)).toContain(field);
    }
    // email_link needs a passwordlessUrl, as passwordless does.
    const noUrl = await api.request('POST', `/v2/organizations/${fx.orgId}/systems`, { token, body: { name: `s-${randomUUID().slice(0, 8)}`, policy: { factors: ['email_link'] } } });
    expect(noUrl.status).toBe(400);
    expect(JSON.stringify(noUrl.body)).toContain('passwordlessUrl');
    // And the e-mail factors are accepted where a factor is.
    await createSystem(api, fx.orgId, token, { policy: { factors: ['email_link', 'totp'], rules: [{ if: { resource: ['r'] }, factors: ['email_pin'] }] }, passwordlessUrl: LINK_URL });
  });
});

/** The fixture's real user, an unknown email, a disabled user, a user without access and an undeliverable address. */
async function subjects(fx: SignInFixture): Promise<{ label: string; email: string }[]> {
  const token = fx.account.owner.accessToken;
  const disabled = await addUser(api, fx);
  expect((await api.request('PATCH', `/v2/organizations/${fx.orgId}/users/${disabled.id}`, { token, body: { status: 'disabled' } })).status).toBe(200);
  const noAccess = await addUser(api, fx, { grant: false });
  const bounced = await addUser(api, fx);
  await suppress(bounced.email);
  return [
    { label: 'real', email: fx.user.email },
    { label: 'unknown', email: `nobody.${randomUUID().slice(0, 8)}@example.com` },
    { label: 'disabled', email: disabled.email },
    { label: 'no access', email: noAccess.email },
    { label: 'undeliverable', email: bounced.email },
  ];
}

describe('no enumeration with e-mail factors', () => {
  it('answers unknown, disabled, unauthorized and undeliverable addresses like a real one, sends them nothing and audits why', async () => {
    const fx = await signInFixture(api, emailPin({ maxAttempts: 3 }));
    const lives: Record<string, { start: unknown; answers: unknown[] }> = {};
    for (const subject of await subjects(fx)) {
      const started = await startSignIn(api, fx.apikey, { email: subject.email, system: fx.system.name });
      expect(started.status, subject.label).toBe(202);
      expect(Object.keys(started.body).sort(), subject.label).toEqual(['challengeId', 'deliveredTo', 'expiresAt', 'method']);
      expect(started.body.method).toBe('email_pin');
      expect(started.body.deliveredTo, subject.label).toMatch(EMAIL_DELIVERED_TO);
      expect(started.body.deliveredTo).toBe(`${subject.email[0] ?? ''}*****@*****.com`);
      const wrong = subject.label === 'real' ? wrongPin(await lastEmailPin(subject.email)) : '123456';
      if (subject.label !== 'real') expect(await emailsTo(api, subject.email), subject.label).toEqual([]);
      const answers = [];
      for (let attempt = 0; attempt < 4; attempt++) {
        const answer = await completeSignIn(api, fx.apikey, { email: subject.email, system: fx.system.name, pin: wrong, challengeId: started.body.challengeId });
        answers.push({ status: answer.status, body: shapeOf(answer.body) });
      }
      lives[subject.label] = { start: Object.keys(started.body), answers };
    }
    const real = lives.real;
    expect(real?.answers.map((answer) => (answer as { status: number; body: { code: string } }).body.code)).toEqual([
      'invalid_credentials',
      'invalid_credentials',
      'too_many_attempts',
      'too_many_attempts',
    ]);
    for (const label of ['unknown', 'disabled', 'no access', 'undeliverable']) expect(lives[label], label).toEqual(real);

    const suppressed = (await eventsOf(fx.account.accountId)).filter((event) => event.type === 'challenge.suppressed').map((event) => event.details.reason);
    expect(suppressed.sort()).toEqual(['email_undeliverable', 'no_access', 'unknown_user', 'user_disabled']);
  });

  it('a decoy expires after its TTL like a real one, and the right PIN of a suppressed user never passes', async () => {
    const fx = await signInFixture(api, emailPin({ ttlSeconds: 120 }));
    const started: { label: string; email: string; challengeId: string }[] = [];
    for (const subject of await subjects(fx)) {
      const answer = await startSignIn(api, fx.apikey, { email: subject.email, system: fx.system.name });
      expect(answer.status).toBe(202);
      started.push({ label: subject.label, email: subject.email, challengeId: answer.body.challengeId });
    }
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 121_000);
    const answers: Record<string, unknown> = {};
    for (const subject of started) {
      const answer = await completeSignIn(api, fx.apikey, { email: subject.email, system: fx.system.name, pin: '123456', challengeId: subject.challengeId });
      answers[subject.label] = { status: answer.status, body: shapeOf(answer.body) };
    }
    expect(answers.real).toMatchObject({ status: 401, body: { code: 'expired' } });
    for (const label of ['unknown', 'disabled', 'no access', 'undeliverable']) expect(answers[label], label).toEqual(answers.real);
  });

  it('treats a suppressed address case-insensitively, and the SMS factors still work for it', async () => {
    const fx = await signInFixture(api, { policy: { factors: ['email_pin'], rules: [{ if: { resource: ['sms'] }, factors: ['pin'] }] } });
    await suppress(fx.user.email.toUpperCase());
    const upper = fx.user.email.toUpperCase();
    const started = await startSignIn(api, fx.apikey, { email: upper, system: fx.system.name });
    expect(started.status).toBe(202);
    expect(await emailsTo(api, fx.user.email)).toEqual([]);
    // SMS is not e-mail: the suppression stops e-mail factors only.
    const sms = await startSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name, context: { resource: 'sms' } });
    expect(sms.status).toBe(202);
    expect(sms.body.method).toBe('pin');
    expect(await smsTo(api, fx.user.phone)).toHaveLength(1);
  });
});

describe('e-mail limits', () => {
  it('sends at most one sign-in e-mail per 30 s to a user (429 rate_limited, Retry-After), decoys alike, SMS counted apart', async () => {
    const fx = await signInFixture(api, { policy: { factors: ['email_pin'], rules: [{ if: { resource: ['sms'] }, factors: ['pin'] }] } });
    expectData(await api.as({ apikey: fx.apikey }).startSignIn({ email: fx.user.email, system: fx.system.name }), 202);
    const again = await api.as({ apikey: fx.apikey }).startSignIn({ email: fx.user.email, system: fx.system.name });
    expectProblem(again, 429, 'rate_limited');
    const retryAfter = Number(again.response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(await emailsTo(api, fx.user.email)).toHaveLength(1);
    const limited = (await eventsOf(fx.account.accountId)).find((event) => event.type === 'challenge.rate_limited');
    expect(limited?.details).toMatchObject({ limit: 'interval', channel: 'email' });

    // The SMS window is its own: an SMS sign-in right away is not refused.
    expectData(await api.as({ apikey: fx.apikey }).startSignIn({ email: fx.user.email, system: fx.system.name, context: { resource: 'sms' } }), 202);

    const ghost = { email: `ghost.${randomUUID().slice(0, 8)}@example.com`, system: fx.system.name };
    expectData(await api.as({ apikey: fx.apikey }).startSignIn(ghost), 202);
    expectProblem(await api.as({ apikey: fx.apikey }).startSignIn(ghost), 429, 'rate_limited');
  });

  it('sends at most five sign-in e-mails per hour to a user', async () => {
    const fx = await signInFixture(api, emailPin());
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    for (let index = 0; index < 5; index++) {
      vi.setSystemTime(start + index * 31_000);
      expectData(await api.as({ apikey: fx.apikey }).startSignIn({ email: fx.user.email, system: fx.system.name }), 202);
    }
    vi.setSystemTime(start + 5 * 31_000);
    expectProblem(await api.as({ apikey: fx.apikey }).startSignIn({ email: fx.user.email, system: fx.system.name }), 429, 'rate_limited');
    expect(await emailsTo(api, fx.user.email)).toHaveLength(5);
  });

  it('keeps emailDailyLimit within the deployment per-account e-mail cap: 400 naming the field, on create and update', async () => {
    const fx = await signInFixture(api);
    const owner = api.as(fx.account.owner.accessToken);
    const create = await owner.POST('/v2/accounts/{accountId}/organizations', { params: { path: { accountId: fx.account.accountId } }, body: { name: 'Greedy', settings: { emailDailyLimit: 1001 } } });
    expect(expectProblem(create, 400, 'validation_failed').errors).toEqual([{ field: 'body.settings.emailDailyLimit', message: expect.stringContaining('must be at most 1000') as string }]);
    const patch = await owner.PATCH('/v2/organizations/{orgId}', { params: { path: { orgId: fx.orgId } }, body: { settings: { emailDailyLimit: 1_000_000 } } });
    expect(expectProblem(patch, 400, 'validation_failed').errors).toEqual([{ field: 'body.settings.emailDailyLimit', message: expect.stringContaining('must be at most 1000') as string }]);
    const bad = await owner.PATCH('/v2/organizations/{orgId}', { params: { path: { orgId: fx.orgId } }, body: { settings: { emailDailyLimit: -1 } } });
    expect(expectProblem(bad, 400, 'validation_failed').errors).toEqual([{ field: 'body.settings.emailDailyLimit', message: 'must be at least 0' }]);
    const lowered = expectData(await owner.PATCH('/v2/organizations/{orgId}', { params: { path: { orgId: fx.orgId } }, body: { settings: { emailDailyLimit: 2 } } }), 200);
    expect(lowered.settings.emailDailyLimit).toBe(2);
  });

  it("caps the organization's sign-in e-mails per UTC day with emailDailyLimit", async () => {
    const fx = await signInFixture(api, { ...emailPin(), settings: { emailDailyLimit: 1 } });
    const second = await addUser(api, fx);
    expectData(await api.as({ apikey: fx.apikey }).startSignIn({ email: fx.user.email, system: fx.system.name }), 202);
    expectProblem(await api.as({ apikey: fx.apikey }).startSignIn({ email: second.email, system: fx.system.name }), 429, 'rate_limited');
    expect(await emailsTo(api, second.email)).toEqual([]);
  });
});
