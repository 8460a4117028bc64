/**
 * The account's own pages in the browser (SPEC §10): the account profile with its billing contact and
 * `requireMfa`, organizations (create, Set Organization, settings, delete, paging) and groups. What
 * the page shows is checked against what the API then holds.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectData, expectStatus } from '#test/support/local-api.ts';
import { checkPage, newAccount, signInWithPassword, useConsole } from '#test/support/console.ts';
import { createOrganization } from '#test/support/organizations.ts';

const { api, open } = useConsole();

/** axe and the no-horizontal-scroll rule at desktop width and at 375 px, on the same page. */
async function checkBothWidths(page: Page, label: string): Promise<void> {
  await checkPage(page, `${label} (1280)`);
  await page.setViewportSize({ width: 375, height: 900 });
  await checkPage(page, `${label} (375)`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

/**
 * Signs in, then reloads: the sign-in button's pending announcement (React Aria's live region) names
 * the button by id after it is gone, which axe would blame on the next page. The reload also proves the
 * cookie brings the session back.
 */
async function signIn(page: Page, email: string, password: string): Promise<void> {
  await signInWithPassword(page, email, password);
  await page.reload();
  // Signed in again once the operator's e-mail is in the menu; navigating before the silent refresh
  // answers would replay the rotated cookie (and the API would end the session, as it should).
  await page.getByRole('button', { name: `Operator menu: ${email}` }).waitFor();
}

/** Polls with room for a loaded machine. */
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 15_000 });

/** The text of the field error React Aria shows under the field labelled `label`. */
const fieldError = (page: Page, label: string) => page.locator('.field', { has: page.getByLabel(label, { exact: true }) }).locator('[slot="errorMessage"]');

describe('account page', { timeout: 120_000 }, () => {
  it('lets an owner change the name, billing contact and requireMfa, and shows the API field error beside its field', async () => {
    const account = await newAccount(api);
    const owner = api.as(account.owner.accessToken);
    const { page, done } = await open('/');
    await signIn(page, account.owner.email, account.owner.password);
    await page.getByRole('heading', { level: 1, name: 'Account' }).waitFor();
    await checkBothWidths(page, 'account page');

    // 101 characters: the API refuses it, naming body.name; the page puts its words under the field.
    await page.getByLabel('Account name').fill('x'.repeat(101));
    await page.getByRole('button', { name: 'Save' }).click();
    await poll(() => fieldError(page, 'Account name').textContent()).toMatch(/100/);
    expect(await page.getByLabel('Account name').getAttribute('aria-invalid')).toBe('true');
    expect(expectData(await owner.GET('/v2/accounts/{accountId}', { params: { path: { accountId: account.accountId } } }), 200).name).not.toBe('x'.repeat(101));

    // Typing again clears the API's verdict (until the next save).
    await page.getByLabel('Account name').fill('Renamed Ltd');
    expect(await page.getByLabel('Account name').getAttribute('aria-invalid')).toBeNull();
    await page.getByLabel('Contact name').fill('Ada Billing');
    await page.getByLabel('Contact e-mail').fill('billing@example.com');
    await page.getByRole('switch', { name: 'Require two-factor authentication' }).press('Space');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

    const saved = expectData(await owner.GET('/v2/accounts/{accountId}', { params: { path: { accountId: account.accountId } } }), 200);
    expect(saved).toMatchObject({ name: 'Renamed Ltd', billingContact: { name: 'Ada Billing', email: 'billing@example.com' }, settings: { requireMfa: true } });
    // requireMfa now covers this owner, who has no second factor: their password-only session cannot be
    // refreshed, so a reload (the access token is in memory only) lands on the sign-in page.
    await page.reload();
    await page.waitForURL(/\/login/);
    await done();
  });
});

describe('organizations', { timeout: 120_000 }, () => {
  it('creates one, sets it from the top-right menu (kept across a reload), edits its settings and deletes it after a confirmation', async () => {
    const account = await newAccount(api);
    const owner = api.as(account.owner.accessToken);
    const { page, done } = await open('/');
    await signIn(page, account.owner.email, account.owner.password);
    await page.getByRole('link', { name: 'Organizations' }).click();
    await page.getByText('No organizations yet.').first().waitFor();
    await checkBothWidths(page, 'organizations page (empty)');

    await page.getByLabel('New organization name').fill('Northwind');
    await page.getByRole('button', { name: 'Create organization' }).click();
    await page.getByRole('link', { name: 'Northwind' }).waitFor();
    const listed = expectData(await owner.GET('/v2/accounts/{accountId}/organizations', { params: { path: { accountId: account.accountId } } }), 200);
    const created = listed.items.find((item) => item.name === 'Northwind');
    expect(created).toBeDefined();
    const orgId = created?.id ?? '';

    // The Set Organization menu lists the new one at once.
    await page.getByRole('button', { name: /Set Organization/ }).click();
    await page.getByRole('menuitemradio', { name: 'Northwind' }).click();
    await page.waitForURL(new RegExp(`/organizations/${orgId}/systems$`));
    await page.reload();
    await poll(() => page.getByRole('button', { name: /Set Organization/ }).textContent()).toContain('Northwind');
    await page.getByRole('button', { name: /Set Organization/ }).click();
    expect(await page.getByRole('menuitemradio', { name: 'Northwind' }).getAttribute('aria-checked')).toBe('true');
    await page.keyboard.press('Escape');

    await page.getByRole('link', { name: 'Organization settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Organization Northwind' }).waitFor();
    await checkBothWidths(page, 'organization page');
    // A country outside the deployment's list: the API names the entry; the page shows it by the list.
    await page.getByLabel('Country code to add').fill('ZZ');
    await page.getByRole('button', { name: 'Add country' }).click();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('alert').filter({ hasText: /countr|ZZ|ISO/i }).waitFor();
    await page.getByRole('button', { name: 'Remove ZZ' }).click();

    await page.getByLabel('SMS daily limit').fill('50');
    await page.getByLabel('E-mail daily limit').fill('70');
    await page.getByLabel('Country code to add').fill('fr');
    await page.getByRole('button', { name: 'Add country' }).click();
    await page.getByLabel('Country code to add').fill('GB');
    await page.getByRole('button', { name: 'Add country' }).click();
    await page.getByRole('switch', { name: 'Require two-factor authentication' }).press('Space');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const settings = expectData(await owner.GET('/v2/organizations/{orgId}', { params: { path: { orgId } } }), 200).settings;
    expect(settings).toEqual({ requireMfa: true, smsDailyLimit: 50, emailDailyLimit: 70, smsAllowedCountries: ['FR', 'GB'] });

    // Cancel first: nothing changes.
    await page.getByRole('button', { name: 'Delete organization' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click();
    expectStatus(await owner.GET('/v2/organizations/{orgId}', { params: { path: { orgId } } }), 200);
    await page.getByRole('button', { name: 'Delete organization' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(new RegExp(`/accounts/${account.accountId}/organizations$`));
    expectStatus(await owner.GET('/v2/organizations/{orgId}', { params: { path: { orgId } } }), 404);
    await page.getByText('No organizations yet.').first().waitFor();
    await done();
  });

  it('pages through more organizations than fit on one page, forward and back', async () => {
    const account = await newAccount(api);
    await Promise.all(Array.from({ length: 21 }, (_, index) => createOrganization(api, account.accountId, account.owner.accessToken, { name: `Paged ${String(index).padStart(2, '0')}` })));
    const { page, done } = await open('/');
    await signIn(page, account.owner.email, account.owner.password);
    await page.getByRole('link', { name: 'Organizations' }).click();
    const rows = page.getByRole('grid', { name: 'Organizations' }).getByRole('row');
    await poll(() => rows.count()).toBe(21); // the header row and 20
    await page.getByRole('button', { name: 'Next' }).click();
    await poll(() => rows.count()).toBe(2);
    await page.getByRole('button', { name: 'Previous' }).click();
    await poll(() => rows.count()).toBe(21);
    await checkBothWidths(page, 'organizations page (full)');
    await done();
  });
});

describe('groups', { timeout: 120_000 }, () => {
  it('creates, renames and deletes a group', async () => {
    const account = await newAccount(api);
    const owner = api.as(account.owner.accessToken);
    const organization = await createOrganization(api, account.accountId, account.owner.accessToken, { name: 'Contoso' });
    const { page, done } = await open('/');
    await signIn(page, account.owner.email, account.owner.password);
    await page.getByRole('link', { name: 'Groups' }).click();
    await page.getByText('No groups yet.').waitFor();

    await page.getByLabel('New group name').fill('Europe');
    await page.getByRole('checkbox', { name: 'Contoso' }).press('Space');
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.getByRole('rowheader', { name: 'Europe' }).waitFor();
    const groups = () => owner.GET('/v2/accounts/{accountId}/groups', { params: { path: { accountId: account.accountId } } });
    expect(expectData(await groups(), 200).items).toEqual([expect.objectContaining({ name: 'Europe', organizations: [organization.id] })]);
    await checkBothWidths(page, 'groups page');

    await page.getByRole('button', { name: 'Edit group Europe' }).click();
    await page.getByRole('dialog').getByLabel('Group name').fill('EMEA');
    await page.getByRole('dialog').getByRole('button', { name: 'Save group' }).click();
    await page.getByRole('rowheader', { name: 'EMEA' }).waitFor();
    expect(expectData(await groups(), 200).items).toEqual([expect.objectContaining({ name: 'EMEA' })]);

    await page.getByRole('button', { name: 'Delete group EMEA' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete group' }).click();
    await page.getByText('No groups yet.').waitFor();
    expect(expectData(await groups(), 200).items).toEqual([]);
    await done();
  });
});
