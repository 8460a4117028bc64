/**
 * Sign-up in `verify-email` mode (a deployment's default, SPEC §4): the page says to check the inbox,
 * the e-mailed link opens /verify-email, which leaves the address bar without its token, creates the
 * account and signs in on it.
 */
import { describe, expect, it } from 'vitest';
import { expectData } from '#test/support/local-api.ts';
import { checkPage, useConsole } from '#test/support/console.ts';
import { checkPageWhenAnnounced, expectNoToken, pathOf } from '#test/support/console-links.ts';
import { signupBody } from '#test/support/factories.ts';
import { lastEmail, linkIn } from '#test/support/sign-in.ts';
import { logIn } from '#test/support/tenancy.ts';

const { api, open } = useConsole({ environment: { SIGNUP_MODE: 'verify-email' } });

describe('console: sign up with e-mail verification', () => {
  it('asks to check the inbox, then the e-mailed link creates the account and signs in', async () => {
    const body = signupBody();
    const { page, done } = await open('/signup');
    await page.getByLabel('Account name').fill(body.accountName);
    await page.getByLabel('Email').fill(body.email);
    await page.getByLabel('Password').fill(body.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();
    await checkPageWhenAnnounced(page, 'check-your-e-mail page');

    const link = linkIn(await lastEmail(api, body.email, /Confirm your e-mail/));
    expect(new URL(link.url).pathname).toBe('/verify-email');
    await page.goto(pathOf(link.url));
    await page.waitForURL(/\/accounts\/[^/]+$/);
    await expectNoToken(page, link.token);
    const accountId = new URL(page.url()).pathname.split('/')[2] ?? '';
    const me = expectData(await api.as(await logIn(api, body.email, body.password)).GET('/v2/me'), 200);
    expect(me.memberships).toEqual([expect.objectContaining({ accountId, role: 'owner' })]);

    // The link works once: opened again, the page shows the API's answer.
    await page.goto(pathOf(link.url));
    await page.getByRole('alert').waitFor();
    await checkPage(page, 'verify-email page (spent link)');
    await page.setViewportSize({ width: 375, height: 900 });
    await checkPage(page, 'verify-email page (spent link) 375');
    await done();
  });
});
