/**
 * The hosted login in a real browser (SPEC §9): openid-client builds the authorization request as a
 * relying party would, Chromium without JavaScript fills the pages (the PIN read from the local SMS
 * outbox), and the final redirect reaches the client's registered redirect URI, a tiny listener here.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import axe from 'axe-core';
import { JwtVerifier } from 'aws-jwt-verify';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '#test/support/browser.ts';
import { hostedFixture, type HostedFixture } from '#test/support/hosted-login.ts';
import { expectData, useLocalApi } from '#test/support/local-api.ts';
import { createApiKey } from '#test/support/organizations.ts';
import { lastLink, lastPin } from '#test/support/sign-in.ts';
import { referenceCode } from '#test/support/totp.ts';

const api = useLocalApi();

let browser: Browser;
let callback: Server;
let callbackBase: string;
beforeAll(async () => {
  browser = await launchBrowser();
  // The relying party's redirect URI: answers any path with a small page.
  callback = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><html lang="en"><title>client</title><h1>back at the client</h1></html>');
  });
  callback.listen(0, '127.0.0.1');
  await new Promise<void>((done) => callback.once('listening', done));
  callbackBase = `http://127.0.0.1:${(callback.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await browser.close();
  await new Promise<void>((done) => {
    callback.close(() => {
      done();
    });
  });
});

interface RelyingParty {
  fixture: HostedFixture;
  config: client.Configuration;
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

/** A public client (no secret) of the fixture's issuer, through discovery, with a fresh PKCE pair, state and nonce. */
async function relyingParty(options: Parameters<typeof hostedFixture>[1] = {}): Promise<RelyingParty> {
  const fixture = await hostedFixture(api, { ...options, redirectUri: `${callbackBase}/cb` });
  // The local issuer is http://127.0.0.1: openid-client refuses plain HTTP unless told (its deprecation marks just that).
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const config = await client.discovery(new URL(fixture.issuer), fixture.system.name, undefined, client.None(), { execute: [client.allowInsecureRequests] });
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: fixture.redirectUri,
    scope: 'openid email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { fixture, config, url, verifier, state, nonce };
}

/** A context without JavaScript that records CSP violations; 375 px wide (a small phone). */
async function newContext(): Promise<{ context: BrowserContext; page: Page; violations: string[] }> {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 740 } });
  const page = await context.newPage();
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  return { context, page, violations };
}

/**
 * axe-core on the page as it is: injected over CDP (which the page's CSP does not govern) into a copy
 * of the page's HTML opened with JavaScript, so the page under test stays script-free. No serious or
 * critical violation, and nothing wider than the 375 px viewport.
 */
async function expectAccessible(page: Page, options: { reloadsItself?: boolean } = {}): Promise<void> {
  const html = await page.content();
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 375, height: 740 } });
  const copy = await context.newPage();
  await copy.setContent(html);
  await copy.evaluate(axe.source);
  // The waiting page reloads itself by design (SPEC §9: it goes on by itself, without JavaScript), which
  // axe's meta-refresh rule (WCAG 2.2.1) flags whatever the delay; it says so, offers "Check now", and
  // has no field whose input a reload could lose. Every other rule applies to it.
  const rules = options.reloadsItself ? "{ rules: { 'meta-refresh': { enabled: false } }, resultTypes: ['violations'] }" : "{ resultTypes: ['violations'] }";
  const results = await copy.evaluate<axe.AxeResults>(`axe.run(document, ${rules})`);
  const serious = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  expect(serious.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);
  // Measured on the copy too: the waiting page may reload itself meanwhile.
  expect(await copy.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
  await context.close();
}

/** The callback URL's parameters once the browser is back at the client. */
async function backAtClient(page: Page): Promise<URL> {
  await page.waitForURL((url) => url.href.startsWith(`${callbackBase}/cb`), { timeout: 15_000 });
  return new URL(page.url());
}

describe('hosted login in Chromium', () => {
  it('runs the code flow of openid-client: e-mail, SMS PIN from the outbox, redirect with code, state and iss', async () => {
    const rp = await relyingParty();
    const { context, page, violations } = await newContext();
    const opened = await page.goto(rp.url.href);
    expect(opened?.status()).toBe(200);
    expect(page.url()).toContain('/oauth2/login?login=');
    expect(await page.textContent('body')).toContain('Sign in');
    await expectAccessible(page);

    await page.fill('#email', rp.fixture.user.email);
    await page.click('button[type=submit]');
    expect(await page.textContent('h1')).toBe('Enter your code');
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('code');
    await expectAccessible(page);

    // A wrong PIN: the form again, the error announced and tied to the field.
    const pin = await lastPin(api, rp.fixture.user.phone);
    await page.fill('#code', pin === '000000' ? '111111' : '000000');
    await page.click('form:has(#code) button[type=submit]');
    expect(await page.getAttribute('#error', 'role')).toBe('alert');
    expect(await page.getAttribute('#code', 'aria-describedby')).toBe('error');
    await expectAccessible(page);

    await page.fill('#code', pin);
    await page.click('form:has(#code) button[type=submit]');
    const back = await backAtClient(page);
    expect(back.searchParams.get('state')).toBe(rp.state);
    expect(back.searchParams.get('iss')).toBe(rp.fixture.issuer);
    expect(back.searchParams.get('code')).toMatch(/^poc_/);
    // The final 303 after a form POST crossed to the client's origin: form-action allows that origin.
    expect(violations).toEqual([]);

    // openid-client redeems the code with its own checks (state, iss, PKCE, the id_token's iss, aud,
    // nonce, exp, iat), and the id_token's signature verifies with the issuer's JWKS.
    const checks = { pkceCodeVerifier: rp.verifier, expectedState: rp.state, expectedNonce: rp.nonce };
    const tokens = await client.authorizationCodeGrant(rp.config, back, checks);
    const claims = tokens.claims();
    expect(claims).toMatchObject({ iss: rp.fixture.issuer, aud: rp.fixture.system.name, sub: rp.fixture.user.id, nonce: rp.nonce, org: rp.fixture.orgId, email: rp.fixture.user.email });
    expect(claims?.amr).toEqual(['sms']);
    const jwks = createRemoteJWKSet(new URL(`${rp.fixture.issuer}/.well-known/jwks.json`));
    const { protectedHeader } = await jwtVerify(tokens.id_token ?? '', jwks, { issuer: rp.fixture.issuer, audience: rp.fixture.system.name });
    expect(protectedHeader.alg).toBe('ES256');
    // The same code again: spent.
    await expect(client.authorizationCodeGrant(rp.config, back, checks)).rejects.toMatchObject({ error: 'invalid_grant' });
    await context.close();
  });

  it('waits for a link opened on another device and goes on by itself (meta refresh, no JavaScript)', async () => {
    const rp = await relyingParty({ policy: { factors: ['passwordless'] }, passwordlessUrl: 'https://app.example/in' });
    const waiting = await newContext();
    await waiting.page.goto(rp.url.href);
    await waiting.page.fill('#email', rp.fixture.user.email);
    await waiting.page.click('button[type=submit]');
    expect(await waiting.page.textContent('h1')).toBe('Check your phone');
    await expectAccessible(waiting.page, { reloadsItself: true });

    const phone = await newContext();
    await phone.page.goto(await lastLink(api, rp.fixture.user.phone));
    expect(await phone.page.textContent('h1')).toBe('Confirm sign-in');
    await expectAccessible(phone.page);
    await phone.page.click('button[type=submit]');
    expect(await phone.page.textContent('h1')).toBe('Sign-in confirmed');
    expect(await phone.page.textContent('body')).toContain('return to your other device');
    await expectAccessible(phone.page);

    const back = await backAtClient(waiting.page);
    expect(back.searchParams.get('state')).toBe(rp.state);
    expect(back.searchParams.get('code')).toMatch(/^poc_/);
    expect([...waiting.violations, ...phone.violations]).toEqual([]);
    await waiting.context.close();
    await phone.context.close();
  });

  it('asks the authenticator code as a second factor when the policy steps up', async () => {
    const rp = await relyingParty({ policy: { factors: ['pin', 'totp'] } });
    const manageKey = await createApiKey(rp.fixture.account.accountId, ['manage'], [rp.fixture.orgId]);
    const path = { params: { path: { orgId: rp.fixture.orgId, userId: rp.fixture.user.id } } };
    const started = await api.as({ apikey: manageKey }).POST('/v2/organizations/{orgId}/users/{userId}/totp', path);
    const secret = started.data?.secret ?? '';
    await api.as({ apikey: manageKey }).POST('/v2/organizations/{orgId}/users/{userId}/totp/confirm', { ...path, body: { code: referenceCode(secret) } });

    const { context, page, violations } = await newContext();
    await page.goto(rp.url.href);
    await page.fill('#email', rp.fixture.user.email);
    await page.click('button[type=submit]');
    await page.fill('#code', await lastPin(api, rp.fixture.user.phone));
    await page.click('form:has(#code) button[type=submit]');
    expect(await page.textContent('h1')).toBe('Enter your authenticator code');
    await expectAccessible(page);
    // The enrolment's code was used once already: the next step's code.
    await page.fill('#code', referenceCode(secret, new Date(Date.now() + 30_000)));
    await page.click('form:has(#code) button[type=submit]');
    const back = await backAtClient(page);
    expect(back.searchParams.get('code')).toMatch(/^poc_/);
    expect(violations).toEqual([]);
    // A code exchanged with another PKCE verifier (an interceptor's guess) is refused, and spent:
    // the right verifier after it gets nothing either.
    const checks = { expectedState: rp.state, expectedNonce: rp.nonce };
    await expect(client.authorizationCodeGrant(rp.config, back, { ...checks, pkceCodeVerifier: client.randomPKCECodeVerifier() })).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(client.authorizationCodeGrant(rp.config, back, { ...checks, pkceCodeVerifier: rp.verifier })).rejects.toMatchObject({ error: 'invalid_grant' });
    await context.close();
  });

  it('gives an RS256 system an access token that aws-jwt-verify accepts when set up as an API Gateway JWT authorizer', async () => {
    const rp = await relyingParty();
    const path = { orgId: rp.fixture.orgId, systemName: rp.fixture.system.name };
    expectData(await api.as(rp.fixture.account.owner.accessToken).PATCH('/v2/organizations/{orgId}/systems/{systemName}', { params: { path }, body: { tokenSigningAlg: 'RS256' } }), 200);
    const { context, page } = await newContext();
    await page.goto(rp.url.href);
    await page.fill('#email', rp.fixture.user.email);
    await page.click('button[type=submit]');
    await page.fill('#code', await lastPin(api, rp.fixture.user.phone));
    await page.click('form:has(#code) button[type=submit]');
    const back = await backAtClient(page);
    const tokens = await client.authorizationCodeGrant(rp.config, back, { pkceCodeVerifier: rp.verifier, expectedState: rp.state, expectedNonce: rp.nonce });

    // HttpJwtAuthorizer(issuer, { jwtAudience: [systemName] }): issuer, audience and the issuer's JWKS,
    // RSA only. aws-jwt-verify wants an https JWKS URI, so the JWKS it would fetch is handed to it.
    const verifier = JwtVerifier.create({
      issuer: rp.fixture.issuer,
      audience: rp.fixture.system.name,
      jwksUri: `${rp.fixture.issuer}/.well-known/jwks.json`,
      customJwtCheck: ({ header }) => {
        if (header.alg !== 'RS256') throw new Error(`API Gateway JWT authorizers accept RSA only, not ${String(header.alg)}`);
      },
    });
    const jwks = (await (await fetch(`${rp.fixture.issuer}/.well-known/jwks.json`)).json()) as Parameters<typeof verifier.cacheJwks>[0];
    verifier.cacheJwks(jwks);
    const payload = await verifier.verify(tokens.access_token);
    expect(payload).toMatchObject({ iss: rp.fixture.issuer, aud: rp.fixture.system.name, sub: rp.fixture.user.id, client_id: rp.fixture.system.name, scope: 'openid email' });
    // The id_token is RS256 too, and another organization's issuer does not take the access token.
    expect(decodeProtectedHeader(tokens.id_token ?? '').alg).toBe('RS256');
    const other = await hostedFixture(api, {});
    const elsewhere = JwtVerifier.create({ issuer: other.issuer, audience: rp.fixture.system.name, jwksUri: `${other.issuer}/.well-known/jwks.json` });
    elsewhere.cacheJwks(jwks);
    await expect(elsewhere.verify(tokens.access_token)).rejects.toThrow();
    await context.close();
  });

  it('shows the refusal pages accessibly: unknown client, expired transaction', async () => {
    const rp = await relyingParty();
    const { context, page } = await newContext();
    const unknown = new URL(rp.url.href);
    unknown.searchParams.set('redirect_uri', 'https://attacker.example/cb');
    const answer = await page.goto(unknown.href);
    expect(answer?.status()).toBe(400);
    expect(page.url()).toBe(unknown.href);
    await expectAccessible(page);
    await page.goto(`${rp.fixture.issuer}/oauth2/login?login=lgn_${'0'.repeat(32)}`);
    expect(await page.textContent('h1')).toBe('This sign-in has ended');
    await expectAccessible(page);
    await context.close();
  });
});
