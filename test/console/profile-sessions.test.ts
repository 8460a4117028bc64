/**
 * The Profile page's sessions and password (SPEC §10): the list of the operator's sessions with the
 * current one marked; signing out another browser from here ends it (its next refresh lands on the
 * sign-in page); signing out everywhere ends this one too. And a login the account requires 2FA for
 * sets it up inside the sign-in page and finishes signed in.
 */
import { describe, expect, it } from 'vitest';
import { expectData } from '#test/support/local-api.ts';
import { newAccount, signInWithPassword, useConsole } from '#test/support/console.ts';
import { referenceCode } from '#test/support/totp.ts';

const { api, open } = useConsole();

describe('console: my sessions', () => {
  it('signs another browser out from the list, then everywhere', async () => {
    const account = await newAccount(api);
    const other = await open('/login');
    await signInWithPassword(other.page, account.owner.email, account.owner.password);
    const mine = await open('/login');
    await signInWithPassword(mine.page, account.owner.email, account.owner.password);

    // Newest login first: this browser, the other one, then the API sign-up the account began with.
    const before = expectData(await api.as(account.owner.accessToken).GET('/v2/me/sessions'), 200).items;
    expect(before).toHaveLength(3);
    const otherSession = before[1];

    await mine.page.goto('/profile');
    const rows = mine.page.getByRole('row');
    await mine.page.getByRole('grid', { name: 'Your sessions' }).waitFor();
    expect(await rows.count()).toBe(4); // the header and three sessions
    expect(await rows.nth(1).textContent()).toContain('(this session)');
    expect(await rows.nth(2).textContent()).not.toContain('(this session)');
    await rows.nth(2).getByRole('button', { name: /Sign out the session/ }).click();
    await mine.page.getByRole('alertdialog').getByRole('button', { name: 'Sign out' }).click();
    await mine.page.getByRole('alertdialog').waitFor({ state: 'detached' });
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(3);

    const after = expectData(await api.as(account.owner.accessToken).GET('/v2/me/sessions'), 200).items;
    expect(after.map((item) => item.id)).not.toContain(otherSession?.id);
    // The other browser's next refresh fails: a reload sends it to the sign-in page.
    await other.page.reload();
    await other.page.waitForURL(/\/login/);
    await other.done();

    await mine.page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await mine.page.getByRole('alertdialog').getByRole('button', { name: 'Sign out everywhere' }).click();
    await mine.page.waitForURL(/\/login/);
    await mine.page.reload();
    await mine.page.waitForURL(/\/login/);
    await mine.done();
  });
});

describe('console: 2FA required by the account', () => {
  it('sets up 2FA inside the sign-in page and finishes signed in', async () => {
    const account = await newAccount(api);
    expectData(
      await api.as(account.owner.accessToken).PATCH('/v2/accounts/{accountId}', { params: { path: { accountId: account.accountId } }, body: { settings: { requireMfa: true } } }),
      200,
    );
    const { page, done } = await open('/login');
    await page.getByLabel('Email').fill(account.owner.email);
    await page.getByLabel('Password').fill(account.owner.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('requires two-factor authentication').waitFor();
    // The password was just checked: the wizard asks for none.
    expect(await page.getByRole('textbox', { name: 'Password', exact: true }).count()).toBe(0);
    await page.getByRole('button', { name: 'Get QR Code' }).click();
    const secret = ((await page.locator('.totp-secret').textContent()) ?? '').replace(/\s+/g, '');
    await page.getByLabel('Authentication code').fill(referenceCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('list', { name: 'Recovery codes' }).waitFor();
    await page.getByRole('button', { name: 'Done' }).click();
    await page.waitForURL(new RegExp(`/accounts/${account.accountId}$`));
    // Signed in for real: the page loads the operator through the API.
    await page.getByRole('button', { name: /Operator menu/ }).waitFor();
    await done();
  });
});
