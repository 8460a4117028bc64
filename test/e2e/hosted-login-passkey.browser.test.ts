/**
 * The hosted login's passkey step in Chromium (SPEC §9, §11), with real ceremonies: the end user's
 * passkey is registered through the API on a page at the API's own origin (Chromium's virtual
 * authenticator, test/support/webauthn.ts), then openid-client sends the same browser to the hosted
 * login, whose page runs `navigator.credentials.get()` with its own script under its strict CSP.
 *
 * The server listens on `localhost` here: the hosted login runs at the issuer's origin, and browsers
 * refuse WebAuthn on an IP address; the systems' RP ID `localhost` covers that host.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import axe from 'axe-core';
import * as client from 'openid-client';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallOptions } from '#client/index.ts';
import { race } from '#test/support/concurrency.ts';
import { FormBrowser, formOf, hostedFixture, type HostedFixture } from '#test/support/hosted-login.ts';
import { expectData, useLocalApi } from '#test/support/local-api.ts';
import { createOrganization } from '#test/support/organizations.ts';
import { lastPin } from '#test/support/sign-in.ts';
import { closeBrowser, openWebAuthnPage, type WebAuthnPage } from '#test/support/webauthn.ts';

const api = useLocalApi({ host: 'localhost' });

type Policy = NonNullable<NonNullable<SystemUpdate['body']>['policy']>;
type SystemUpdate = CallOptions<'/v2/organizations/{orgId}/systems/{systemName}', 'patch'>;

let callback: Server;
let callbackBase: string;
beforeAll(async () => {
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
  await closeBrowser();
  await new Promise<void>((done) => {
    callback.close(() => {
      done();
    });
  });
});

interface PasskeyParty {
  fixture: HostedFixture;
  config: client.Configuration;
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
  /** The browser with the authenticator that holds the user's passkey, and what it saw. */
  browser: WebAuthnPage;
  violations: string[];
  passkeyId: string;
}

/**
 * A system of its own with this policy and `webauthn: {rpId: localhost, origins: [the API's]}`, its end
 * user with a passkey registered through the API by a real ceremony, and openid-client's authorization
 * request (discovery, PKCE, state, nonce) for it.
 */
async function passkeyParty(policy: Policy): Promise<PasskeyParty> {
  const fixture = await hostedFixture(api, { redirectUri: `${callbackBase}/cb` });
  const owner = api.as(fixture.account.owner.accessToken);
  const system = { orgId: fixture.orgId, systemName: fixture.system.name };
  expectData(
    await owner.PATCH('/v2/organizations/{orgId}/systems/{systemName}', { params: { path: system }, body: { webauthn: { rpId: 'localhost', origins: [api.url()] }, policy } }),
    200,
  );
  const browser = await openWebAuthnPage(api.url());
  const violations: string[] = [];
  browser.page.on('console', (message) => {
    if (/Content Security Policy|Refused to|securitypolicyviolation/i.test(message.text())) violations.push(message.text());
  });
  // Reported by the page itself too, whatever the console says.
  await browser.page.addInitScript("document.addEventListener('securitypolicyviolation', (e) => console.error('securitypolicyviolation ' + e.violatedDirective))");
  const user = { orgId: fixture.orgId, userId: fixture.user.id };
  const options = expectData(await owner.POST('/v2/organizations/{orgId}/users/{userId}/passkeys/options', { params: { path: user }, body: { system: fixture.system.name } }), 200);
  const response = await browser.create(options.publicKey);
  const created = expectData(
    await owner.POST('/v2/organizations/{orgId}/users/{userId}/passkeys', { params: { path: user }, body: { flowId: options.flowId, name: 'Phone', response: response as never } }),
    201,
  );
  // The application's own pages are elsewhere on the RP ID (registration ran at the API's origin for
  // this test only): the hosted login's ceremonies now pass because the hosted login adds its origin.
  expectData(
    await owner.PATCH('/v2/organizations/{orgId}/systems/{systemName}', { params: { path: system }, body: { webauthn: { rpId: 'localhost', origins: ['https://app.localhost'] } } }),
    200,
  );

  // The local issuer is plain HTTP: openid-client refuses that unless told (its deprecation marks just that).
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
  return { fixture, config, url, verifier, state, nonce, browser, violations, passkeyId: created.id };
}

/** Opens the authorization URL in the authenticator's browser and enters the user's e-mail. */
async function enterEmail(party: PasskeyParty): Promise<Page> {
  const { page } = party.browser;
  await page.goto(party.url.href);
  await page.getByLabel('E-mail address').fill(party.fixture.user.email);
  await page.getByRole('button', { name: 'Continue' }).click();
  return page;
}

/** The callback URL once the browser is back at the client. */
async function backAtClient(page: Page): Promise<URL> {
  await page.waitForURL((url) => url.href.startsWith(`${callbackBase}/cb`), { timeout: 15_000 });
  return new URL(page.url());
}

/** axe-core on the live page (injected over CDP, which its CSP does not govern): no serious or critical violation, nothing wider than 375 px. */
async function expectAccessibleAt375(page: Page): Promise<void> {
  await page.setViewportSize({ width: 375, height: 740 });
  await page.evaluate(axe.source);
  const results = await page.evaluate<axe.AxeResults>("axe.run(document, { resultTypes: ['violations'] })");
  const serious = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  expect(serious.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);
  expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
}

const redeem = (party: PasskeyParty, back: URL) =>
  client.authorizationCodeGrant(party.config, back, { pkceCodeVerifier: party.verifier, expectedState: party.state, expectedNonce: party.nonce });

describe('the hosted login’s passkey step in Chromium', () => {
  it('signs an end user in with a passkey as the first factor: the page’s own script runs the ceremony, the code flow completes, amr says hwk', async () => {
    const party = await passkeyParty({ factors: ['passkey'] });
    let posted = '';
    party.browser.page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/oauth2/login')) posted = request.postData() ?? '';
    });
    try {
      const page = await enterEmail(party);
      await expect.poll(() => page.textContent('h1')).toBe('Sign in with a passkey');
      const button = page.getByRole('button', { name: 'Use a passkey' });
      // The script shows the button and focuses it; the page passes axe at 375 px.
      expect(await button.isVisible()).toBe(true);
      expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('passkey-button');
      await expectAccessibleAt375(page);

      await button.click();
      const back = await backAtClient(page);
      expect(back.searchParams.get('code')).toMatch(/^poc_/);
      expect(back.searchParams.get('iss')).toBe(party.fixture.issuer);
      const claims = (await redeem(party, back)).claims();
      expect(claims).toMatchObject({ sub: party.fixture.user.id, nonce: party.nonce, org: party.fixture.orgId });
      // A passkey with user verification: the key and the biometric or PIN that unlocked it.
      expect(claims?.amr).toEqual(['hwk', 'user', 'mfa']);
      expect(party.violations).toEqual([]);

      // The same assertion replayed into a new sign-in of the same user: refused, no code.
      const replay = new FormBrowser();
      const login = await replay.follow(await replay.get(party.url.href), api.url());
      const step = await replay.follow(await replay.post(`${party.fixture.issuer}/oauth2/login`, { ...formOf(login.html), email: party.fixture.user.email }), api.url());
      expect(step.html).toContain('Sign in with a passkey');
      // Not a credential, or an absurd one: the page again (nothing reaches the engine), or the route's 400.
      for (const garbage of ['{"id":1}', 'not json', '[]']) {
        const answer = await replay.post(`${party.fixture.issuer}/oauth2/login`, { ...formOf(step.html), passkey: garbage });
        expect([answer.status, answer.location]).toEqual([400, null]);
        expect(answer.html).toContain('Sign in with a passkey');
      }
      const oversized = await replay.post(`${party.fixture.issuer}/oauth2/login`, { ...formOf(step.html), passkey: 'x'.repeat(20_000) });
      expect(oversized.status).toBe(400);
      expect(oversized.headers.get('content-type')).toContain('application/problem+json');
      const credential = new URLSearchParams(posted).get('passkey') ?? '';
      expect(credential).toContain('"type":"public-key"');
      const refused = await replay.post(`${party.fixture.issuer}/oauth2/login`, { ...formOf(step.html), passkey: credential });
      expect(refused.status).toBe(400);
      expect(refused.location).toBeNull();
      expect(refused.html).toContain('We could not sign you in with that passkey');

      // A fresh assertion of that page's own options, submitted 5 times at once (a double click, a
      // replaying proxy): exactly one code (below).
      const options = JSON.parse(/<script type="application\/json" id="passkey-options">([^<]*)<\/script>/.exec(refused.html)?.[1] ?? 'null') as unknown;
      const form = formOf(refused.html);
      // An assertion of these options made on another origin of the RP ID (a page the attacker runs
      // at localhost:another port): refused, no code.
      const otherOrigin = `http://localhost:${String(Number(new URL(api.url()).port) + 1)}`;
      await party.browser.page.route(`${otherOrigin}/_blank`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>t</title>' }));
      await party.browser.page.goto(`${otherOrigin}/_blank`);
      const phished = await replay.post(`${party.fixture.issuer}/oauth2/login`, { ...form, passkey: JSON.stringify(await party.browser.get(options)) });
      expect(phished.status).toBe(400);
      expect(phished.location).toBeNull();
      expect(phished.html).toContain('We could not sign you in with that passkey');

      await party.browser.page.goto(`${api.url()}/_blank`);
      const fresh = JSON.stringify(await party.browser.get(options));
      // The sign-in is its organization's: the form posted to another organization's hosted login finds
      // nothing there, and spends nothing here. (That answer clears a cookie on the other issuer's path,
      // which a browser keeps apart and this jar of names does not: put it back.)
      const elsewhere = await createOrganization(api, party.fixture.account.accountId, party.fixture.account.owner.accessToken);
      const jar = new Map(replay.cookies);
      const misdirected = await replay.post(`${api.url()}/v2/organizations/${elsewhere.id}/oauth2/login`, { ...form, passkey: fresh });
      expect(misdirected.status).toBe(410);
      expect(misdirected.location).toBeNull();
      for (const [name, value] of jar) replay.cookies.set(name, value);
      const outcome = await race(
        5,
        () => replay.post(`${party.fixture.issuer}/oauth2/login`, { ...form, passkey: fresh }),
        (answer) => answer.status === 303 && (answer.location ?? '').startsWith(`${callbackBase}/cb?code=`),
      );
      expect(outcome.winners).toHaveLength(1);
      expect(outcome.losers.map((loser) => (loser.status === 'fulfilled' ? loser.value.status : 0)).every((status) => status >= 400)).toBe(true);
    } finally {
      await party.browser.close();
    }
  });

  it('steps up from an SMS PIN to a passkey, and lets the person try again after a refused passkey', async () => {
    const party = await passkeyParty({ factors: ['pin'], rules: [{ if: { ipCidr: ['127.0.0.0/8', '::1/128'] }, factors: ['pin', 'passkey'] }] });
    try {
      const page = await enterEmail(party);
      await page.getByLabel('Code').fill(await lastPin(api, party.fixture.user.phone));
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.textContent('h1')).toBe('Sign in with a passkey');

      // The authenticator signs garbage: the engine refuses it; the page says so and stays, no code.
      await party.browser.cdp.send('WebAuthn.setResponseOverrideBits', { authenticatorId: party.browser.authenticatorId, isBogusSignature: true });
      await page.getByRole('button', { name: 'Use a passkey' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('We could not sign you in with that passkey');
      expect(page.url()).toContain('/oauth2/login');

      await party.browser.cdp.send('WebAuthn.setResponseOverrideBits', { authenticatorId: party.browser.authenticatorId, isBogusSignature: false });
      await page.getByRole('button', { name: 'Use a passkey' }).click();
      const back = await backAtClient(page);
      const claims = (await redeem(party, back)).claims();
      expect(claims?.amr).toEqual(expect.arrayContaining(['sms', 'hwk', 'user', 'mfa']));
      expect(party.violations).toEqual([]);
    } finally {
      await party.browser.close();
    }
  });

  it('says so when the ceremony fails in the browser or cannot run there, and when the system’s RP ID does not cover the hosted login’s host', async () => {
    const party = await passkeyParty({ factors: ['passkey'] });
    try {
      const page = await enterEmail(party);
      // No passkey on this device: the browser's ceremony fails; the page says so and keeps the button.
      await party.browser.cdp.send('WebAuthn.clearCredentials', { authenticatorId: party.browser.authenticatorId });
      const button = page.getByRole('button', { name: 'Use a passkey' });
      await button.click();
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('The passkey was not used');
      expect(await button.isEnabled()).toBe(true);
      expect(page.url()).toContain('/oauth2/login');

      // A browser without WebAuthn: the page says so, and offers no button that cannot work.
      const old = await party.browser.context.newPage();
      await old.addInitScript('Object.defineProperty(window, "PublicKeyCredential", { value: undefined })');
      await old.goto(page.url());
      expect(await old.getByRole('alert').textContent()).toContain('This browser cannot use passkeys');
      expect(await old.getByRole('button', { name: 'Use a passkey' }).count()).toBe(0);
      await old.close();

      // The challenge's attempt budget (the policy's, 5) applies to passkeys: refused credentials
      // one after another end the step, and the person starts again from the e-mail.
      const guesser = new FormBrowser();
      let answer = await guesser.follow(await guesser.get(party.url.href), api.url());
      answer = await guesser.follow(await guesser.post(`${party.fixture.issuer}/oauth2/login`, { ...formOf(answer.html), email: party.fixture.user.email }), api.url());
      const unknown = { id: 'AAAA', rawId: 'AAAA', type: 'public-key', clientExtensionResults: {}, response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA' } };
      const seen: string[] = [];
      for (let guess = 0; guess < 6 && !answer.html.includes('Enter your e-mail to start again'); guess++) {
        answer = await guesser.post(`${party.fixture.issuer}/oauth2/login`, { ...formOf(answer.html), passkey: JSON.stringify(unknown) });
        seen.push(answer.html.includes('We could not sign you in with that passkey') ? 'refused' : answer.html.includes('E-mail address') ? 'email' : String(answer.status));
      }
      expect(seen).toEqual(['refused', 'refused', 'refused', 'refused', 'email']);

      // The system's passkeys moved to an RP ID that does not cover this host: a new sign-in's
      // passkey page explains, and runs no script.
      const owner = api.as(party.fixture.account.owner.accessToken);
      const system = { orgId: party.fixture.orgId, systemName: party.fixture.system.name };
      expectData(
        await owner.PATCH('/v2/organizations/{orgId}/systems/{systemName}', { params: { path: system }, body: { webauthn: { rpId: 'app.example', origins: ['https://app.example'] } } }),
        200,
      );
      await page.getByRole('button', { name: 'Use another e-mail address' }).click();
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect.poll(() => page.textContent('h1')).toBe('Passkeys cannot be used here');
      expect(await page.getByRole('button', { name: 'Use a passkey' }).count()).toBe(0);
      expect(await page.locator('script').count()).toBe(0);
      expect(party.violations).toEqual([]);
    } finally {
      await party.browser.close();
    }
  });
});
