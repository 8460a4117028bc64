import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

describe('npm start', () => {
  it('boots DynamoDB Local, seeds the demo owner, organization and key, serves the API, and stops cleanly on Ctrl-C', async () => {
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
      const deadline = Date.now() + 90_000;
      while (!output.includes('SMS sent by the API')) {
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
      expect(url && email && password && dynamodb && organizationId && apiKey).toBeTruthy();

      // The printed key works on its organization.
      const organization = await fetch(`${url}/v2/organizations/${organizationId}`, { headers: { apikey: apiKey ?? '' } });
      expect(organization.status).toBe(200);
      expect(((await organization.json()) as { name: string }).name).toBe('Demo Organization');

      // The printed sign-in works as printed: start, read the PIN from the outbox, complete.
      const signIn = { email: 'jane@example.com', system: 'demo-app' };
      const post = (path: string, body: unknown) =>
        fetch(`${url}${path}`, { method: 'POST', headers: { apikey: apiKey ?? '', 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(output).toContain(signIn.email);
      expect((await post('/v2/user/authenticate', signIn)).status).toBe(202);
      const sms = (await (await fetch(`${url}/_local/sms`)).json()) as { items: { body: string }[] };
      const pin = /\b(\d{6})\b/.exec(sms.items[0]?.body ?? '')?.[1];
      const completed = await post('/v2/system/authenticate/user', { ...signIn, pin });
      expect(completed.status).toBe(200);
      expect(await completed.json()).toMatchObject({ authenticated: true, tokenType: 'Bearer', user: { email: signIn.email } });

      const login = await fetch(`${url}/v2/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      expect(login.status).toBe(200);
      const { accessToken } = (await login.json()) as { accessToken: string };
      const me = await fetch(`${url}/v2/me`, { headers: { authorization: `Bearer ${accessToken}` } });
      expect(((await me.json()) as { memberships: { role: string }[] }).memberships[0]?.role).toBe('owner');

      child.kill('SIGINT');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
      // The emulator went down with it.
      await expect(fetch(dynamodb ?? '')).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
