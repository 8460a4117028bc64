/**
 * Access keys in the browser (SPEC §3, §10): the secret is shown once with Copy, works against the
 * API, is gone after a reload; revoking asks first and the API then refuses the key. The list pages
 * with the API's cursors.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { checkPage, newAccount, signInWithPassword, useConsole } from '#test/support/console.ts';
import { createApiKey, createOrganization } from '#test/support/organizations.ts';

const { api, open } = useConsole();

const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 15_000 });

/** Signs in and reloads (see account.test.ts: the sign-in button's announcement, the cookie). */
async function signIn(page: Page, email: string, password: string): Promise<void> {
  await signInWithPassword(page, email, password);
  await page.reload();
  await page.getByRole('button', { name: `Operator menu: ${email}` }).waitFor();
}

describe('access keys', { timeout: 120_000 }, () => {
  it('shows a new key once, with Copy; the key works until revoked after a confirmation', async () => {
    const account = await newAccount(api);
    const organization = await createOrganization(api, account.accountId, account.owner.accessToken, { name: 'Initech' });
    const { page, context, done } = await open('/');
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await signIn(page, account.owner.email, account.owner.password);
    await page.getByRole('link', { name: 'Access keys' }).click();
    await page.getByText('No access keys yet.').waitFor();
    await checkPage(page, 'access keys page (1280)');
    await page.setViewportSize({ width: 375, height: 900 });
    await checkPage(page, 'access keys page (375)');
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.getByLabel('Key name').fill('checkout backend');
    await page.getByRole('checkbox', { name: /^manage/ }).press('Space');
    await page.getByRole('checkbox', { name: 'Initech' }).press('Space');
    await page.getByRole('button', { name: 'Create access key' }).click();
    const secret = page.getByLabel('Access key', { exact: true });
    await secret.waitFor();
    const key = await secret.inputValue();
    expect(key).toMatch(/^pck_/);
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(key);

    // It works against the API where its permissions reach.
    const reached = await fetch(`${api.url()}/v2/organizations/${organization.id}`, { headers: { apikey: key } });
    expect(reached.status).toBe(200);

    // Not shown again: a reload has only the list.
    await page.reload();
    await page.getByRole('rowheader', { name: 'checkout backend' }).waitFor();
    expect(await page.getByLabel('Access key', { exact: true }).count()).toBe(0);
    expect(await page.content()).not.toContain(key);

    await page.getByRole('button', { name: 'Revoke key checkout backend' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click();
    expect((await fetch(`${api.url()}/v2/organizations/${organization.id}`, { headers: { apikey: key } })).status).toBe(200);
    await page.getByRole('button', { name: 'Revoke key checkout backend' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke key' }).click();
    await poll(() => page.getByRole('row').filter({ hasText: 'checkout backend' }).textContent()).toContain('Revoked');
    const refused = await fetch(`${api.url()}/v2/organizations/${organization.id}`, { headers: { apikey: key } });
    expect(refused.status).toBe(401);
    await done();
  });

  it('pages through more keys than fit on one page, forward and back', async () => {
    const account = await newAccount(api);
    await Promise.all(Array.from({ length: 21 }, () => createApiKey(account.accountId, ['authenticate'])));
    const { page, done } = await open('/');
    await signIn(page, account.owner.email, account.owner.password);
    await page.getByRole('link', { name: 'Access keys' }).click();
    const rows = page.getByRole('grid', { name: 'Access keys' }).getByRole('row');
    await poll(() => rows.count()).toBe(21); // the header row and 20
    await page.getByRole('button', { name: 'Next' }).click();
    await poll(() => rows.count()).toBe(2);
    await page.getByRole('button', { name: 'Previous' }).click();
    await poll(() => rows.count()).toBe(21);
    await checkPage(page, 'access keys page (full)');
    await done();
  });
});
