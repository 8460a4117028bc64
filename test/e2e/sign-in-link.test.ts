import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { challengeKey } from '#shared/data/keys.ts';
import { rawItem } from '#test/support/keys-events.ts';
import { expectData, expectProblem, useLocalApi } from '#test/support/local-api.ts';
import { addUser, lastLink, signInFixture } from '#test/support/sign-in.ts';

const api = useLocalApi();

const passwordless = { policy: { factors: ['passwordless'], passwordless: { ttlSeconds: 120 } }, passwordlessUrl: 'https://app.example.com/magic' };

describe('magic-link sign-in', () => {
  it('runs as a client app would: start, link by SMS, complete with the whole link, verify with the JWKS JSON', async () => {
    const fx = await signInFixture(api, passwordless);
    const portcullis = api.as({ apikey: fx.apikey });
    const started = expectData(await portcullis.startSignIn({ email: fx.user.email, system: fx.system.name }), 202);
    expect(started).toMatchObject({ method: 'passwordless', deliveredTo: `********${fx.user.phone.slice(-2)}` });
    expect(Date.parse(started.expiresAt) - Date.now()).toBeLessThanOrEqual(120_000);

    const link = await lastLink(api, fx.user.phone);
    const url = new URL(link);
    expect(`${url.origin}${url.pathname}`).toBe('https://app.example.com/magic');
    const token = url.searchParams.get('token') ?? '';
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16); // ≥ 128 bits (here 256)

    // Stored hashed only.
    expect(JSON.stringify(await rawItem(challengeKey(started.challengeId)))).not.toContain(token);

    const completed = expectData(await portcullis.completeSignIn({ email: fx.user.email, system: fx.system.name, passwordless: link }), 200);
    expect(completed).toMatchObject({ authenticated: true, amr: ['sms'], user: { id: fx.user.id } });
    if (!completed.authenticated) throw new Error('expected a token');

    const jwks = expectData(await api.client.GET('/v2/.well-known/jwks.json'), 200);
    const { payload } = await jwtVerify(completed.token, createLocalJWKSet(jwks), {
      issuer: `${api.url()}/v2/organizations/${fx.orgId}`,
      audience: fx.system.name,
    });
    expect(payload).toMatchObject({ sub: fx.user.id, org: fx.orgId, amr: ['sms'] });

    // Single use.
    expectProblem(await portcullis.completeSignIn({ email: fx.user.email, system: fx.system.name, passwordless: link }), 401, 'expired');
  });

  it('accepts just the token, with or without the challenge id', async () => {
    const fx = await signInFixture(api, passwordless);
    const portcullis = api.as({ apikey: fx.apikey });
    const started = expectData(await portcullis.startSignIn({ email: fx.user.email, system: fx.system.name }), 202);
    const token = new URL(await lastLink(api, fx.user.phone)).searchParams.get('token') ?? '';
    const completed = await portcullis.completeSignIn({ email: fx.user.email, system: fx.system.name, passwordless: token, challengeId: started.challengeId });
    expect(expectData(completed, 200).authenticated).toBe(true);

    const second = await addUser(api, fx);
    expectData(await portcullis.startSignIn({ email: second.email, system: fx.system.name }), 202);
    const secondToken = new URL(await lastLink(api, second.phone)).searchParams.get('token') ?? '';
    const secondCompleted = await portcullis.completeSignIn({ email: second.email, system: fx.system.name, passwordless: secondToken });
    expect(expectData(secondCompleted, 200).authenticated).toBe(true);
  });

  it("refuses a wrong token, and one user's link for another user", async () => {
    const fx = await signInFixture(api, passwordless);
    const portcullis = api.as({ apikey: fx.apikey });
    const other = await addUser(api, fx);
    expectData(await portcullis.startSignIn({ email: fx.user.email, system: fx.system.name }), 202);
    expectData(await portcullis.startSignIn({ email: other.email, system: fx.system.name }), 202);
    const link = await lastLink(api, fx.user.phone);

    const forged = await portcullis.completeSignIn({ email: fx.user.email, system: fx.system.name, passwordless: `${link.slice(0, -4)}AAAA` });
    expectProblem(forged, 401, 'invalid_credentials');
    const crossed = await portcullis.completeSignIn({ email: other.email, system: fx.system.name, passwordless: link });
    expectProblem(crossed, 401, 'invalid_credentials');
    // The rightful user's link still works.
    expectData(await portcullis.completeSignIn({ email: fx.user.email, system: fx.system.name, passwordless: link }), 200);
  });

  it('asks for the factor the challenge expects (a PIN on a link challenge is a 400 naming body.passwordless)', async () => {
    const fx = await signInFixture(api, passwordless);
    const portcullis = api.as({ apikey: fx.apikey });
    expectData(await portcullis.startSignIn({ email: fx.user.email, system: fx.system.name }), 202);
    const response = await portcullis.completeSignIn({ email: fx.user.email, system: fx.system.name, pin: '123456' });
    const problem = expectProblem(response, 400);
    expect(problem.errors?.map((error) => error.field)).toContain('body.passwordless');
  });
});
