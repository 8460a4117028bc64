/**
 * Forgot and reset password in the console (SPEC §10): the page answers alike for every address, the
 * e-mailed link's token leaves the address bar, the new password signs in and the old one does not.
 */
import { describe, expect, it } from 'vitest';
import { checkPage, newAccount, signInWithPassword, useConsole } from '#test/support/console.ts';
import { expectNoToken, pathOf } from '#test/support/console-links.ts';
import { strongPassword } from '#test/support/factories.ts';
import { lastEmail, linkIn } from '#test/support/sign-in.ts';

const { api, open } = useConsole();

describe('console: forgot and reset password', () => {
  it('sends the link, resets from the e-mail, and signs in with the new password', async () => {
    const account = await newAccount(api);
    const { page, done } = await open('/login');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.waitForURL(/\/forgot-password$/);
    await checkPage(page, 'forgot-password page 1280');
    await page.getByLabel('Email').fill(account.owner.email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByRole('status').filter({ hasText: `If ${account.owner.email} has a login` }).waitFor();

    const link = linkIn(await lastEmail(api, account.owner.email, /Reset your Portcullis password/));
    await page.goto(pathOf(link.url));
    await expectNoToken(page, link.token);
    await checkPage(page, 'reset-password page 1280');
    const newPassword = strongPassword();
    await page.getByRole('textbox', { name: 'New password' }).fill(newPassword);
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('status').filter({ hasText: 'Your password is changed' }).waitFor();
    await page.getByRole('link', { name: 'Sign in' }).first().click();
    await signInWithPassword(page, account.owner.email, newPassword);
    expect(new URL(page.url()).pathname).toBe(`/accounts/${account.accountId}`);
    await done();
  });

  it('shows the API’s answer to a spent or unknown link, and passes axe at 375 px', async () => {
    const { page, done } = await open('/forgot-password', 375);
    await checkPage(page, 'forgot-password page 375');
    await page.goto('/reset-password?token=ppr_not-a-real-one');
    await expectNoToken(page, 'ppr_not-a-real-one');
    await checkPage(page, 'reset-password page 375');
    await page.getByRole('textbox', { name: 'New password' }).fill(strongPassword());
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('alert').filter({ hasText: /link/i }).waitFor();
    await done();
  });
});
