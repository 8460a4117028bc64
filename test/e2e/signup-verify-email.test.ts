/**
 * `POST /v2/signup` under `verify-email` (the default of a deployment, SPEC §4 and §6 "No enumeration
 * anywhere"): the same 202 for every well-formed request, the account only through the e-mailed link,
 * single use under concurrency, and no mail cannon at one address.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { documentClient } from '#shared/compose/runtime.ts';
import { operatorStore } from '#shared/compose/shared.ts';
import { config } from '#shared/config.ts';
import { pendingSignupKey, userEmailKey, type ItemKey } from '#shared/data/keys.ts';
import { hashSecret, newId } from '#shared/domain/kernel/secrets.ts';
import { hashPassword } from '#shared/domain/sessions/passwords.ts';
import { SIGNUP_VERIFICATION_TTL_SECONDS } from '#shared/domain/sessions/signup.ts';
import { MeResponse, SignupResponse } from '#shared/schemas/sessions.ts';
import { signupBody, strongPassword, uniqueEmail } from '#test/support/factories.ts';
import { expectData, expectProblem, expectSignedUp, useLocalApi } from '#test/support/local-api.ts';
import { emailsTo, lastEmail, linkIn } from '#test/support/sign-in.ts';
import { logIn } from '#test/support/tenancy.ts';

const api = useLocalApi({ environment: { SIGNUP_MODE: 'verify-email' } });

const VERIFY_SUBJECT = /^Confirm your e-mail address/;
const EXISTING_SUBJECT = /^You already have a Portcullis sign-in/;

/** `POST /v2/signup` over plain fetch: status, headers and the body's exact bytes. */
async function signupBytes(body: unknown) {
  const response = await fetch(`${api.url()}/v2/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, headers: Object.fromEntries(response.headers), text: await response.text() };
}

/** Headers that differ per request by nature (its id, the time); everything else must be equal. */
const comparable = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).filter(([name]) => !/^(date|x-request-id|apigw-requestid)$/i.test(name)));

const verify = (token: string) => api.client.POST('/v2/signup/verify', { body: { token } });

async function rawItem(key: ItemKey) {
  return (await documentClient().send(new GetCommand({ TableName: config().tableName, Key: key, ConsistentRead: true }))).Item;
}

/** An operator who already exists, written straight to the table: no sign-up e-mail has gone to them yet. */
async function existingOperator() {
  const now = new Date().toISOString();
  const operator = { id: newId('usr'), email: uniqueEmail('known'), passwordHash: await hashPassword(strongPassword()), createdAt: now };
  const account = { id: newId('acc'), name: 'Known', createdAt: now };
  await operatorStore().createOperatorWithAccount({ operator, account, membership: { accountId: account.id, userId: operator.id, role: 'owner', scope: 'all', createdAt: now } });
  return { userId: operator.id, email: operator.email };
}

/** An account made the way this mode allows: sign up, then follow the link. */
async function createExistingAccount() {
  const body = signupBody();
  expect((await signupBytes(body)).status).toBe(202);
  const session = expectSignedUp(await verify(linkIn(await lastEmail(api, body.email, VERIFY_SUBJECT)).token));
  return { accountId: session.accountId, owner: { userId: session.userId, email: body.email, password: body.password, accessToken: session.accessToken } };
}

describe('signup under verify-email', () => {
  it('answers a new and a known address with the same status, bytes and headers; only the e-mail differs', async () => {
    const known = await existingOperator();
    const fresh = signupBody();

    const forKnown = await signupBytes(signupBody({ email: known.email }));
    const forNew = await signupBytes(fresh);

    expect(forKnown.status).toBe(202);
    expect(forNew.status).toBe(202);
    expect(forKnown.text).toBe('{"verificationSent":true}');
    expect(forNew.text).toBe(forKnown.text);
    expect(comparable(forNew.headers)).toEqual(comparable(forKnown.headers));
    expect(Object.keys(forNew.headers).sort()).toEqual(Object.keys(forKnown.headers).sort());

    // The known address is told it already has a sign-in, with the login and reset links, and no token.
    const note = await lastEmail(api, known.email, EXISTING_SUBJECT);
    expect(note.text).toContain(`${config().consoleUrl}/login`);
    expect(note.text).toContain(`${config().consoleUrl}/forgot-password`);
    expect(note.text).not.toMatch(/token=/);
    expect(await emailsTo(api, known.email)).toHaveLength(1);
    // The new one gets the link; nothing exists until it is followed.
    expect(linkIn(await lastEmail(api, fresh.email, VERIFY_SUBJECT)).url).toMatch(new RegExp(`^${config().consoleUrl}/verify-email\\?token=psv_[\\w-]{43}$`));
    expect(await operatorStore().findOperatorByEmail(fresh.email)).toBeUndefined();
    expect(await operatorStore().findOperatorByEmail(known.email)).toMatchObject({ id: known.userId });
  });

  it('does the same work for a known and a new address: neither answers measurably faster', async () => {
    const known = await existingOperator();
    const timings = { known: [] as number[], fresh: [] as number[] };
    // Alternated, so load on the machine falls on both alike; each request hashes a password (scrypt).
    for (let round = 0; round < 3; round++) {
      for (const kind of ['known', 'fresh'] as const) {
        const started = performance.now();
        expect((await signupBytes(signupBody(kind === 'known' ? { email: known.email } : {}))).status).toBe(202);
        timings[kind].push(performance.now() - started);
      }
    }
    const median = (values: number[]) => values.sort((a, b) => a - b)[1] ?? 0;
    const ratio = median(timings.known) / median(timings.fresh);
    // Without the hash for known addresses the ratio would be far below 0.5 (scrypt is most of the time).
    expect(ratio, JSON.stringify(timings)).toBeGreaterThan(0.5);
    expect(ratio, JSON.stringify(timings)).toBeLessThan(2);
  });

  it('completes with the e-mailed link exactly as open does, once; the password is stored only as its scrypt hash', async () => {
    const body = signupBody();
    expect((await signupBytes(body)).status).toBe(202);
    const mail = await lastEmail(api, body.email, VERIFY_SUBJECT);
    expect(mail.text).toContain(body.accountName);
    expect(mail.text).toContain(`${String(SIGNUP_VERIFICATION_TTL_SECONDS / 3600)} hours`);
    const { token } = linkIn(mail);

    // At rest: the hash of the token as the key, the scrypt hash of the password, never either secret.
    const pending = await rawItem(pendingSignupKey(hashSecret(token)));
    expect(pending).toMatchObject({ email: body.email, accountName: body.accountName, passwordHash: expect.stringMatching(/^scrypt\$/) as unknown, ttl: expect.any(Number) as number });
    expect(JSON.stringify(pending)).not.toContain(body.password);
    expect(JSON.stringify(pending)).not.toContain(token);

    const session = expectSignedUp(await verify(token));
    expect(SignupResponse.parse(session)).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    const me = MeResponse.parse(expectData(await api.as(session.accessToken).GET('/v2/me'), 200));
    expect(me).toMatchObject({ id: session.userId, email: body.email, memberships: [{ accountId: session.accountId, accountName: body.accountName, role: 'owner', scope: 'all' }] });
    await logIn(api, body.email, body.password);

    expect(await rawItem(pendingSignupKey(hashSecret(token)))).toBeUndefined();
    const again = expectProblem(await verify(token), 400, 'invalid_signup_token');
    const unknown = expectProblem(await verify(`psv_${'x'.repeat(43)}`), 400, 'invalid_signup_token');
    expect({ ...again, instance: undefined }).toEqual({ ...unknown, instance: undefined });
  });

  it('of 20 concurrent verifies of one link exactly one creates the account; the others get the one refusal', async () => {
    const body = signupBody();
    await signupBytes(body);
    const { token } = linkIn(await lastEmail(api, body.email, VERIFY_SUBJECT));

    const answers = await Promise.all(Array.from({ length: 20 }, () => verify(token)));

    const statuses = answers.map((answer) => answer.response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 400)).toHaveLength(19);
    for (const answer of answers.filter((a) => a.response.status === 400)) expect(answer.error?.code).toBe('invalid_signup_token');
    const winner = answers.find((answer) => answer.response.status === 201)?.data;
    expect((await operatorStore().findOperatorByEmail(body.email))?.id).toBe(winner && 'userId' in winner ? winner.userId : 'none');
  });

  it('refuses an expired link with the same answer', async () => {
    const body = signupBody();
    await signupBytes(body);
    const { token } = linkIn(await lastEmail(api, body.email, VERIFY_SUBJECT));
    await documentClient().send(
      new UpdateCommand({
        TableName: config().tableName,
        Key: pendingSignupKey(hashSecret(token)),
        UpdateExpression: 'SET expiresAt = :past',
        ExpressionAttributeValues: { ':past': new Date(Date.now() - 1000).toISOString() },
      }),
    );
    expectProblem(await verify(token), 400, 'invalid_signup_token');
    expect(await rawItem(userEmailKey(body.email))).toBeUndefined();
  });

  it('creates no second operator when the address got one between the request and the link', async () => {
    const body = signupBody();
    await signupBytes(body);
    const first = linkIn(await lastEmail(api, body.email, VERIFY_SUBJECT)).token;
    // A second request for the same address a minute later would get its own link; here the address
    // becomes an operator through another path meanwhile: an invitation accepted by a new person.
    const inviter = await createExistingAccount();
    expectData(
      await api.as(inviter.owner.accessToken).POST('/v2/accounts/{accountId}/invitations', { params: { path: { accountId: inviter.accountId } }, body: { email: body.email, role: 'viewer', scope: 'all' } }),
      201,
    );
    const invitationToken = linkIn(await lastEmail(api, body.email, /invited to join/)).token;
    const joined = expectData(await api.client.POST('/v2/invitations/accept', { body: { token: invitationToken, password: body.password } }), 200);

    const answer = expectProblem(await verify(first), 400, 'invalid_signup_token');
    expect(JSON.stringify(answer)).not.toMatch(/accessToken|refreshToken/);
    expect((await operatorStore().findOperatorByEmail(body.email))?.id).toBe('userId' in joined ? joined.userId : 'none');
  });

  it('sends one e-mail a minute at most to one address, and answers every request alike', async () => {
    const victim = uniqueEmail('victim');
    // One after the other: each request hashes a password (scrypt, 128 MiB), and a burst of them in
    // this one process would outlast the local server's simulated Lambda deadline. The limit under a
    // concurrent burst is test/integration/signup-email-limit.test.ts.
    const answers = [];
    for (let request = 0; request < 4; request++) answers.push(await signupBytes(signupBody({ email: victim })));

    expect(new Set(answers.map((answer) => `${String(answer.status)} ${answer.text}`))).toEqual(new Set(['202 {"verificationSent":true}']));
    expect(await emailsTo(api, victim)).toHaveLength(1);
  });

  it('answers 400 naming the field for bad bodies, with no e-mail', async () => {
    const email = uniqueEmail('bad');
    const cases: [unknown, string][] = [
      [{ email, password: 'Pw-long-enough-1234' }, 'body.accountName'],
      [{ email: 'not-an-email', password: 'Pw-long-enough-1234', accountName: 'X' }, 'body.email'],
      [{ email, password: 'short', accountName: 'X' }, 'body.password'],
    ];
    for (const [body, field] of cases) {
      const response = await api.raw<{ errors: { field: string }[] }>('POST', '/v2/signup', { body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.errors[0]?.field).toBe(field);
    }
    expectProblem(await api.client.POST('/v2/signup', { body: signupBody({ email, password: 'qwerty123456' }) }), 400, 'weak_password');
    for (const [body, field] of [[{}, 'body.token'], [{ token: 5 }, 'body.token'], [{ token: '' }, 'body.token'], [{ token: 'psv_x', email }, 'body.email']] as const) {
      const response = await api.raw<{ errors: { field: string }[] }>('POST', '/v2/signup/verify', { body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.errors[0]?.field).toBe(field);
    }
    expect(await emailsTo(api, email)).toEqual([]);
  });
});
