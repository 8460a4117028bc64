import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { config } from '#shared/config.ts';
import { challengeKey } from '#shared/data/keys.ts';
import { rawItem } from '#test/support/keys-events.ts';
import { useLocalApi } from '#test/support/local-api.ts';
import { addUser, completeSignIn, lastLink, signInFixture, startSignIn } from '#test/support/sign-in.ts';

const api = useLocalApi();

const passwordless = { policy: { factors: ['passwordless'], passwordless: { ttlSeconds: 120 } }, passwordlessUrl: 'https://app.example.com/magic' };

describe('magic-link sign-in', () => {
  it('runs as a client app would: start, link by SMS, complete with the whole link, verify with the JWKS JSON', async () => {
    const fx = await signInFixture(api, passwordless);
    const started = await startSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ method: 'passwordless', deliveredTo: `+33*******${fx.user.phone.slice(-2)}` });
    expect(Date.parse(started.body.expiresAt) - Date.now()).toBeLessThanOrEqual(120_000);

    const link = await lastLink(api, fx.user.phone);
    const url = new URL(link);
    expect(`${url.origin}${url.pathname}`).toBe('https://app.example.com/magic');
    const token = url.searchParams.get('token') ?? '';
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16); // ≥ 128 bits (here 256)

    // Stored hashed only.
    expect(JSON.stringify(await rawItem(challengeKey(started.body.challengeId)))).not.toContain(token);

    const completed = await completeSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name, passwordless: link });
    expect(completed.status).toBe(200);
    expect(completed.body).toMatchObject({ authenticated: true, amr: ['sms'], user: { id: fx.user.id } });

    const jwks = await api.request<{ keys: JWK[] }>('GET', '/v2/.well-known/jwks.json');
    const { payload } = await jwtVerify(completed.body.token ?? '', createLocalJWKSet(jwks.body), { issuer: config().tokenIssuer, audience: fx.system.name });
    expect(payload).toMatchObject({ sub: fx.user.id, org: fx.orgId, amr: ['sms'] });

    // Single use.
    const again = await completeSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name, passwordless: link });
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('expired');
  });

  it('accepts just the token, with or without the challenge id', async () => {
    const fx = await signInFixture(api, passwordless);
    const started = await startSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name });
    const token = new URL(await lastLink(api, fx.user.phone)).searchParams.get('token') ?? '';
    const completed = await completeSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name, passwordless: token, challengeId: started.body.challengeId });
    expect(completed.body.authenticated).toBe(true);

    const second = await addUser(api, fx);
    await startSignIn(api, fx.apikey, { email: second.email, system: fx.system.name });
    const secondToken = new URL(await lastLink(api, second.phone)).searchParams.get('token') ?? '';
    expect((await completeSignIn(api, fx.apikey, { email: second.email, system: fx.system.name, passwordless: secondToken })).body.authenticated).toBe(true);
  });

  it("refuses a wrong token, and one user's link for another user", async () => {
    const fx = await signInFixture(api, passwordless);
    const other = await addUser(api, fx);
    await startSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name });
    await startSignIn(api, fx.apikey, { email: other.email, system: fx.system.name });
    const link = await lastLink(api, fx.user.phone);

    const forged = await completeSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name, passwordless: `${link.slice(0, -4)}AAAA` });
    expect(forged.status).toBe(401);
    expect(forged.body.code).toBe('invalid_credentials');
    const crossed = await completeSignIn(api, fx.apikey, { email: other.email, system: fx.system.name, passwordless: link });
    expect(crossed.status).toBe(401);
    expect(crossed.body.code).toBe('invalid_credentials');
    // The rightful user's link still works.
    expect((await completeSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name, passwordless: link })).status).toBe(200);
  });

  it('asks for the factor the challenge expects (a PIN on a link challenge is a 400 naming body.passwordless)', async () => {
    const fx = await signInFixture(api, passwordless);
    await startSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name });
    const response = await completeSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name, pin: '123456' });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toContain('body.passwordless');
  });
});
