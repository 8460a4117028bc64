/**
 * The console's sign-up and sign-in pages (SPEC §10): sign up in `open` mode, the API's words for a
 * wrong password; both pages pass axe at 1280 and 375 px. The second factor is in profile-2fa.test.ts,
 * the e-mailed links in password-reset.test.ts and accept-invitation.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { expectData } from '#test/support/local-api.ts';
import { checkPage, newAccount, useConsole } from '#test/support/console.ts';
import { signupBody } from '#test/support/factories.ts';
import { logIn } from '#test/support/tenancy.ts';

const { api, open } = useConsole();

describe('console: sign up and sign in', () => {
  it('signs up through the page (local mode is open) and lands on the new account', async () => {
    const body = signupBody();
    const { page, done } = await open('/signup');
    await checkPage(page, 'sign-up page 1280');
    await page.getByLabel('Account name').fill(body.accountName);
    await page.getByLabel('Email').fill(body.email);
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    // The API's field message, next to the field.
    await page.getByText('must be at least 12 characters').waitFor();
    expect(await page.getByRole('textbox', { name: 'Password' }).getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Password').fill(body.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/accounts\/[^/]+$/);
    const accountId = new URL(page.url()).pathname.split('/')[2] ?? '';

    const me = expectData(await api.as(await logIn(api, body.email, body.password)).GET('/v2/me'), 200);
    expect(me.memberships).toEqual([expect.objectContaining({ accountId, accountName: body.accountName, role: 'owner' })]);
    await done();
  });

  it('shows the API’s words for a wrong password, and passes axe at both widths', async () => {
    const account = await newAccount(api);
    const narrow = await open('/signup', 375);
    await checkPage(narrow.page, 'sign-up page 375');
    await narrow.page.goto('/login');
    await checkPage(narrow.page, 'sign-in page 375');
    await narrow.done();

    const { page, done } = await open('/login');
    await checkPage(page, 'sign-in page 1280');
    await page.getByLabel('Email').fill(account.owner.email);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Email or password is incorrect.' }).waitFor();
    await page.getByLabel('Password').fill(account.owner.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(new RegExp(`/accounts/${account.accountId}$`));
    await done();
  });
});
