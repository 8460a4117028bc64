/**
 * Real WebAuthn ceremonies for tests: Chromium with its virtual authenticator (CDP `WebAuthn`), on a
 * blank page served at `http://<host>:<port>/_blank` by Playwright's router (the API's own answers
 * carry a CSP that forbids page scripts; the routed page has none). The page runs what a web app
 * runs: `PublicKeyCredential.parse…OptionsFromJSON(publicKey)` → `navigator.credentials.create|get`
 * → `credential.toJSON()`; the test posts the JSON with its own client.
 */
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { launchBrowser } from './browser.ts';

export interface WebAuthnPage {
  page: Page;
  context: BrowserContext;
  cdp: CDPSession;
  authenticatorId: string;
  /** `navigator.credentials.create()` with these creation options; answers `toJSON()`. */
  create(publicKey: unknown): Promise<Record<string, unknown>>;
  /** `navigator.credentials.get()` with these request options; answers `toJSON()`. */
  get(publicKey: unknown): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

let browser: Browser | undefined;

/** One browser per test file; `closeBrowser()` in afterAll. */
export async function sharedBrowser(): Promise<Browser> {
  browser ??= await launchBrowser();
  return browser;
}

export async function closeBrowser(): Promise<void> {
  await browser?.close();
  browser = undefined;
}

/** A fresh context with one virtual authenticator (CTAP2, internal, resident keys, user verification) on `origin` (e.g. `http://localhost:PORT`). */
export async function openWebAuthnPage(origin: string): Promise<WebAuthnPage> {
  const context = await (await sharedBrowser()).newContext();
  const page = await context.newPage();
  await page.route(`${origin}/_blank`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>t</title>' }));
  await page.goto(`${origin}/_blank`);
  const { cdp, authenticatorId } = await addVirtualAuthenticator(page);
  return {
    page,
    context,
    cdp,
    authenticatorId,
    create: (publicKey) => inPage(page, 'create', 'parseCreationOptionsFromJSON', publicKey),
    get: (publicKey) => inPage(page, 'get', 'parseRequestOptionsFromJSON', publicKey),
    close: () => context.close(),
  };
}

/**
 * Runs the browser half in the page. A script string, not a function: the tests' TypeScript has no
 * DOM types, and the script is what docs/passkeys.md tells a web app to run.
 */
async function inPage(page: Page, call: 'create' | 'get', parse: string, publicKey: unknown): Promise<Record<string, unknown>> {
  const script = `(async () => {
    const publicKey = PublicKeyCredential.${parse}(${JSON.stringify(publicKey)});
    const credential = await navigator.credentials.${call}({ publicKey });
    return credential.toJSON();
  })()`;
  return page.evaluate<Record<string, unknown>>(script);
}

export interface VirtualAuthenticator {
  cdp: CDPSession;
  authenticatorId: string;
  /** The credentials the authenticator holds (CDP `WebAuthn.getCredentials`). */
  credentialCount(): Promise<number>;
  /** `navigator.credentials.create()` run in the page (as a web app would), answering `toJSON()`. */
  create(publicKey: unknown): Promise<Record<string, unknown>>;
}

/**
 * A virtual authenticator (the same kind `openWebAuthnPage` makes) on a page the test already has,
 * such as the console's: its own ceremonies then meet this authenticator. CDP's `WebAuthn` domain is
 * per tab, so add it before the page needs it (it stays across navigations of that page).
 */
export async function addVirtualAuthenticator(page: Page): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      // Verifies its user; a test that wants an assertion without it asks `userVerification: 'discouraged'`.
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    cdp,
    authenticatorId,
    credentialCount: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials.length,
    create: (publicKey) => inPage(page, 'create', 'parseCreationOptionsFromJSON', publicKey),
  };
}
