import { createLocalJWKSet, decodeJwt, exportJWK, generateKeyPair, jwtVerify, type CryptoKey, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '#shared/domain/kernel/errors.ts';
import { EndUserTokens, OrganizationIssuerKeys, organizationIssuer } from '#shared/domain/sign-in/end-user-tokens.ts';

const API_BASE = 'https://auth.example.test';

async function keyPair(): Promise<{ signing: { signingKey: () => Promise<{ kid: string; privateKey: CryptoKey }> }; jwks: JWK[] }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const kid = 'k1';
  return {
    signing: { signingKey: () => Promise.resolve({ kid, privateKey }) },
    jwks: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }],
  };
}

describe('end-user tokens', () => {
  it("take `iss` from the organization they are issued for: {apiBase}/v2/organizations/{orgId}", async () => {
    const { signing, jwks } = await keyPair();
    const tokens = new EndUserTokens(signing, { apiBase: API_BASE });
    const input = { audience: 'app', subject: 'usr_1', amr: ['sms'], ttlSeconds: 60 };
    const ofA = await tokens.issue({ ...input, organizationId: 'org_a' });
    const ofB = await tokens.issue({ ...input, organizationId: 'org_b' });

    expect(decodeJwt(ofA)).toMatchObject({ iss: `${API_BASE}/v2/organizations/org_a`, org: 'org_a', aud: 'app' });
    expect(organizationIssuer(API_BASE, 'org_b')).toBe(`${API_BASE}/v2/organizations/org_b`);
    // Same key, same audience: only the issuer tells them apart, and a verifier of B refuses A's token.
    const verify = (token: string, organizationId: string) =>
      jwtVerify(token, createLocalJWKSet({ keys: jwks }), { issuer: organizationIssuer(API_BASE, organizationId), audience: 'app' });
    await expect(verify(ofA, 'org_b')).rejects.toThrow(/"iss" claim/);
    await expect(verify(ofB, 'org_b')).resolves.toBeTruthy();
  });

  it('sign: the options decide iss, org, aud, sub, exp and jti whatever the claims say; typ and extra claims pass', async () => {
    const { signing, jwks } = await keyPair();
    const tokens = new EndUserTokens(signing, { apiBase: API_BASE }, () => new Date('2026-03-02T10:00:00Z'));
    const claims = { iss: 'https://evil.test', aud: 'other', sub: 'usr_evil', org: 'org_evil', exp: 9_999_999_999, jti: 'fixed', scope: 'openid email', nonce: 'n-1' };

    const token = await tokens.sign(claims, { alg: 'ES256', typ: 'at+jwt', ttlSeconds: 600, audience: 'app', subject: 'usr_1', organizationId: 'org_a' });

    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet({ keys: jwks }), { currentDate: new Date('2026-03-02T10:00:00Z') });
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' });
    expect(payload).toMatchObject({ iss: `${API_BASE}/v2/organizations/org_a`, org: 'org_a', aud: 'app', sub: 'usr_1', scope: 'openid email', nonce: 'n-1' });
    expect(payload.exp).toBe((payload.iat ?? 0) + 600);
    expect(payload.jti).not.toBe('fixed');
  });

  it('keep the issuer a URL path segment whatever the organization id holds', () => {
    expect(organizationIssuer(API_BASE, 'a/../b?c')).toBe(`${API_BASE}/v2/organizations/a%2F..%2Fb%3Fc`);
  });
});

describe('organization issuer keys', () => {
  const keys = [{ kty: 'EC', kid: 'k1' }];
  const issuerKeys = new OrganizationIssuerKeys(
    { findOrganization: (id) => Promise.resolve(id === 'org_live' ? { id } : undefined) },
    { verificationKeys: () => Promise.resolve(keys) },
  );

  it('answer the key ring’s public keys for an active organization', async () => {
    await expect(issuerKeys.keysOf('org_live')).resolves.toEqual(keys);
  });

  it('answer NotFoundError for an organization that does not exist (or no longer does)', async () => {
    await expect(issuerKeys.keysOf('org_gone')).rejects.toBeInstanceOf(NotFoundError);
  });
});
