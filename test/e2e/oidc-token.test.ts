/**
 * The relying party's back channel (SPEC §9), over HTTP against the local server: `POST
 * {iss}/oauth2/token` and `{iss}/oauth2/userinfo`. Codes are minted with `authorizationCodes().issue`
 * (the hosted login's half) for real end users created through the API, then exchanged as a relying
 * party would: by hand, and by openid-client v6 from the discovery document, whose own checks
 * (issuer, audience, nonce, state, PKCE, signature against the JWKS) are the strongest proof.
 *
 * The attacker's side first: a replayed, guessed-verifier, other-client, other-redirect, other-tenant,
 * expired or racing code gets `invalid_grant` and nothing else; an unauthenticated request spends no
 * code; an OIDC token opens no operator route, and one organization's token no other's userinfo.
 */
import { createHash, randomBytes } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { authorizationCodes } from '#shared/compose/oidc.ts';
import { documentClient, tableName } from '#shared/compose/runtime.ts';
import { systemKey } from '#shared/data/keys.ts';
import { hashSecret } from '#shared/domain/kernel/secrets.ts';
import type { AuthorizationGrant } from '#shared/domain/oidc/authorization-codes.ts';
import { createSystem, grantAccess, type SystemBody } from '#test/support/directory.ts';
import { expectData, useLocalApi } from '#test/support/local-api.ts';
import { addUser, completeSignIn, lastPin, signInFixture, startSignIn, type SignInFixture } from '#test/support/sign-in.ts';

const api = useLocalApi();

const REDIRECT_URI = 'http://127.0.0.1:8400/callback';
const SECRET = `pcs_${randomBytes(32).toString('base64url')}`;

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

const issuerOf = (orgId: string): string => `${api.url()}/v2/organizations/${orgId}`;

/** A PKCE pair (RFC 7636): a 43-character verifier and its S256 challenge. */
function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/**
 * Makes the fixture's system (or `system`) a confidential client: its secret's hash written onto the
 * system item directly, as `POST …/systems/{systemName}/secret` (not on this branch) will.
 */
async function setClientSecret(orgId: string, systemName: string, secret: string): Promise<void> {
  await documentClient().send(
    new UpdateCommand({ TableName: tableName(), Key: systemKey(orgId, systemName), UpdateExpression: 'SET clientSecretHash = :hash', ExpressionAttributeValues: { ':hash': hashSecret(secret) } }),
  );
}

/** What the hosted login hands over once the sign-in of `fixture.user` to `system` is complete. */
function grantOf(fixture: SignInFixture, challenge: string, overrides: Partial<AuthorizationGrant> = {}): AuthorizationGrant {
  return {
    organizationId: fixture.orgId,
    accountId: fixture.account.accountId,
    clientId: fixture.system.name,
    redirectUri: REDIRECT_URI,
    codeChallenge: challenge,
    scope: ['openid', 'email'],
    nonce: `nonce-${randomBytes(6).toString('hex')}`,
    userId: fixture.user.id,
    email: fixture.user.email,
    phone: fixture.user.phone,
    amr: ['sms'],
    authTime: Math.floor(Date.now() / 1000),
    ...overrides,
  };
}

/** A fresh code for the fixture's user and its verifier. */
async function mintCode(fixture: SignInFixture, overrides: Partial<AuthorizationGrant> = {}): Promise<{ code: string; verifier: string; grant: AuthorizationGrant }> {
  const { verifier, challenge } = pkce();
  const grant = grantOf(fixture, challenge, overrides);
  return { code: await authorizationCodes().issue(grant), verifier, grant };
}

/** `POST {iss}/oauth2/token` with a form body (or `raw` as it is) and extra headers. */
async function tokenRequest(orgId: string, form: Record<string, string | undefined>, options: { headers?: Record<string, string>; raw?: string; contentType?: string } = {}): Promise<Answer> {
  const fields = Object.entries(form).filter((entry): entry is [string, string] => entry[1] !== undefined);
  const response = await fetch(`${issuerOf(orgId)}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': options.contentType ?? 'application/x-www-form-urlencoded', ...options.headers },
    body: options.raw ?? new URLSearchParams(fields).toString(),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** The form of a public client's exchange. */
const exchangeForm = (fixture: SignInFixture, minted: { code: string; verifier: string }, overrides: Record<string, string | undefined> = {}) => ({
  grant_type: 'authorization_code',
  code: minted.code,
  redirect_uri: REDIRECT_URI,
  code_verifier: minted.verifier,
  client_id: fixture.system.name,
  ...overrides,
});

const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** An RFC 6749 §5.2 error: JSON `{error, error_description?}`, never problem+json, never cached. */
function expectOAuthError(answer: Answer, status: number, error: string): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.headers.get('content-type')).toBe('application/json');
  expect(answer.body.error).toBe(error);
  expect(Object.keys(answer.body).every((key) => key === 'error' || key === 'error_description')).toBe(true);
  expect(answer.headers.get('cache-control')).toBe('no-store');
}

async function userinfo(orgId: string, authorization: string | undefined, method: 'GET' | 'POST' = 'GET'): Promise<Answer> {
  const response = await fetch(`${issuerOf(orgId)}/oauth2/userinfo`, { method, headers: authorization ? { authorization } : {} });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

let a: SignInFixture;
let b: SignInFixture;
/** A confidential client of organization A, with the same end user granted. */
let confidential: SignInFixture;

beforeAll(async () => {
  [a, b] = await Promise.all([signInFixture(api), signInFixture(api)]);
  const system: SystemBody = await createSystem(api, a.orgId, a.account.owner.accessToken);
  await grantAccess(api, a.orgId, a.account.owner.accessToken, system.name, a.user.id);
  await setClientSecret(a.orgId, system.name, SECRET);
  confidential = { ...a, system };
});

afterEach(() => {
  vi.useRealTimers();
});

describe('POST {iss}/oauth2/token', () => {
  it('exchanges a public client’s code with PKCE for an id_token and an at+jwt access token, uncached', async () => {
    const minted = await mintCode(a, { scope: ['openid', 'email', 'phone'] });
    const answer = await tokenRequest(a.orgId, exchangeForm(a, minted));
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('pragma')).toBe('no-cache');
    expect(answer.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'openid email phone' });

    // Verified as any relying party does: the issuer's JWKS URL, the issuer, the audience.
    const jwks = createRemoteJWKSet(new URL(`${issuerOf(a.orgId)}/.well-known/jwks.json`));
    const id = await jwtVerify(String(answer.body.id_token), jwks, { issuer: issuerOf(a.orgId), audience: a.system.name, typ: 'JWT' });
    expect(id.payload).toMatchObject({
      sub: a.user.id,
      nonce: minted.grant.nonce,
      auth_time: minted.grant.authTime,
      amr: ['sms'],
      org: a.orgId,
      email: a.user.email,
      phone_number: a.user.phone,
    });
    const access = await jwtVerify(String(answer.body.access_token), jwks, { issuer: issuerOf(a.orgId), audience: a.system.name, typ: 'at+jwt' });
    expect(access.payload).toMatchObject({ sub: a.user.id, client_id: a.system.name, scope: 'openid email phone', org: a.orgId, amr: ['sms'] });
    expect(Number(access.payload.exp) - Number(access.payload.iat)).toBe(3600);
    expect(access.payload.jti).toEqual(expect.any(String));
    expect(decodeProtectedHeader(String(answer.body.access_token))).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
  });

  it('authenticates a confidential client with client_secret_basic and with client_secret_post', async () => {
    const viaBasic = await mintCode(confidential);
    const basicAnswer = await tokenRequest(a.orgId, exchangeForm(confidential, viaBasic, { client_id: undefined }), { headers: { authorization: basic(confidential.system.name, SECRET) } });
    expect(basicAnswer.status, JSON.stringify(basicAnswer.body)).toBe(200);

    const viaPost = await mintCode(confidential);
    const postAnswer = await tokenRequest(a.orgId, exchangeForm(confidential, viaPost, { client_secret: SECRET }));
    expect(postAnswer.status, JSON.stringify(postAnswer.body)).toBe(200);
  });

  it('refuses a confidential client without or with a wrong secret (invalid_client, Basic challenge when Basic was used), and spends no code doing so', async () => {
    const minted = await mintCode(confidential);
    const form = exchangeForm(confidential, minted);

    const wrongBasic = await tokenRequest(a.orgId, { ...form, client_id: undefined }, { headers: { authorization: basic(confidential.system.name, `${SECRET}x`) } });
    expectOAuthError(wrongBasic, 401, 'invalid_client');
    expect(wrongBasic.headers.get('www-authenticate')).toMatch(/^Basic realm="/);

    expectOAuthError(await tokenRequest(a.orgId, { ...form, client_secret: 'wrong' }), 401, 'invalid_client');
    expectOAuthError(await tokenRequest(a.orgId, form), 401, 'invalid_client'); // `none` for a client that has a secret
    expectOAuthError(await tokenRequest(a.orgId, { ...form, client_id: 'no-such-client' }), 401, 'invalid_client');
    expectOAuthError(await tokenRequest(a.orgId, { ...form, client_id: undefined }), 401, 'invalid_client');
    // A Basic client id no system can have (5,000 characters, a key separator) is refused before any read.
    for (const id of ['x'.repeat(5000), `${confidential.system.name}#x`]) {
      expectOAuthError(await tokenRequest(a.orgId, { ...form, client_id: undefined }, { headers: { authorization: basic(id, SECRET) } }), 401, 'invalid_client');
    }
    // Both methods at once.
    expectOAuthError(await tokenRequest(a.orgId, { ...form, client_secret: SECRET }, { headers: { authorization: basic(confidential.system.name, SECRET) } }), 400, 'invalid_request');
    // A public client that sends a secret has none to send.
    const publicCode = await mintCode(a);
    expectOAuthError(await tokenRequest(a.orgId, exchangeForm(a, publicCode, { client_secret: SECRET })), 401, 'invalid_client');

    // None of it spent the codes.
    expect((await tokenRequest(a.orgId, { ...form, client_secret: SECRET })).status).toBe(200);
    expect((await tokenRequest(a.orgId, exchangeForm(a, publicCode))).status).toBe(200);
  });

  it('answers invalid_grant to a replayed code', async () => {
    const minted = await mintCode(a);
    expect((await tokenRequest(a.orgId, exchangeForm(a, minted))).status).toBe(200);
    expectOAuthError(await tokenRequest(a.orgId, exchangeForm(a, minted)), 400, 'invalid_grant');
  });

  it('answers invalid_grant to a wrong PKCE verifier, and the code is spent: the right one comes too late', async () => {
    const minted = await mintCode(a);
    expectOAuthError(await tokenRequest(a.orgId, exchangeForm(a, minted, { code_verifier: pkce().verifier })), 400, 'invalid_grant');
    expectOAuthError(await tokenRequest(a.orgId, exchangeForm(a, minted)), 400, 'invalid_grant');
  });

  it('answers invalid_grant to another redirect_uri or another client of the same organization', async () => {
    const redirect = await mintCode(a);
    expectOAuthError(await tokenRequest(a.orgId, exchangeForm(a, redirect, { redirect_uri: `${REDIRECT_URI}/` })), 400, 'invalid_grant');

    const other: SystemBody = await createSystem(api, a.orgId, a.account.owner.accessToken);
    const ofOther = await mintCode(a);
    expectOAuthError(await tokenRequest(a.orgId, exchangeForm(a, ofOther, { client_id: other.name })), 400, 'invalid_grant');
    expectOAuthError(await tokenRequest(a.orgId, exchangeForm(a, ofOther)), 400, 'invalid_grant');
  });

  it("answers invalid_grant to another organization's code, even for a client of the same name", async () => {
    // B's code, as if B's system bore the name of A's: presented at A's token endpoint by A's client.
    const minted = await mintCode(b, { clientId: a.system.name });
    const answers = [await tokenRequest(a.orgId, exchangeForm(a, minted)), await tokenRequest(b.orgId, exchangeForm(a, minted))];
    expectOAuthError(answers[0] as Answer, 400, 'invalid_grant');
    // At B's own endpoint, A's system is no client of B (and the code was spent by the attempt at A's).
    expectOAuthError(answers[1] as Answer, 401, 'invalid_client');
  });

  it('answers invalid_grant to a code older than 60 seconds', async () => {
    const minted = await mintCode(a);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61_000);
    expectOAuthError(await tokenRequest(a.orgId, exchangeForm(a, minted)), 400, 'invalid_grant');
  });

  it('answers invalid_grant when the end user was disabled, or lost access, since the sign-in', async () => {
    const owner = a.account.owner.accessToken;
    const user = await addUser(api, a);
    const fixture = { ...a, user };
    const disabled = await mintCode(fixture);
    const revoked = await mintCode(fixture);
    expect((await api.raw('DELETE', `/v2/organizations/${a.orgId}/systems/${a.system.name}/access/${user.id}`, { token: owner })).status).toBe(204);
    expectOAuthError(await tokenRequest(a.orgId, exchangeForm(fixture, revoked)), 400, 'invalid_grant');
    expect((await api.raw('PATCH', `/v2/organizations/${a.orgId}/users/${user.id}`, { token: owner, body: { status: 'disabled' } })).status).toBe(200);
    expectOAuthError(await tokenRequest(a.orgId, exchangeForm(fixture, disabled)), 400, 'invalid_grant');
  });

  it('gives exactly one of 10 concurrent exchanges of one code the tokens', async () => {
    const minted = await mintCode(a);
    const answers = await Promise.all(Array.from({ length: 10 }, () => tokenRequest(a.orgId, exchangeForm(a, minted))));
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    for (const answer of answers.filter((one) => one.status !== 200)) expectOAuthError(answer, 400, 'invalid_grant');
  });

  it('answers invalid_request for a missing or repeated parameter, unsupported_grant_type for another grant — spending nothing', async () => {
    const minted = await mintCode(a);
    const form = exchangeForm(a, minted);
    for (const missing of ['grant_type', 'code', 'redirect_uri', 'code_verifier']) {
      const answer = await tokenRequest(a.orgId, { ...form, [missing]: undefined });
      expectOAuthError(answer, 400, 'invalid_request');
      expect(answer.body.error_description, missing).toContain(missing);
    }
    expectOAuthError(await tokenRequest(a.orgId, { ...form, grant_type: 'refresh_token' }), 400, 'unsupported_grant_type');
    expectOAuthError(await tokenRequest(a.orgId, { ...form, grant_type: 'client_credentials' }), 400, 'unsupported_grant_type');
    const repeated = `${new URLSearchParams(form).toString()}&code=poc_other`;
    expectOAuthError(await tokenRequest(a.orgId, {}, { raw: repeated }), 400, 'invalid_request');
    expectOAuthError(await tokenRequest(a.orgId, { ...form, code_verifier: 'v'.repeat(300) }), 400, 'invalid_request');
    // Unknown parameters are ignored (RFC 6749 §3.2), and the code still works.
    expect((await tokenRequest(a.orgId, { ...form, resource: 'https://api.example', extra: 'x' })).status).toBe(200);
  });

  it('answers a JSON, text or empty body with a 400 RFC 6749 error, never problem+json', async () => {
    const minted = await mintCode(a);
    const json = JSON.stringify(exchangeForm(a, minted));
    expectOAuthError(await tokenRequest(a.orgId, {}, { raw: json, contentType: 'application/json' }), 400, 'invalid_request');
    expectOAuthError(await tokenRequest(a.orgId, {}, { raw: 'grant_type=authorization_code', contentType: 'text/plain' }), 400, 'invalid_request');
    expectOAuthError(await tokenRequest(a.orgId, {}, { raw: '' }), 400, 'invalid_request');
    expectOAuthError(await tokenRequest(a.orgId, {}, { raw: 'x'.repeat(70 * 1024) }), 413, 'invalid_request');
    expectOAuthError(await tokenRequest('org.bad', exchangeForm(a, minted)), 400, 'invalid_request');
    // The code survived all of it.
    expect((await tokenRequest(a.orgId, exchangeForm(a, minted))).status).toBe(200);
  });
});

describe('openid-client v6 as the relying party', () => {
  /** openid-client set up from A's discovery document; our id_tokens are ES256 (its default expectation is RS256). */
  const discover = (clientId: string, auth: client.ClientAuth) =>
    // The local server speaks plain HTTP: the one thing a production relying party must never allow.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    client.discovery(new URL(issuerOf(a.orgId)), clientId, { id_token_signed_response_alg: 'ES256' }, auth, { execute: [client.allowInsecureRequests] });

  /** The callback URL the hosted login redirects to (RFC 9207 `iss` included). */
  const callbackOf = (code: string, state: string, orgId: string): URL => {
    const url = new URL(REDIRECT_URI);
    url.search = new URLSearchParams({ code, state, iss: issuerOf(orgId) }).toString();
    return url;
  };

  it('discovers the issuer and redeems a public client’s code with its own checks (state, nonce, PKCE, id_token signature and claims)', async () => {
    const config = await discover(a.system.name, client.None());
    const metadata = config.serverMetadata();
    expect(metadata).toMatchObject({ issuer: issuerOf(a.orgId), token_endpoint: `${issuerOf(a.orgId)}/oauth2/token`, userinfo_endpoint: `${issuerOf(a.orgId)}/oauth2/userinfo` });
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);

    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const state = client.randomState();
    const code = await authorizationCodes().issue(grantOf(a, await client.calculatePKCECodeChallenge(verifier), { nonce, scope: ['openid', 'email'] }));
    const tokens = await client.authorizationCodeGrant(config, callbackOf(code, state, a.orgId), { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true });
    expect(tokens.claims()).toMatchObject({ iss: issuerOf(a.orgId), sub: a.user.id, aud: a.system.name, nonce, email: a.user.email, org: a.orgId });

    const info = await client.fetchUserInfo(config, tokens.access_token, a.user.id);
    expect(info).toEqual({ sub: a.user.id, email: a.user.email });
  });

  it('redeems a confidential client’s code with ClientSecretBasic and ClientSecretPost', async () => {
    for (const auth of [client.ClientSecretBasic(SECRET), client.ClientSecretPost(SECRET)]) {
      const config = await discover(confidential.system.name, auth);
      const verifier = client.randomPKCECodeVerifier();
      const nonce = client.randomNonce();
      const code = await authorizationCodes().issue(grantOf(confidential, await client.calculatePKCECodeChallenge(verifier), { nonce }));
      const tokens = await client.authorizationCodeGrant(config, callbackOf(code, 'st', a.orgId), { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: 'st' });
      expect(tokens.claims()?.aud).toBe(confidential.system.name);
    }
  });

  it('sees the refusal of a replayed code as an OAuth invalid_grant', async () => {
    const config = await discover(a.system.name, client.None());
    const verifier = client.randomPKCECodeVerifier();
    const code = await authorizationCodes().issue(grantOf(a, await client.calculatePKCECodeChallenge(verifier), { nonce: null }));
    await client.authorizationCodeGrant(config, callbackOf(code, 's', a.orgId), { pkceCodeVerifier: verifier, expectedState: 's' });
    await expect(client.authorizationCodeGrant(config, callbackOf(code, 's', a.orgId), { pkceCodeVerifier: verifier, expectedState: 's' })).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
  });
});

describe('{iss}/oauth2/userinfo', () => {
  /** Tokens of `fixture` for `scope`, through the token endpoint. */
  async function tokensOf(fixture: SignInFixture, scope: string[]): Promise<{ access: string; id: string }> {
    const minted = await mintCode(fixture, { scope });
    const answer = await tokenRequest(fixture.orgId, exchangeForm(fixture, minted));
    expect(answer.status).toBe(200);
    return { access: String(answer.body.access_token), id: String(answer.body.id_token) };
  }

  /** RFC 6750 §3: 401, `WWW-Authenticate: Bearer … error="invalid_token"`, and a body that says nothing more. */
  function expectInvalidToken(answer: Answer): void {
    expectOAuthError(answer, 401, 'invalid_token');
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+", error="invalid_token"$/);
    expect(answer.body).toEqual({ error: 'invalid_token', error_description: 'The access token is invalid.' });
  }

  it('answers sub, with email and phone_number as the scopes grant, by GET and by POST', async () => {
    const all = await tokensOf(a, ['openid', 'email', 'phone']);
    for (const method of ['GET', 'POST'] as const) {
      const answer = await userinfo(a.orgId, `Bearer ${all.access}`, method);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body).toEqual({ sub: a.user.id, email: a.user.email, phone_number: a.user.phone });
    }
    const bare = await tokensOf(a, ['openid']);
    expect((await userinfo(a.orgId, `Bearer ${bare.access}`)).body).toEqual({ sub: a.user.id });
  });

  it('refuses an expired token', async () => {
    const { access } = await tokensOf(a, ['openid', 'email']);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 3601_000);
    expectInvalidToken(await userinfo(a.orgId, `Bearer ${access}`));
  });

  it("refuses one organization's token at another organization's userinfo", async () => {
    const ofA = await tokensOf(a, ['openid', 'email']);
    const ofB = await tokensOf(b, ['openid', 'email']);
    expectInvalidToken(await userinfo(b.orgId, `Bearer ${ofA.access}`));
    expectInvalidToken(await userinfo(a.orgId, `Bearer ${ofB.access}`));
    expect((await userinfo(b.orgId, `Bearer ${ofB.access}`)).status).toBe(200);
  });

  it('refuses an id_token, a §4 sign-in token, an operator token and garbage, all with the same answer', async () => {
    const { id } = await tokensOf(a, ['openid', 'email']);
    expect((await startSignIn(api, a.apikey, { email: a.user.email, system: a.system.name })).status).toBe(202);
    const signedIn = await completeSignIn(api, a.apikey, { email: a.user.email, system: a.system.name, pin: await lastPin(api, a.user.phone) });
    expect(signedIn.body.token).toEqual(expect.any(String));
    for (const token of [id, String(signedIn.body.token), a.account.owner.accessToken, 'not.a.token', 'eyJhbGciOiJub25lIn0.e30.']) {
      expectInvalidToken(await userinfo(a.orgId, `Bearer ${token}`));
    }
  });

  it('answers a request without a bearer token with the bare challenge (RFC 6750 §3.1)', async () => {
    for (const authorization of [undefined, 'Basic YTpi', 'Bearer']) {
      const answer = await userinfo(a.orgId, authorization);
      expectOAuthError(answer, 401, 'invalid_token');
      expect(answer.headers.get('www-authenticate')).toBe(`Bearer realm="${issuerOf(a.orgId)}"`);
    }
  });

  it('refuses the token of an end user disabled since', async () => {
    const user = await addUser(api, a);
    const fixture = { ...a, user };
    const { access } = await tokensOf(fixture, ['openid']);
    expect((await api.raw('PATCH', `/v2/organizations/${a.orgId}/users/${user.id}`, { token: a.account.owner.accessToken, body: { status: 'disabled' } })).status).toBe(200);
    expectInvalidToken(await userinfo(a.orgId, `Bearer ${access}`));
  });
});

describe('a deleted organization', () => {
  it('exchanges no more codes (invalid_client) and answers no userinfo (invalid_token)', async () => {
    const doomed = await signInFixture(api);
    const before = await tokenRequest(doomed.orgId, exchangeForm(doomed, await mintCode(doomed)));
    expect(before.status).toBe(200);
    const pending = await mintCode(doomed);
    expect((await api.raw('DELETE', `/v2/organizations/${doomed.orgId}`, { token: doomed.account.owner.accessToken })).status).toBe(204);
    expectOAuthError(await tokenRequest(doomed.orgId, exchangeForm(doomed, pending)), 401, 'invalid_client');
    const answer = await userinfo(doomed.orgId, `Bearer ${String(before.body.access_token)}`);
    expectOAuthError(answer, 401, 'invalid_token');
  });
});

describe('OIDC tokens on the other verifiers', () => {
  it('opens no operator route: bearer (authorizer), bearer-or-apikey, mfa and public-or-bearer all answer 401', async () => {
    const minted = await mintCode(a);
    const answer = await tokenRequest(a.orgId, exchangeForm(a, minted));
    for (const token of [String(answer.body.access_token), String(answer.body.id_token)]) {
      expect((await api.raw('GET', '/v2/me', { token })).status).toBe(401);
      expect((await api.raw('GET', `/v2/organizations/${a.orgId}/systems`, { token })).status).toBe(401);
      expect((await api.raw('POST', '/v2/me/mfa/totp', { token, body: { password: 'Whatever-password-1' } })).status).toBe(401);
      expect((await api.raw('POST', '/v2/invitations/accept', { token, body: { token: 'pci_0000000000000000000000' } })).status).toBe(401);
    }
    // The operator's own token still works there.
    expectData(await api.as(a.account.owner.accessToken).GET('/v2/me'), 200);
  });
});
