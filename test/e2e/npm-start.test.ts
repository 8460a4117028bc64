import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { createPortcullisClient } from '#client/index.ts';
import { CONSOLE_CSP } from '#shared/http/console-headers.ts';
import { expectData } from '#test/support/local-api.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('npm start', () => {
  it('boots DynamoDB Local, seeds the demo owner, organization and key, serves the API and the console, and stops cleanly on Ctrl-C', { timeout: 180_000 }, async () => {
    // The same entry point as `npm start`, on a free port.
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['local/start.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      // The first start of a fresh clone builds the console first (console/dist is not committed).
      const deadline = Date.now() + 150_000;
      while (!output.includes('e-mails sent by the API appear below')) {
        if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
        if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
        await new Promise((done) => setTimeout(done, 100));
      }
      const url = /Portcullis local API on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      const email = /email:\s+(\S+)/.exec(output)?.[1];
      const password = /password:\s+(\S+)/.exec(output)?.[1];
      const dynamodb = /DynamoDB Local at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      const organizationId = /organization:\s+(\S+)/.exec(output)?.[1];
      const apiKey = /apikey:\s+(pck_\S+)/.exec(output)?.[1];
      if (!(url && email && password && dynamodb && organizationId && apiKey)) throw new Error(`npm start printed no URL, login or key:\n${output}`);

      // The console is named at localhost (a browser refuses passkeys on an IP address), on the server's
      // port, and answers its index.html at / with the deployment's CSP and security headers.
      const port = new URL(url).port;
      expect(output).toContain(`Console: http://localhost:${port}/`);
      const index = await fetch(`http://localhost:${port}/`);
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(index.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
      expect(index.headers.get('x-frame-options')).toBe('DENY');
      const html = await index.text();
      expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/);
      // No inline script: the CSP's script-src 'self' would refuse it.
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      // A console route deep-linked (an e-mailed link) is the same page.
      const accept = await fetch(`http://localhost:${port}/accept?token=x`);
      expect([accept.status, await accept.text()]).toEqual([200, html]);

      // The printed key works on its organization, through the typed client as a newcomer would call it.
      const portcullis = createPortcullisClient({ baseUrl: url, apiKey });
      const organization = await portcullis.GET('/v2/organizations/{orgId}', { params: { path: { orgId: organizationId } } });
      expect(expectData(organization, 200).name).toBe('Demo Organization');

      // The printed sign-in works as printed: start, read the PIN from the outbox, complete.
      const signIn = { email: 'jane@example.com', system: 'demo-app' };
      expect(output).toContain(signIn.email);
      expectData(await portcullis.startSignIn(signIn), 202);
      // The outbox is a local-server route, outside the API document: plain fetch.
      const sms = (await (await fetch(`${url}/_local/sms`)).json()) as { items: { body: string }[] };
      const pin = /\b(\d{6})\b/.exec(sms.items[0]?.body ?? '')?.[1] ?? '';
      const completed = expectData(await portcullis.completeSignIn({ ...signIn, pin }), 200);
      expect(completed).toMatchObject({ authenticated: true, tokenType: 'Bearer', user: { email: signIn.email } });
      if (!completed.authenticated) throw new Error('expected a token');
      // Issued by the demo organization under the URL the server listens on (a free port here), as printed.
      const issuer = `${url}/v2/organizations/${organizationId}`;
      expect(output).toContain(`iss ${issuer}`);
      const jwks = createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`));
      await expect(jwtVerify(completed.token, jwks, { issuer, audience: signIn.system })).resolves.toBeTruthy();

      const login = expectData(await createPortcullisClient({ baseUrl: url }).POST('/v2/auth/login', { body: { email, password } }), 200);
      if (!('accessToken' in login)) throw new Error('the demo owner has no 2FA: login answers tokens');
      const me = expectData(await createPortcullisClient({ baseUrl: url, accessToken: login.accessToken }).GET('/v2/me'), 200);
      expect(me.memberships[0]?.role).toBe('owner');

      child.kill('SIGINT');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
      // The emulator went down with it.
      await expect(fetch(dynamodb)).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
