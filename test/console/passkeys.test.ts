/**
 * The console's passkey screens (SPEC §10, §11) with real ceremonies: Chromium's virtual authenticator
 * on the console's own page (http://localhost:PORT, the operators' RP ID `localhost`). Profile →
 * Passkeys (add, rename, remove behind the password), **Sign in with a passkey** without a password
 * (also through `requireMfa` and TOTP), and what the pages say when a ceremony or the API says no.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectData } from '#test/support/local-api.ts';
import { checkPage, newAccount, signInWithPassword, useConsole } from '#test/support/console.ts';
import { codeInSteps, enrolOperator } from '#test/support/totp.ts';
import { addVirtualAuthenticator } from '#test/support/webauthn.ts';

const { api, open } = useConsole();

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: /Operator menu/ }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.waitForURL(/\/login/);
}

/**
 * Chromium's virtual authenticator answers an autofill (conditional) request by itself, as if the
 * person had picked the passkey at once: a page that should wait for the button is opened as a browser
 * without the autofill (the sign-in page then offers the button alone, and the e-mail field says
 * `username`). An init script runs before the page's own, whatever its CSP.
 */
async function withoutAutofill(page: Page): Promise<void> {
  await page.addInitScript('PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);');
}

/** The Factors cell of the current session on Profile: what the API recorded as the sign-in's `amr`. */
async function currentSessionFactors(page: Page): Promise<string> {
  await page.goto('/profile');
  const row = page.getByRole('row').filter({ hasText: '(this session)' });
  return ((await row.getByRole('gridcell').nth(3).textContent()) ?? '').trim();
}

describe('console: passkeys', () => {
  it('adds a passkey in Profile, renames it, signs in with it without a password, and removes it behind the password; a browser without WebAuthn is offered neither', async () => {
    const account = await newAccount(api);
    const owner = api.as(account.owner.accessToken);
    const { page, done } = await open('/login');
    await withoutAutofill(page);
    const authenticator = await addVirtualAuthenticator(page);
    await page.reload();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
    await checkPage(page, 'sign-in page with the passkey button 1280');
    await page.setViewportSize({ width: 375, height: 900 });
    await checkPage(page, 'sign-in page with the passkey button 375');
    await page.setViewportSize({ width: 1280, height: 900 });
    await signInWithPassword(page, account.owner.email, account.owner.password);
    await page.goto('/profile');
    await page.getByRole('heading', { name: 'Passkeys' }).waitFor();
    await page.getByText('You have no passkeys yet.').waitFor();

    await page.getByLabel('Passkey name').fill('Laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByRole('status').filter({ hasText: 'Passkey “Laptop” added.' }).waitFor();
    const table = page.getByRole('grid', { name: 'Passkeys' });
    await table.getByRole('rowheader', { name: 'Laptop' }).waitFor();
    expect(await table.getByRole('row').filter({ hasText: 'Laptop' }).textContent()).toContain('Never');
    const listed = expectData(await owner.GET('/v2/me/passkeys'), 200).items;
    expect(listed).toEqual([expect.objectContaining({ name: 'Laptop', lastUsedAt: null })]);
    expect(await authenticator.credentialCount()).toBe(1);
    expect(await page.getByLabel('Passkey name').inputValue()).toBe('');

    // The same device again: the API's options exclude its credential, the browser refuses, calmly said.
    await page.getByLabel('Passkey name').fill('Laptop again');
    await page.getByLabel('Passkey name').press('Enter');
    await page.getByRole('status').filter({ hasText: 'This device already holds a passkey for your login' }).waitFor();
    expect(expectData(await owner.GET('/v2/me/passkeys'), 200).items).toHaveLength(1);

    await checkPage(page, 'profile with a passkey 1280');
    await page.setViewportSize({ width: 375, height: 900 });
    await checkPage(page, 'profile with a passkey 375');
    await page.setViewportSize({ width: 1280, height: 900 });

    // Rename: the dialog opens with its field focused, the keyboard does the rest (Enter saves).
    await page.getByRole('button', { name: 'Rename passkey Laptop' }).click();
    const renameDialog = page.getByRole('dialog', { name: 'Rename passkey' });
    await expect.poll(() => page.evaluate<string>('document.activeElement?.getAttribute("name") ?? ""')).toBe('name');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Work laptop');
    await page.keyboard.press('Enter');
    await renameDialog.waitFor({ state: 'detached' });
    await table.getByRole('rowheader', { name: 'Work laptop' }).waitFor();
    expect(expectData(await owner.GET('/v2/me/passkeys'), 200).items.map((passkey) => passkey.name)).toEqual(['Work laptop']);

    // Signed out, in again with the passkey alone: the button.
    await signOut(page);
    expect(await page.getByLabel('Email').getAttribute('autocomplete')).toBe('username');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL(new RegExp(`/accounts/${account.accountId}$`));
    expect(await currentSessionFactors(page)).toBe('hwk + user + mfa');
    const sessions = expectData(await owner.GET('/v2/me/sessions'), 200).items;
    expect(sessions.some((session) => session.amr.join(' ') === 'hwk user mfa')).toBe(true);
    const used = expectData(await owner.GET('/v2/me/passkeys'), 200).items[0];
    expect(used?.lastUsedAt).not.toBeNull();

    // Remove: the password is asked; a wrong one is refused with the API's words.
    await page.getByRole('heading', { name: 'Passkeys' }).waitFor();
    await page.getByRole('button', { name: 'Remove passkey Work laptop' }).click();
    const removeDialog = page.getByRole('alertdialog', { name: /Remove the passkey/ });
    await removeDialog.getByLabel('Password').fill('not the password at all');
    await removeDialog.getByRole('button', { name: 'Remove passkey' }).click();
    await removeDialog.getByRole('alert').filter({ hasText: 'The password is incorrect.' }).waitFor();
    expect(expectData(await owner.GET('/v2/me/passkeys'), 200).items).toHaveLength(1);
    await removeDialog.getByLabel('Password').fill(account.owner.password);
    await removeDialog.getByRole('button', { name: 'Remove passkey' }).click();
    await removeDialog.waitFor({ state: 'detached' });
    await page.getByText('You have no passkeys yet.').waitFor();
    expect(expectData(await owner.GET('/v2/me/passkeys'), 200).items).toEqual([]);

    // A browser without WebAuthn: Profile says so instead of offering Add, the sign-in page has no passkey button.
    await page.addInitScript('delete window.PublicKeyCredential;');
    await page.reload();
    await page.getByText('This browser cannot use passkeys').waitFor();
    expect(await page.getByRole('button', { name: 'Add a passkey' }).count()).toBe(0);
    await signOut(page);
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign in with a passkey' }).count()).toBe(0);
    await done();
  });

  it('signs in from the autofill with a user-verified passkey alone through TOTP and requireMfa, and shows the refusal of a removed one', async () => {
    const account = await newAccount(api);
    const owner = api.as(account.owner.accessToken);
    const enrolled = await enrolOperator(api, account.owner.accessToken, account.owner.password);
    expectData(await owner.PATCH('/v2/accounts/{accountId}', { params: { path: { accountId: account.accountId } }, body: { settings: { requireMfa: true } } }), 200);
    const { page, done } = await open('/login');
    // Chromium offers the autofill: the e-mail field says so.
    await expect.poll(() => page.getByLabel('Email').getAttribute('autocomplete')).toBe('username webauthn');
    const authenticator = await addVirtualAuthenticator(page);
    // Registered through the API with a ceremony in this tab (the Profile screens have the other test),
    // on a page without the sign-in's pending autofill request (a browser holds one request at a time).
    await page.goto('/forgot-password');
    const options = expectData(await owner.POST('/v2/me/passkeys/options'), 200);
    const response = await authenticator.create(options.publicKey);
    const created = expectData(await owner.POST('/v2/me/passkeys', { body: { flowId: options.flowId, name: 'Phone', response: response as never } }), 201);

    // The page's autofill request meets the passkey (the virtual authenticator picks it at once): in, no password, no code.
    await page.goto('/login');
    await page.waitForURL(new RegExp(`/accounts/${account.accountId}$`));
    expect(await currentSessionFactors(page)).toBe('hwk + user + mfa');

    // Removed (with a TOTP code), the passkey still on the device is refused: the page says why and stays.
    const removed = await api.raw('DELETE', `/v2/me/passkeys/${created.id}`, { token: account.owner.accessToken, body: { code: codeInSteps(enrolled.secret, 1) } });
    expect(removed.status).toBe(204);
    await signOut(page);
    await page.getByRole('alert').filter({ hasText: 'The passkey response could not be verified.' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    await done();
  });
});
