/**
 * End users in the console (SPEC §10): edit, disable (the API sign-in is then refused the way it
 * refuses an unknown user: the same 202 and no SMS) and enable again, TOTP enrolled through the page
 * with the code computed from the secret shown beneath the QR code and removed, and delete after a
 * confirmation (Cancel first changes nothing). Every page checked by axe at 1280 and 375 px.
 */
import { describe, expect, it } from 'vitest';
import { expectData } from '#test/support/local-api.ts';
import { checkPage, newAccount, signInWithPassword, useConsole } from '#test/support/console.ts';
import { createEndUser, createSystem, grantAccess } from '#test/support/directory.ts';
import { createApiKey, createOrganization, eventsOf } from '#test/support/organizations.ts';
import { smsTo, startSignIn } from '#test/support/sign-in.ts';
import { referenceCode } from '#test/support/totp.ts';

const { api, open } = useConsole();

/** `expect.poll` with room for a busy machine (the default second is too short for a page's first load). */
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 15_000 });

describe('console end users', () => {
  it('edits, disables and enables an end user, enrols and removes their TOTP, and deletes them after a confirmation', async () => {
    const account = await newAccount(api);
    const token = account.owner.accessToken;
    const owner = api.as(token);
    const { id: orgId } = await createOrganization(api, account.accountId, token);
    const system = await createSystem(api, orgId, token);
    const user = await createEndUser(api, orgId, token, { name: 'Ada' });
    await grantAccess(api, orgId, token, system.name, user.id);
    const apikey = await createApiKey(account.accountId, ['authenticate'], [orgId]);
    const base = `/accounts/${account.accountId}/organizations/${orgId}`;
    const path = { orgId, userId: user.id };

    const { page, done } = await open('/login');
    await signInWithPassword(page, account.owner.email, account.owner.password);
    await page.goto(`${base}/users`);
    await page.getByRole('grid', { name: 'End users' }).waitFor();
    await checkPage(page, 'end users page at 1280');
    await page.setViewportSize({ width: 375, height: 900 });
    await checkPage(page, 'end users page at 375');
    await page.setViewportSize({ width: 1280, height: 900 });

    // Edit.
    await page.getByRole('link', { name: user.email }).click();
    await page.getByRole('heading', { level: 1, name: `End user ${user.email}` }).waitFor();
    await page.getByLabel('Name').fill('Ada Lovelace');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved.').waitFor();
    expect(expectData(await owner.GET('/v2/organizations/{orgId}/users/{userId}', { params: { path } }), 200).name).toBe('Ada Lovelace');
    await checkPage(page, 'end user page at 1280');
    await page.setViewportSize({ width: 375, height: 900 });
    await checkPage(page, 'end user page at 375');
    await page.setViewportSize({ width: 1280, height: 900 });

    // Disable: the sign-in answers as for anyone unknown (202) and sends nothing.
    await page.getByRole('button', { name: 'Disable end user' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('button', { name: 'Enable' }).waitFor();
    expect(expectData(await owner.GET('/v2/organizations/{orgId}/users/{userId}', { params: { path } }), 200).status).toBe('disabled');
    const refused = await startSignIn(api, apikey, { email: user.email, system: system.name, organization: orgId });
    expect(refused.status).toBe(202);
    expect(await smsTo(api, user.phone)).toEqual([]);
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('button', { name: 'Disable end user' }).waitFor();
    expect(expectData(await owner.GET('/v2/organizations/{orgId}/users/{userId}', { params: { path } }), 200).status).toBe('active');

    // TOTP: the secret beneath the QR code gives the code, as an authenticator app would.
    await page.getByRole('button', { name: 'Enrol TOTP' }).click();
    await page.getByRole('img', { name: 'QR code for the authenticator app' }).waitFor();
    const secret = ((await page.locator('.secret-text').textContent()) ?? '').replace(/\s+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await page.getByLabel('Code from the app').fill(referenceCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('TOTP enrolled.').waitFor();
    expect(await page.getByRole('textbox', { name: 'Recovery codes' }).inputValue()).toMatch(/\S+( \S+){9}/);
    await poll(async () => (await eventsOf(account.accountId)).some((event) => event.type === 'mfa.confirmed' && event.target?.id === user.id)).toBe(true);

    await page.getByRole('button', { name: 'Remove TOTP' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Remove TOTP' }).click();
    await page.getByText('TOTP removed.').waitFor();
    // Nothing left to remove: the API says it is not enrolled.
    const again = await owner.DELETE('/v2/organizations/{orgId}/users/{userId}/totp', { params: { path } });
    expect(again.response.status).toBeGreaterThanOrEqual(400);
    expect(again.error).toMatchObject({ code: 'mfa_not_enrolled' });

    // Delete: Cancel first changes nothing.
    await page.getByRole('button', { name: 'Delete end user' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click();
    expect((await owner.GET('/v2/organizations/{orgId}/users/{userId}', { params: { path } })).response.status).toBe(200);
    await page.getByRole('button', { name: 'Delete end user' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete end user' }).click();
    await page.waitForURL(/\/users$/);
    await page.getByText('No end user yet').waitFor();
    expect((await owner.GET('/v2/organizations/{orgId}/users/{userId}', { params: { path } })).response.status).toBe(404);
    await done();
  });
});
