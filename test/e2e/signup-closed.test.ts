/**
 * A deployment with sign-up `closed` (SPEC §4): signup and its verify answer 403 `signup_closed`,
 * and the first owner comes from the one-time command `npm run create-owner`, run here for real (a
 * child process against this run's DynamoDB Local) and accepted through the e-mailed invitation.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { config } from '#shared/config.ts';
import { auditRepository } from '#shared/compose/shared.ts';
import { accountKey } from '#shared/data/keys.ts';
import { signupBody, strongPassword, uniqueEmail } from '#test/support/factories.ts';
import { rawItem } from '#test/support/keys-events.ts';
import { expectData, expectProblem, useLocalApi } from '#test/support/local-api.ts';
import { emailsTo, linkIn } from '#test/support/sign-in.ts';

const api = useLocalApi({ environment: { SIGNUP_MODE: 'closed' } });

const ROOT = resolve(import.meta.dirname, '..', '..');

/** Runs `npm run create-owner -- …args` as an operator would (tsx, this run's environment), answering its exit code and output. */
function createOwner(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, failed) => {
    const child = spawn(resolve(ROOT, 'node_modules/.bin/tsx'), ['scripts/create-first-owner.ts', ...args], { cwd: ROOT, env: process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', failed);
    child.on('close', (code) => {
      done({ code, stdout, stderr });
    });
  });
}

describe('signup closed', () => {
  it('refuses signup and its verify with 403 signup_closed, and sends nothing', async () => {
    const body = signupBody();
    expectProblem(await api.client.POST('/v2/signup', { body }), 403, 'signup_closed');
    expectProblem(await api.client.POST('/v2/signup/verify', { body: { token: `psv_${'x'.repeat(43)}` } }), 403, 'signup_closed');
    expect(await emailsTo(api, body.email)).toEqual([]);
  });
});

describe('npm run create-owner', () => {
  it('creates the account and e-mails its first owner an invitation that makes them its owner', async () => {
    const email = uniqueEmail('first-owner');
    const accountName = `First ${email.slice(12, 20)}`;

    const run = await createOwner(['--email', email, '--account-name', accountName]);

    expect(run.code, run.stderr).toBe(0);
    // The outbox of the command's process printed the e-mail; the invitee's link is in it.
    const mail = run.stdout.slice(run.stdout.indexOf(`[email outbox] to ${email.toLowerCase()}`));
    expect(mail).toContain(`You are invited to join ${accountName}`);
    expect(mail).toContain('The administrators of this Portcullis deployment invited you');
    const { url, token } = linkIn({ to: email, subject: 'invitation', text: mail, html: '', sentAt: '' });
    expect(url).toBe(`${config().consoleUrl}/accept?token=${token}`);
    const summary = run.stdout.split('\n').find((line) => line.startsWith('Created the account')) ?? '';
    expect(summary).toContain(email.toLowerCase());
    expect(summary).not.toContain(token);
    const accountId = /\((acc_\w+)\)/.exec(summary)?.[1] ?? '';
    expect((await rawItem(accountKey(accountId)))?.ownerCount).toBe(0);

    const accepted = expectData(await api.client.POST('/v2/invitations/accept', { body: { token, password: strongPassword() } }), 200);
    if (!('accessToken' in accepted)) throw new Error(`expected a session, got ${JSON.stringify(accepted)}`);
    const me = expectData(await api.as(accepted.accessToken).GET('/v2/me'), 200);
    expect(me.memberships).toEqual([{ accountId, accountName, role: 'owner', scope: 'all' }]);
    expect((await rawItem(accountKey(accountId)))?.ownerCount).toBe(1);
    const events = (await auditRepository().listEvents({ accountId, limit: 10 })).items;
    expect(events.find((event) => event.type === 'invitation.created')).toMatchObject({ actor: { kind: 'system', id: null }, details: { role: 'owner' } });
    expect(JSON.stringify(events)).not.toContain(token);
  });

  it('refuses a bad address or name, creating nothing', async () => {
    for (const args of [['--email', 'not-an-email', '--account-name', 'X'], ['--email', uniqueEmail(), '--account-name', ''], ['--email', uniqueEmail()]]) {
      const run = await createOwner(args);
      expect(run.code, JSON.stringify(args)).toBe(2);
      expect(run.stderr).toMatch(/usage: npm run create-owner/);
      expect(run.stdout).not.toContain('Created the account');
    }
  });
});
