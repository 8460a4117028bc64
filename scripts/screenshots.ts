/**
 * `npm run screenshots`: PNGs of the console's pages in docs/screenshots/ (1280×800; the sign-in and
 * Admins pages at 375×800 too). Runs `npm start`'s own entry point on a free port (it builds the
 * console when stale, starts DynamoDB Local in memory and seeds the demo owner, organization, API key,
 * system `demo-app` with its PIN policy and end user Jane), adds through the API a second
 * organization, more end users, two admins (invited, the invitation accepted from the e-mail outbox)
 * and a PIN sign-in (audit events), then signs in through the console (and adds a passkey from a
 * virtual authenticator, for Profile) and opens each page of
 * scripts/screenshot-pages.ts by URL, waiting for its h1. Nothing is left behind but the PNGs.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createPortcullisClient } from '#client/index.ts';
import { launchBrowser } from '#test/support/browser.ts';
import { addVirtualAuthenticator } from '#test/support/webauthn.ts';
import { SCREENSHOT_PAGES, type ScreenshotIds } from './screenshot-pages.ts';

const ROOT = join(import.meta.dirname, '..');
const OUT = join(ROOT, 'docs', 'screenshots');
const HEIGHT = 800;

/** Starts `npm start` (PORT=0) and reads what its banner prints. */
async function startServer() {
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['local/start.ts'], { cwd: ROOT, env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 180_000;
  while (!output.includes('e-mails sent by the API appear below')) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((done) => setTimeout(done, 100));
  }
  const read = (pattern: RegExp) => {
    const value = pattern.exec(output)?.[1];
    if (!value) throw new Error(`npm start printed no ${String(pattern)}:\n${output}`);
    return value;
  };
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGINT');
    await once(child, 'exit');
  };
  return {
    origin: read(/Console: (http:\/\/localhost:\d+)\//),
    email: read(/email:\s+(\S+)/),
    password: read(/password:\s+(\S+)/),
    accountId: read(/account:\s+(\S+)/),
    orgId: read(/organization:\s+(\S+)/),
    apiKey: read(/apikey:\s+(pck_\S+)/),
    system: read(/system:\s+([^,\s]+),/),
    stop,
  };
}

type Server = Awaited<ReturnType<typeof startServer>>;

function ok<T>(answer: { data?: T; error?: unknown; response: Response }, what: string): T {
  if (!answer.response.ok || answer.data === undefined) throw new Error(`${what}: ${String(answer.response.status)} ${JSON.stringify(answer.error)}`);
  return answer.data;
}

/** The demo beyond `npm start`'s seed, through the API as an operator and an integrating system would make it. */
async function seed(server: Server): Promise<ScreenshotIds> {
  const anonymous = createPortcullisClient({ baseUrl: server.origin });
  const login = ok(await anonymous.POST('/v2/auth/login', { body: { email: server.email, password: server.password } }), 'login');
  if (!('accessToken' in login)) throw new Error('the demo owner has 2FA: expected tokens');
  const owner = createPortcullisClient({ baseUrl: server.origin, accessToken: login.accessToken });
  ok(await owner.POST('/v2/accounts/{accountId}/organizations', { params: { path: { accountId: server.accountId } }, body: { name: 'Staging' } }), 'second organization');

  const people = [
    { email: 'amir@example.com', phone: '+33612345670', name: 'Amir Haddad' },
    { email: 'lena@example.com', phone: '+33612345671', name: 'Lena Vogel' },
    { email: 'tom@example.com', phone: '+33612345672', name: 'Tom Baker' },
  ];
  for (const body of people) {
    ok(await owner.POST('/v2/organizations/{orgId}/users', { params: { path: { orgId: server.orgId } }, body }), `end user ${body.email}`);
  }

  // Two admins: invited, and the invitation accepted with the token of the e-mailed link.
  for (const [email, role] of [
    ['maria@example.com', 'manager'],
    ['sam@example.com', 'viewer'],
  ] as const) {
    ok(await owner.POST('/v2/accounts/{accountId}/invitations', { params: { path: { accountId: server.accountId } }, body: { email, role, scope: 'all' } }), `invite ${email}`);
    // The outbox lists the newest first.
    const outbox = (await (await fetch(`${server.origin}/_local/email?to=${encodeURIComponent(email)}`)).json()) as { items: { text: string }[] };
    const link = /https?:\/\/\S+[?&]token=[^\s&]+/.exec(outbox.items[0]?.text ?? '')?.[0];
    const token = link ? new URL(link).searchParams.get('token') : null;
    if (!token) throw new Error(`no invitation link for ${email}: ${JSON.stringify(outbox)}`);
    ok(await anonymous.POST('/v2/invitations/accept', { body: { token, password: `${role}-Demo-password-2026!` } }), `accept ${email}`);
  }

  // A PIN sign-in through the API (the audit log's sign-in events).
  const system = createPortcullisClient({ baseUrl: server.origin, apiKey: server.apiKey });
  const signIn = { email: 'jane@example.com', system: server.system };
  ok(await system.startSignIn(signIn), 'start sign-in');
  const sms = (await (await fetch(`${server.origin}/_local/sms`)).json()) as { items: { body: string }[] };
  const pin = /\b(\d{6})\b/.exec(sms.items[0]?.body ?? '')?.[1] ?? '';
  ok(await system.completeSignIn({ ...signIn, pin }), 'complete sign-in');

  const users = ok(await owner.GET('/v2/organizations/{orgId}/users', { params: { path: { orgId: server.orgId } } }), 'end users');
  const jane = users.items.find((user) => user.email === 'jane@example.com');
  if (!jane) throw new Error('Jane is not in the demo organization');
  return { accountId: server.accountId, orgId: server.orgId, systemName: server.system, userId: jane.id };
}

/**
 * A passkey for the demo owner, made by a virtual authenticator (CDP `WebAuthn`) in the console's own
 * tab, so the Profile screenshot shows the Passkeys list with an entry.
 */
async function addDemoPasskey(page: Page, server: Server): Promise<void> {
  const anonymous = createPortcullisClient({ baseUrl: server.origin });
  const login = ok(await anonymous.POST('/v2/auth/login', { body: { email: server.email, password: server.password } }), 'login for the passkey');
  if (!('accessToken' in login)) throw new Error('the demo owner has 2FA: expected tokens');
  const owner = createPortcullisClient({ baseUrl: server.origin, accessToken: login.accessToken });
  const options = ok(await owner.POST('/v2/me/passkeys/options'), 'passkey options');
  const response = await (await addVirtualAuthenticator(page)).create(options.publicKey);
  ok(await owner.POST('/v2/me/passkeys', { body: { flowId: options.flowId, name: 'MacBook (Touch ID)', response: response as never } }), 'register the passkey');
}

async function capture(page: Page, url: string, file: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('heading', { level: 1 }).first().waitFor({ state: 'visible', timeout: 15_000 });
  // Let the page's queries settle (a spinner is not a screenshot).
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: join(OUT, `${file}.png`) });
  console.log(`docs/screenshots/${file}.png`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const server = await startServer();
  let browser: Browser | undefined;
  try {
    const ids = await seed(server);
    browser = await launchBrowser();
    for (const width of [1280, 375]) {
      const context = await browser.newContext({ baseURL: server.origin, viewport: { width, height: HEIGHT } });
      const page = await context.newPage();
      const suffix = width === 1280 ? '' : `-${String(width)}`;
      const pages = SCREENSHOT_PAGES.filter((entry) => width === 1280 || entry.narrow);
      for (const entry of pages.filter((candidate) => candidate.public)) await capture(page, entry.url(ids), `${entry.name}${suffix}`);
      // Signed in through the console, as an operator would.
      await page.goto('/login');
      await page.getByLabel('Email').fill(server.email);
      await page.getByLabel('Password').fill(server.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL(/\/accounts\//);
      if (width === 1280) await addDemoPasskey(page, server);
      for (const entry of pages.filter((candidate) => !candidate.public)) await capture(page, entry.url(ids), `${entry.name}${suffix}`);
      await context.close();
    }
  } finally {
    await browser?.close();
    await server.stop();
  }
}

await main();
