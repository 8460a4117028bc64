/**
 * The Profile page's Disable 2FA (confirmed, with the password) and Change password (the API's words
 * for a wrong current password, then the new one works) (SPEC §10).
 */
import { describe, expect, it } from 'vitest';
import { expectData } from '#test/support/local-api.ts';
import { newAccount, signInWithPassword, useConsole } from '#test/support/console.ts';
import { strongPassword } from '#test/support/factories.ts';
import { logIn } from '#test/support/tenancy.ts';
import { enrolOperator } from '#test/support/totp.ts';

const { api, open } = useConsole();

describe('console: profile password and Disable 2FA', () => {
  it('disables 2FA after a confirmation, and changes the password', async () => {
    const account = await newAccount(api);
    const { page, done } = await open('/login');
    await signInWithPassword(page, account.owner.email, account.owner.password);
    // TOTP turned on elsewhere (the API) while this password-only session's access token still runs.
    await enrolOperator(api, account.owner.accessToken, account.owner.password);
    // Through the menu, not a reload: a reload would refresh, and a password-only session of someone
    // who now has TOTP cannot refresh (the session gate); the access token in memory still runs.
    await page.getByRole('button', { name: /Operator menu/ }).click();
    await page.getByRole('menuitem', { name: 'Profile' }).click();
    await page.getByText('Recovery codes left: 10').waitFor();

    await page.getByRole('button', { name: 'Disable 2FA' }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.getByLabel('Or your password').fill(account.owner.password);
    await dialog.getByRole('button', { name: 'Disable 2FA' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Enable 2FA' }).waitFor();
    expect(expectData(await api.as(account.owner.accessToken).GET('/v2/me'), 200).mfa.totp).toBe(false);

    const newPassword = strongPassword();
    await page.getByLabel('Current password').fill('not my password at all');
    await page.getByLabel('New password').fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').filter({ hasText: 'The current password is incorrect.' }).waitFor();
    await page.getByLabel('Current password').fill(account.owner.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').filter({ hasText: 'Password changed' }).waitFor();
    expect(await logIn(api, account.owner.email, newPassword)).toBeTruthy();
    await done();
  });
});
