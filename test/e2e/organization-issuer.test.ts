/**
 * Every organization is its own token issuer (SPEC §9; security review finding 6): end-user tokens
 * carry `iss` = `{apiBase}/v2/organizations/{orgId}` and that issuer's keys are served at
 * `{iss}/.well-known/jwks.json`. A relying party configured the way every JWT library and API Gateway
 * JWT authorizer is (issuer, audience, JWKS URL) then accepts its own organization's tokens only, even
 * when another tenant names a system the same.
 */
import { createRemoteJWKSet, decodeJwt, errors, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { config } from '#shared/config.ts';
import { manifest } from '#shared/http/manifest.ts';
import { buildOpenApiDocument } from '#shared/http/openapi.ts';
import { createSystem, type EndUserBody, type SystemBody } from '#test/support/directory.ts';
import { createKey } from '#test/support/keys-events.ts';
import { expectData, expectProblem, useLocalApi, type RequestOptions } from '#test/support/local-api.ts';
import { createApiKey, createOrganization } from '#test/support/organizations.ts';
import { addUser, lastPin } from '#test/support/sign-in.ts';
import { createAccount, type TestAccount } from '#test/support/tenancy.ts';

const api = useLocalApi();

/** The system name both tenants chose. */
const SYSTEM = 'app';

interface Tenant {
  account: TestAccount;
  orgId: string;
  /** An `authenticate` key reaching only this organization. */
  apikey: string;
  system: SystemBody;
}

/** An account whose organization has a system named `app` and an `authenticate` key. */
async function tenantWithApp(): Promise<Tenant> {
  const account = await createAccount(api);
  const token = account.owner.accessToken;
  const organization = await createOrganization(api, account.accountId, token);
  const system = await createSystem(api, organization.id, token, { name: SYSTEM, policy: { factors: ['pin'] } });
  const key = await createKey(api, account.accountId, token, { permissions: ['authenticate'], organizations: [organization.id] });
  return { account, orgId: organization.id, apikey: key.key, system };
}

/** A new end user of the tenant signs in to its `app` with a PIN, as a client app would. */
async function signIn(tenant: Tenant): Promise<{ token: string; user: EndUserBody }> {
  const user = await addUser(api, tenant);
  const portcullis = api.as({ apikey: tenant.apikey });
  expectData(await portcullis.startSignIn({ email: user.email, system: SYSTEM }), 202);
  const pin = await lastPin(api, user.phone);
  const completed = expectData(await portcullis.completeSignIn({ email: user.email, system: SYSTEM, pin }), 200);
  if (!completed.authenticated) throw new Error('expected a token');
  return { token: completed.token, user };
}

/** The issuer URL the documentation gives for an organization. */
const issuerOf = (orgId: string): string => `${api.url()}/v2/organizations/${orgId}`;

/**
 * A relying party of `orgId`'s system `audience`, set up as jose documents it: the issuer's JWKS URL,
 * the issuer, the audience. Nothing Portcullis-specific (no `org` claim check).
 */
const verifierOf = (orgId: string, audience: string) => {
  const jwks = createRemoteJWKSet(new URL(`${issuerOf(orgId)}/.well-known/jwks.json`));
  return (token: string) => jwtVerify(token, jwks, { issuer: issuerOf(orgId), audience, algorithms: ['ES256'] });
};

let a: Tenant;
let b: Tenant;
beforeAll(async () => {
  [a, b] = await Promise.all([tenantWithApp(), tenantWithApp()]);
});

describe('organization issuer', () => {
  it("refuses, with a standard verifier, a token of another tenant's system of the same name", async () => {
    const { token: tokenOfA, user: userOfA } = await signIn(a);
    const { token: tokenOfB, user: userOfB } = await signIn(b);

    // B's relying party (issuer B, audience "app") refuses A's token, and A's refuses B's: on `iss`.
    await expect(verifierOf(b.orgId, SYSTEM)(tokenOfA)).rejects.toThrow(errors.JWTClaimValidationFailed);
    await expect(verifierOf(a.orgId, SYSTEM)(tokenOfB)).rejects.toThrow(errors.JWTClaimValidationFailed);

    // What every tenant's relying party was configured with before (the deployment-wide issuer and
    // JWKS, audience "app") accepted both tokens: that configuration now accepts neither.
    const shared = createRemoteJWKSet(new URL(`${api.url()}/v2/.well-known/jwks.json`));
    for (const token of [tokenOfA, tokenOfB]) {
      await expect(jwtVerify(token, shared, { issuer: config().tokenIssuer, audience: SYSTEM })).rejects.toThrow(errors.JWTClaimValidationFailed);
    }

    // Each is accepted by its own organization's relying party.
    const { payload } = await verifierOf(a.orgId, SYSTEM)(tokenOfA);
    expect(payload).toMatchObject({ iss: issuerOf(a.orgId), aud: SYSTEM, sub: userOfA.id, org: a.orgId, amr: ['sms'] });
    expect((await verifierOf(b.orgId, SYSTEM)(tokenOfB)).payload).toMatchObject({ iss: issuerOf(b.orgId), sub: userOfB.id, org: b.orgId });
  });

  it('puts the documented issuer URL in `iss`: the server URL, /v2/organizations/ and the organization id', async () => {
    const { token } = await signIn(a);
    const { iss, org } = decodeJwt(token);
    expect(iss).toBe(`${api.url()}/v2/organizations/${a.orgId}`);
    expect(org).toBe(a.orgId);
    // Discoverable as OIDC has it: the keys are at `{iss}/.well-known/jwks.json`.
    const keys = await fetch(`${String(iss)}/.well-known/jwks.json`);
    expect(keys.status).toBe(200);
  });

  it("never takes an operator's access token for an organization's token", async () => {
    await expect(verifierOf(a.orgId, 'portcullis:management')(a.account.owner.accessToken)).rejects.toThrow(errors.JWTClaimValidationFailed);
  });
});

describe('GET /v2/organizations/{orgId}/.well-known/jwks.json', () => {
  const jwksOf = (orgId: string) => api.client.GET('/v2/organizations/{orgId}/.well-known/jwks.json', { params: { path: { orgId } } });

  it('answers the public keys that verify the organization’s tokens, cacheable, the same as the deployment JWKS', async () => {
    const answer = await jwksOf(a.orgId);
    const body = expectData(answer, 200);
    expect(answer.response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(body.keys.length).toBeGreaterThan(0);
    // Both algorithms are published (a system chooses ES256 or RS256), public members only.
    expect(new Set(body.keys.map((key) => key.alg))).toEqual(new Set(['ES256', 'RS256']));
    for (const key of body.keys) {
      if (key.alg === 'ES256') {
        expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
        expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
      } else {
        expect(key).toMatchObject({ kty: 'RSA', e: 'AQAB', alg: 'RS256', use: 'sig' });
        expect(Object.keys(key).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
      }
    }
    // The deployment-wide JWKS keeps working and lists the same keys.
    expect(expectData(await api.client.GET('/v2/.well-known/jwks.json'), 200)).toEqual(body);
  });

  it('answers 404 problem+json for an unknown or a deleted organization', async () => {
    expectProblem(await jwksOf('org_00000000000000000000000000000000'), 404, 'not_found');

    const owner = a.account.owner.accessToken;
    const doomed = await createOrganization(api, a.account.accountId, owner);
    expectData(await jwksOf(doomed.id), 200);
    expect((await api.request('DELETE', `/v2/organizations/${doomed.id}`, { token: owner })).status).toBe(204);
    expectProblem(await jwksOf(doomed.id), 404, 'not_found');
  });

  it('answers 400 problem+json naming params.orgId for a malformed id', async () => {
    const problem = expectProblem(await jwksOf('org.x'), 400, 'validation_failed');
    expect(problem).toMatchObject({ errors: [{ field: 'params.orgId' }] });
  });

  it('answers every caller alike, whatever credential it sends: it is public and holds public keys only', async () => {
    const other = await createAccount(api);
    const callers: Record<string, RequestOptions> = {
      anonymous: {},
      owner: { token: a.account.owner.accessToken },
      otherTenantOwner: { token: other.owner.accessToken },
      otherTenantKey: { headers: { apikey: await createApiKey(other.accountId, ['manage', 'authenticate'], 'all') } },
      ownKey: { headers: { apikey: a.apikey } },
      garbageBearer: { headers: { authorization: 'Bearer not.a.token' } },
      garbageKey: { headers: { apikey: 'pck_garbage' } },
    };
    const answers = await Promise.all(
      Object.entries(callers).map(async ([caller, options]) => {
        const response = await api.request('GET', `/v2/organizations/${a.orgId}/.well-known/jwks.json`, options);
        return [caller, { status: response.status, body: response.body }] as const;
      }),
    );
    const anonymous = answers.find(([caller]) => caller === 'anonymous')?.[1];
    expect(anonymous?.status).toBe(200);
    for (const [caller, answer] of answers) expect(answer, caller).toEqual(anonymous);
    expect(JSON.stringify(anonymous?.body)).not.toMatch(/"d"\s*:/);
  });

  it('is a public route of the manifest and of the OpenAPI document', () => {
    const route = manifest.find((entry) => entry.path === '/v2/organizations/{orgId}/.well-known/jwks.json');
    expect(route).toMatchObject({ method: 'GET', auth: 'public', access: { table: 'read' } });
    expect(route?.access.signingKey).toBeUndefined();
    const document = buildOpenApiDocument() as { paths: Record<string, Record<string, { security: unknown[]; responses: Record<string, unknown> }>> };
    const operation = document.paths['/v2/organizations/{orgId}/.well-known/jwks.json']?.get;
    expect(operation?.security).toEqual([]);
    expect(Object.keys(operation?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '404']));
  });
});
