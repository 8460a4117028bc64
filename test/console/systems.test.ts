/**
 * Systems in the console (SPEC §10): the flow the issue names. Create a system with a PIN policy and
 * an end user through the pages, grant access, sign the user in through the API, and find that
 * sign-in in the audit log with the type filter. The system page's editors are in system-page.test.ts.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectData } from '#test/support/local-api.ts';
import { checkPage, newAccount, signInWithPassword, useConsole } from '#test/support/console.ts';
import { uniqueEndUserEmail, uniquePhone, uniqueSystemName } from '#test/support/directory.ts';
import { createApiKey, createOrganization } from '#test/support/organizations.ts';
import { completeSignIn, lastPin, startSignIn } from '#test/support/sign-in.ts';

const { api, open } = useConsole();

/** `expect.poll` with room for a busy machine (the default second is too short for a page's first load). */
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 15_000 });

/**
 * Waits until React Aria's live announcer has dropped its messages (a few seconds after a navigation,
 * a popover or a dialog): they point at elements that are gone by then, which axe reports as images without a name.
 */
async function announcementsCleared(page: Page): Promise<void> {
  await poll(() => page.locator('[role=log] [role=img]').count()).toBe(0);
}

/** An owner with one organization, signed in on a fresh page (at `width`) showing that organization's systems. */
async function signedInWithOrganization(width = 1280) {
  const account = await newAccount(api);
  const organization = await createOrganization(api, account.accountId, account.owner.accessToken);
  const consolePage = await open('/login', width);
  await signInWithPassword(consolePage.page, account.owner.email, account.owner.password);
  const base = `/accounts/${account.accountId}/organizations/${organization.id}`;
  return { account, orgId: organization.id, owner: api.as(account.owner.accessToken), base, ...consolePage };
}

describe('console systems', () => {
  it('creates a system with a PIN policy and an end user, grants access, and shows the API sign-in in the audit log', async () => {
    const { account, orgId, owner, base, page, done } = await signedInWithOrganization();
    await page.goto(`${base}/systems`);
    await poll(() => page.getByText('No system yet').isVisible()).toBe(true);
    await checkPage(page, 'systems page (empty)');

    const name = uniqueSystemName('shop');
    await page.getByLabel('Name').fill(name);
    // The chain starts as a PIN by SMS: the PIN policy the flow asks for.
    await poll(() => page.getByRole('grid', { name: 'Factor chain: factors in order' }).textContent()).toContain('1. PIN by SMS');
    await page.getByRole('button', { name: 'Create system' }).click();
    await page.waitForURL(new RegExp(`/systems/${name}$`));
    const created = expectData(await owner.GET('/v2/organizations/{orgId}/systems/{systemName}', { params: { path: { orgId, systemName: name } } }), 200);
    expect(created.policy.factors).toEqual(['pin']);

    // The end user, through the End users page (a French mobile: an allowed country locally).
    await page.getByRole('link', { name: 'End users' }).click();
    await page.waitForURL(/\/users$/);
    const email = uniqueEndUserEmail('shopper').toLowerCase();
    const phone = uniquePhone();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Mobile phone').fill(phone);
    await page.getByLabel('Name (optional)').fill('Ada Shopper');
    await page.getByRole('button', { name: 'Create end user' }).click();
    await page.waitForURL(/\/users\/[^/]+$/);
    const userId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');

    // Grant access on the system page: the ComboBox searches the organization's end users.
    await page.goto(`${base}/systems/${name}`);
    await poll(() => page.getByText('Nobody has access yet.').isVisible()).toBe(true);
    await page.getByRole('combobox', { name: 'End user' }).fill('shopper');
    await page.getByRole('option', { name: `${email} (Ada Shopper)` }).click();
    await page.getByRole('button', { name: 'Grant access' }).click();
    await poll(() => page.getByRole('grid', { name: 'End users with access' }).textContent()).toContain(email);
    const grants = expectData(await owner.GET('/v2/organizations/{orgId}/systems/{systemName}/access', { params: { path: { orgId, systemName: name } } }), 200);
    expect(grants.items.map((grant) => grant.userId)).toEqual([userId]);
    await announcementsCleared(page);
    await checkPage(page, 'system page');

    // The end user signs in through the API, as the customer's application would.
    const apikey = await createApiKey(account.accountId, ['authenticate'], [orgId]);
    const started = await startSignIn(api, apikey, { email, system: name, organization: orgId });
    expect(started.status).toBe(202);
    const signedIn = await completeSignIn(api, apikey, { email, system: name, organization: orgId, pin: await lastPin(api, phone), challengeId: started.body.challengeId });
    expect(signedIn.body).toMatchObject({ authenticated: true, user: { id: userId } });

    // The audit log shows it, filtered to the event type.
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.waitForURL(/\/audit/);
    await page.getByLabel('Event type').fill('challenge.verified');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/type=challenge\.verified/);
    const table = page.getByRole('grid', { name: 'Audit events' });
    await poll(() => table.getByRole('row').count()).toBe(2);
    const row = table.getByRole('row').nth(1);
    expect(await row.textContent()).toContain('challenge.verified');
    expect(await row.textContent()).toContain(`end_user ${userId}`);
    expect(await row.textContent()).toContain('completed: true');
    await announcementsCleared(page);
    await checkPage(page, 'audit log page');
    await done();
  });
});
