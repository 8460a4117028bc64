/**
 * RS256 systems (SPEC §9): the §4 sign-in token of a system whose `tokenSigningAlg` is RS256 verifies
 * with `aws-jwt-verify` configured exactly as an API Gateway HTTP API JWT authorizer is (issuer =
 * the organization's issuer, audience = the system name, JWKS at `{iss}/.well-known/jwks.json`), and
 * ES256 systems keep ES256 tokens. aws-jwt-verify fetches JWKS over https only, so the test fetches the
 * local server's JWKS itself and hands it to `cacheJwks`, which is what the verifier would have fetched.
 */
import { JwtVerifier } from 'aws-jwt-verify';
import { JwtInvalidIssuerError } from 'aws-jwt-verify/error';
import { decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectData, useLocalApi } from '#test/support/local-api.ts';
import { addUser, completeSignIn, lastPin, signInFixture, startSignIn, type SignInFixture } from '#test/support/sign-in.ts';

const api = useLocalApi();

const issuerOf = (orgId: string) => `${api.url()}/v2/organizations/${orgId}`;

/** Switches the fixture's system to `alg` through the API, as its operator would. */
async function useAlg(fixture: SignInFixture, tokenSigningAlg: 'ES256' | 'RS256'): Promise<void> {
  const patched = await api.as(fixture.account.owner.accessToken).PATCH('/v2/organizations/{orgId}/systems/{systemName}', {
    params: { path: { orgId: fixture.orgId, systemName: fixture.system.name } },
    body: { tokenSigningAlg },
  });
  expect(expectData(patched, 200).tokenSigningAlg).toBe(tokenSigningAlg);
}

/**
 * A PIN sign-in through the API, by a new user of the fixture (the SMS limits allow one PIN per user
 * every 30 s): start, the PIN from the local SMS outbox, complete; answers the token and the user.
 */
async function signIn(fixture: SignInFixture): Promise<string> {
  const user = await addUser(api, fixture);
  const started = await startSignIn(api, fixture.apikey, { email: user.email, system: fixture.system.name });
  expect(started.status).toBe(202);
  const pin = await lastPin(api, user.phone);
  const completed = await completeSignIn(api, fixture.apikey, { email: user.email, system: fixture.system.name, pin, challengeId: started.body.challengeId });
  expect(completed.status).toBe(200);
  if (!completed.body.token || completed.body.user?.id !== user.id) throw new Error(`no token: ${JSON.stringify(completed.body)}`);
  return completed.body.token;
}

/** The organization's JWKS as the authorizer fetches it. */
async function jwksOf(orgId: string): Promise<{ keys: { kid: string; alg: string; kty: string }[] }> {
  const response = await fetch(`${issuerOf(orgId)}/.well-known/jwks.json`);
  expect(response.status).toBe(200);
  return (await response.json()) as { keys: { kid: string; alg: string; kty: string }[] };
}

/**
 * A verifier configured as `HttpJwtAuthorizer(…, issuer, { jwtAudience: [systemName] })` is; API
 * Gateway accepts RSA-signed tokens only, which `customJwtCheck` mirrors (aws-jwt-verify itself takes
 * ES256 too).
 */
async function apiGatewayLikeVerifier(orgId: string, audience: string) {
  const issuer = issuerOf(orgId);
  const verifier = JwtVerifier.create({
    issuer,
    audience,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    customJwtCheck: ({ header }) => {
      if (header.alg !== 'RS256') throw new Error(`API Gateway JWT authorizers accept RSA only, not ${String(header.alg)}`);
    },
  });
  verifier.cacheJwks(await jwksOf(orgId));
  return verifier;
}

let fx: SignInFixture;

beforeAll(async () => {
  fx = await signInFixture(api, { policy: { factors: ['pin'], tokenTtlSeconds: 900 } });
  await useAlg(fx, 'RS256');
}, 120_000);

describe('an RS256 system', () => {
  it('gets RS256 sign-in tokens that aws-jwt-verify accepts when configured as an API Gateway JWT authorizer', async () => {
    const token = await signIn(fx);

    const header = decodeProtectedHeader(token);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    const published = (await jwksOf(fx.orgId)).keys.find((key) => key.kid === header.kid);
    expect(published).toMatchObject({ kty: 'RSA', alg: 'RS256' });

    const payload = await (await apiGatewayLikeVerifier(fx.orgId, fx.system.name)).verify(token);
    expect(payload).toMatchObject({ iss: issuerOf(fx.orgId), aud: fx.system.name, sub: expect.stringMatching(/^eu/) as string, org: fx.orgId, amr: ['sms'] });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(900);
  });

  it('is refused by a verifier of another audience or another organization (same system name)', async () => {
    const token = await signIn(fx);
    const other = await signInFixture(api, { policy: { factors: ['pin'] } });

    await expect((await apiGatewayLikeVerifier(fx.orgId, 'another-system')).verify(token)).rejects.toThrow(/audience/i);
    // Another tenant's issuer: its verifier refuses this organization's token whatever the system is called.
    const foreign = await apiGatewayLikeVerifier(other.orgId, fx.system.name);
    await expect(foreign.verify(token)).rejects.toBeInstanceOf(JwtInvalidIssuerError);
  });
});

describe('an ES256 system', () => {
  it('keeps ES256 tokens, which an RSA-only verifier (as API Gateway) refuses; a general verifier accepts them', async () => {
    const es = await signInFixture(api, { policy: { factors: ['pin'] } });
    const token = await signIn(es);
    expect(decodeProtectedHeader(token).alg).toBe('ES256');

    await expect((await apiGatewayLikeVerifier(es.orgId, es.system.name)).verify(token)).rejects.toThrow(/RSA only/);
    const general = JwtVerifier.create({ issuer: issuerOf(es.orgId), audience: es.system.name, jwksUri: `${issuerOf(es.orgId)}/.well-known/jwks.json` });
    general.cacheJwks(await jwksOf(es.orgId));
    await expect(general.verify(token)).resolves.toMatchObject({ aud: es.system.name, org: es.orgId });
  });

  it('switching a system to RS256 (and back) changes the tokens issued from then on', async () => {
    const switching = await signInFixture(api, { policy: { factors: ['pin'] } });
    expect(decodeProtectedHeader(await signIn(switching)).alg).toBe('ES256');
    await useAlg(switching, 'RS256');
    expect(decodeProtectedHeader(await signIn(switching)).alg).toBe('RS256');
    await useAlg(switching, 'ES256');
    expect(decodeProtectedHeader(await signIn(switching)).alg).toBe('ES256');
  });
});
