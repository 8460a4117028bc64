/**
 * A system's page in the console (SPEC §5, §9, §10): the policy editor (factor chain, a rule, the
 * API's field errors beside their fields), the OAuth client (redirect URIs, RS256, a secret shown
 * once and gone after a reload, deleted after a confirmation), revoking access and deleting the
 * system. Apart from systems.test.ts so each file stays within its time budget.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectData } from '#test/support/local-api.ts';
import { checkPage, newAccount, signInWithPassword, useConsole } from '#test/support/console.ts';
import { createEndUser, createSystem, grantAccess } from '#test/support/directory.ts';
import { createOrganization } from '#test/support/organizations.ts';

const { api, open } = useConsole();

/** `expect.poll` with room for a busy machine (the default second is too short for a page's first load). */
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 15_000 });

/** An owner with one organization, signed in on a fresh page (at `width`) showing that organization's systems. */
async function signedInWithOrganization(width = 1280) {
  const account = await newAccount(api);
  const organization = await createOrganization(api, account.accountId, account.owner.accessToken);
  const consolePage = await open('/login', width);
  await signInWithPassword(consolePage.page, account.owner.email, account.owner.password);
  const base = `/accounts/${account.accountId}/organizations/${organization.id}`;
  return { account, orgId: organization.id, owner: api.as(account.owner.accessToken), base, ...consolePage };
}

/**
 * Waits until React Aria's live announcer has dropped its messages (a few seconds after a popover or
 * dialog closes): they point at elements that are gone by then, which axe reports as images without a name.
 */
async function announcementsCleared(page: Page): Promise<void> {
  await poll(() => page.locator('[role=log] [role=img]').count()).toBe(0);
}

/** The `Select` labelled `label` (inside `scope`) set to `option`. */
async function choose(page: Page, scope: ReturnType<Page['locator']> | Page, label: string, option: string): Promise<void> {
  await scope.getByRole('button', { name: new RegExp(label) }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

describe('console system page', () => {
  it('edits the factor chain and a rule, shows the API field error beside its field, and sets up the OAuth client', async () => {
    const { account, orgId, owner, base, page, done } = await signedInWithOrganization(375);
    const system = await createSystem(api, orgId, account.owner.accessToken, { policy: { factors: ['pin'] } });
    await page.goto(`${base}/systems/${system.name}`);
    const chain = page.getByRole('group', { name: 'Factor chain', exact: true });
    await poll(() => chain.getByRole('grid').textContent()).toContain('1. PIN by SMS');
    await checkPage(page, 'policy editor at 375 px');

    // Add TOTP, then move it first: the chain becomes totp → pin.
    await choose(page, chain, 'Add a factor', 'Authenticator app (TOTP)');
    await chain.getByRole('button', { name: 'Add factor' }).click();
    await chain.getByRole('button', { name: 'Move Authenticator app (TOTP) up' }).click();
    expect(await chain.getByRole('grid').textContent()).toMatch(/1\. Authenticator app \(TOTP\).*2\. PIN by SMS/);

    // A rule: inside 10.0.0.0/8, a PIN alone.
    await page.getByRole('button', { name: 'Add rule' }).click();
    const rule = page.getByRole('group', { name: 'Rule 1', exact: true });
    await rule.getByLabel('IP address is in').fill('10.0.0.0/8, 300.1.1.1/8');
    await rule.getByRole('button', { name: 'Remove Authenticator app (TOTP)' }).click();
    await page.getByRole('button', { name: 'Save policy' }).click();
    // The API refuses the bad CIDR: its message is beside the rule's IP field, and nothing was saved.
    const ipField = rule.getByLabel('IP address is in');
    await poll(() => ipField.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await ipField.getAttribute('aria-describedby')) ?? '';
    expect(describedBy).not.toBe('');
    expect(await rule.locator('.field', { has: page.getByLabel('IP address is in') }).textContent()).toContain('must be an IPv4 or IPv6 CIDR block');
    expect(expectData(await owner.GET('/v2/organizations/{orgId}/systems/{systemName}', { params: { path: { orgId, systemName: system.name } } }), 200).policy.factors).toEqual(['pin']);

    // An out-of-range PIN length: the API's bound, beside the PIN length field.
    await page.getByLabel('PIN length').fill('12');
    await ipField.fill('10.0.0.0/8');
    await page.getByRole('button', { name: 'Save policy' }).click();
    const pinLength = page.getByLabel('PIN length');
    await poll(() => pinLength.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.field', { has: pinLength }).textContent()).toContain('must be at most 8');

    await pinLength.fill('7');
    // Enter in the field submits the form (a click would land where the cleared error message was).
    await pinLength.press('Enter');
    await poll(() => page.getByText('Policy saved.').isVisible()).toBe(true);
    const saved = expectData(await owner.GET('/v2/organizations/{orgId}/systems/{systemName}', { params: { path: { orgId, systemName: system.name } } }), 200);
    expect(saved.policy).toMatchObject({ factors: ['totp', 'pin'], rules: [{ if: { ipCidr: ['10.0.0.0/8'] }, factors: ['pin'] }], pin: { length: 7 } });

    // OAuth client: a redirect URI and RS256.
    await page.getByRole('button', { name: 'Add redirect URI' }).click();
    await page.getByRole('textbox', { name: 'Redirect URI 1', exact: true }).fill('https://shop.example.com/callback');
    await choose(page, page, 'Token signing algorithm', 'RS256 (RSA)');
    await page.getByRole('button', { name: 'Save OAuth settings' }).click();
    await poll(() => page.getByText('OAuth settings saved.').isVisible()).toBe(true);
    const oauth = expectData(await owner.GET('/v2/organizations/{orgId}/systems/{systemName}', { params: { path: { orgId, systemName: system.name } } }), 200);
    expect(oauth).toMatchObject({ redirectUris: ['https://shop.example.com/callback'], tokenSigningAlg: 'RS256', hasClientSecret: false });

    // A client secret: shown once, gone after a reload.
    await page.getByRole('button', { name: 'Create secret' }).click();
    const secretField = page.getByRole('textbox', { name: `Client secret of ${system.name}` });
    await poll(() => secretField.inputValue()).toMatch(/^pcs_/);
    const secret = await secretField.inputValue();
    expect(expectData(await owner.GET('/v2/organizations/{orgId}/systems/{systemName}', { params: { path: { orgId, systemName: system.name } } }), 200).hasClientSecret).toBe(true);
    await announcementsCleared(page);
    await checkPage(page, 'system page with a secret at 375 px');
    await page.reload();
    await poll(() => page.getByRole('button', { name: 'Delete secret' }).isVisible()).toBe(true);
    expect(await page.content()).not.toContain(secret);

    await page.getByRole('button', { name: 'Delete secret' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete secret' }).click();
    await poll(() => page.getByRole('button', { name: 'Create secret' }).isVisible()).toBe(true);
    expect(expectData(await owner.GET('/v2/organizations/{orgId}/systems/{systemName}', { params: { path: { orgId, systemName: system.name } } }), 200).hasClientSecret).toBe(false);
    await done();
  });

  it('revokes access after a confirmation, and deletes the system', async () => {
    const { account, orgId, owner, base, page, done } = await signedInWithOrganization();
    const system = await createSystem(api, orgId, account.owner.accessToken);
    const user = await createEndUser(api, orgId, account.owner.accessToken);
    await grantAccess(api, orgId, account.owner.accessToken, system.name, user.id);
    await page.goto(`${base}/systems`);
    await page.getByRole('grid', { name: 'Systems' }).waitFor();
    await checkPage(page, 'systems page with a system');
    await page.getByRole('link', { name: system.name }).click();
    await page.getByRole('button', { name: `Revoke access of ${user.email}` }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke access' }).click();
    await poll(() => page.getByText('Nobody has access yet.').isVisible()).toBe(true);
    const grants = expectData(await owner.GET('/v2/organizations/{orgId}/systems/{systemName}/access', { params: { path: { orgId, systemName: system.name } } }), 200);
    expect(grants.items).toEqual([]);

    await page.getByRole('button', { name: 'Delete system' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click();
    expect((await owner.GET('/v2/organizations/{orgId}/systems/{systemName}', { params: { path: { orgId, systemName: system.name } } })).response.status).toBe(200);
    await page.getByRole('button', { name: 'Delete system' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete system' }).click();
    await page.waitForURL(/\/systems$/);
    expect((await owner.GET('/v2/organizations/{orgId}/systems/{systemName}', { params: { path: { orgId, systemName: system.name } } })).response.status).toBe(404);
    await page.getByText('No system yet').waitFor();
    await done();
  });
});
