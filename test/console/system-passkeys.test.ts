/**
 * A system's passkey settings in the console (SPEC §10, §11): the relying party (RP ID and origins)
 * set on the system page and saved with a policy that names Passkey; the API's field errors beside
 * the origin and the RP ID they name; "Turn off passkeys" confirmed, refused while the policy still
 * asks for a passkey (the API's reason beside the settings), accepted once it does not.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectData } from '#test/support/local-api.ts';
import { checkPage, newAccount, signInWithPassword, useConsole } from '#test/support/console.ts';
import { createSystem } from '#test/support/directory.ts';
import { createOrganization } from '#test/support/organizations.ts';

const { api, open } = useConsole();

/** `expect.poll` with room for a busy machine (the default second is too short for a page's first load). */
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 15_000 });

/** Waits until React Aria's live announcer has dropped its messages (they point at elements gone by then, which axe flags). */
async function announcementsCleared(page: Page): Promise<void> {
  await poll(() => page.locator('[role=log] [role=img]').count()).toBe(0);
}

describe('console system page: passkeys', () => {
  it('sets the relying party with a Passkey policy, shows the API errors beside their fields, and turns passkeys off after a confirmation', async () => {
    const account = await newAccount(api);
    const organization = await createOrganization(api, account.accountId, account.owner.accessToken);
    const orgId = organization.id;
    const owner = api.as(account.owner.accessToken);
    const system = await createSystem(api, orgId, account.owner.accessToken, { policy: { factors: ['pin'] } });
    const read = async () => expectData(await owner.GET('/v2/organizations/{orgId}/systems/{systemName}', { params: { path: { orgId, systemName: system.name } } }), 200);

    const { page, done } = await open('/login');
    await signInWithPassword(page, account.owner.email, account.owner.password);
    await page.goto(`/accounts/${account.accountId}/organizations/${orgId}/systems/${system.name}`);
    const settings = page.getByRole('group', { name: 'Passkeys', exact: true });
    await poll(() => settings.textContent()).toContain('Passkeys are off for this system.');
    // The help names the hosted login's host (the console's: both are served by the API).
    expect(await settings.textContent()).toContain("hosted login's host, localhost");

    // Passkey in the chain without a relying party: the API's reason lands in the Passkeys settings.
    const chain = page.getByRole('group', { name: 'Factor chain', exact: true });
    await chain.getByRole('button', { name: /Add a factor/ }).click();
    await page.getByRole('option', { name: 'Passkey', exact: true }).click();
    await chain.getByRole('button', { name: 'Add factor' }).click();
    await page.getByRole('button', { name: 'Save policy' }).click();
    await poll(() => settings.getByRole('alert').textContent()).toContain('is required when the policy uses passkey');
    expect(await read()).toMatchObject({ webauthn: null, policy: { factors: ['pin'] } });

    // Set up: an RP ID, a good origin and one on another host, refused beside that origin.
    await settings.getByRole('button', { name: 'Set up passkeys' }).click();
    // The RP ID field has the focus (the button just pressed is gone): typing goes there.
    await poll(() => page.evaluate<string | null>('document.activeElement && document.activeElement.getAttribute("name")')).toBe('webauthn.rpId');
    await page.keyboard.type('example.com');
    await settings.getByRole('textbox', { name: 'Origin 1', exact: true }).fill('https://app.example.com');
    await settings.getByRole('button', { name: 'Add origin' }).click();
    const second = settings.getByRole('textbox', { name: 'Origin 2', exact: true });
    await second.fill('https://shop.other.test');
    await checkPage(page, 'system passkey settings at 1280 px');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await poll(() => second.getAttribute('aria-invalid')).toBe('true');
    expect(await settings.locator('.field', { has: page.getByRole('textbox', { name: 'Origin 2', exact: true }) }).textContent()).toContain('must be on the rpId or a subdomain of it');
    expect(await settings.getByRole('textbox', { name: 'Origin 1', exact: true }).getAttribute('aria-invalid')).not.toBe('true');
    expect(await read()).toMatchObject({ webauthn: null, policy: { factors: ['pin'] } });

    // An IP address is no RP ID: the API's reason beside the RP ID.
    const rpId = settings.getByRole('textbox', { name: 'RP ID', exact: true });
    await rpId.fill('192.0.2.1');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await poll(() => rpId.getAttribute('aria-invalid')).toBe('true');
    expect(await settings.locator('.field', { has: page.getByRole('textbox', { name: 'RP ID', exact: true }) }).textContent()).toContain('never an IP address');

    // Corrected: the policy and the relying party are saved together.
    await settings.getByRole('button', { name: 'Remove origin 2' }).click();
    await rpId.fill('example.com');
    // Enter in the field submits the form (a click could land where the cleared error message was).
    await rpId.press('Enter');
    await poll(() => page.getByText('Policy saved.').isVisible()).toBe(true);
    expect(await read()).toMatchObject({ webauthn: { rpId: 'example.com', origins: ['https://app.example.com'] }, policy: { factors: ['pin', 'passkey'] } });

    // Turning passkeys off while the policy asks for one: confirmed, then refused by the API, whose reason shows beside the settings.
    await page.setViewportSize({ width: 375, height: 900 });
    await settings.getByRole('button', { name: 'Turn off passkeys' }).click();
    const dialog = page.getByRole('alertdialog');
    expect(await dialog.textContent()).toContain('The saved policy still asks for a passkey');
    await dialog.getByRole('button', { name: 'Turn off passkeys' }).click();
    await poll(() => settings.getByRole('alert').textContent()).toContain('is required when the policy uses passkey');
    expect((await read()).webauthn).toEqual({ rpId: 'example.com', origins: ['https://app.example.com'] });
    await announcementsCleared(page);
    await checkPage(page, 'system passkey settings at 375 px');

    // Passkey out of the chain, saved: now turning off is accepted and the API holds null.
    await chain.getByRole('button', { name: 'Remove Passkey' }).click();
    await page.getByRole('button', { name: 'Save policy' }).click();
    await poll(() => page.getByText('Policy saved.').isVisible()).toBe(true);
    await settings.getByRole('button', { name: 'Turn off passkeys' }).click();
    expect(await dialog.textContent()).not.toContain('still asks for a passkey');
    await dialog.getByRole('button', { name: 'Turn off passkeys' }).click();
    await poll(() => settings.textContent()).toContain('Passkeys are off for this system.');
    expect(await read()).toMatchObject({ webauthn: null, policy: { factors: ['pin'] } });
    await done();
  });
});
