/**
 * The Profile page's two-factor authentication (SPEC §10): the Enable 2FA wizard end to end (the code
 * computed from the secret shown beneath the QR code, the QR code carrying that secret, the recovery
 * codes downloaded as a file), then signing in with a fresh code, a wrong one, and a recovery code from
 * the file; and the same wizard run with the keyboard alone.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectData } from '#test/support/local-api.ts';
import { checkPage, newAccount, signInWithPassword, useConsole } from '#test/support/console.ts';
import { checkPageWhenAnnounced } from '#test/support/console-links.ts';
import { codeInSteps, decodeQrPng, referenceCode } from '#test/support/totp.ts';

const { api, open } = useConsole();

/** The secret as the page shows it beneath the QR code (groups of four), without the spaces. */
async function shownSecret(page: Page): Promise<string> {
  const text = (await page.locator('.totp-secret').textContent()) ?? '';
  return text.replace(/\s+/g, '');
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: /Operator menu/ }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.waitForURL(/\/login/);
}

/** Presses Tab until the focused element's text is `text` (a keyboard user looking for a button). */
async function tabTo(page: Page, text: string): Promise<void> {
  for (let presses = 0; presses < 40; presses += 1) {
    await page.keyboard.press('Tab');
    if ((await page.evaluate<string>('document.activeElement?.textContent?.trim() ?? ""')) === text) return;
  }
  throw new Error(`Tab never reached "${text}"`);
}

const focusedText = (page: Page) => page.evaluate<string>('document.activeElement?.textContent?.trim() ?? ""');

describe('console: Enable 2FA', () => {
  it('runs the wizard end to end, downloads the codes, and signs in with a code and with a recovery code', async () => {
    const account = await newAccount(api);
    const { page, done } = await open('/login');
    await signInWithPassword(page, account.owner.email, account.owner.password);
    await page.goto('/profile');
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
    await checkPage(page, 'profile page 1280');

    await page.getByRole('button', { name: 'Enable 2FA' }).click();
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(account.owner.password);
    await page.getByRole('button', { name: 'Get QR Code' }).click();
    const qr = page.getByRole('img', { name: /QR code/ });
    await qr.waitFor();
    const secret = await shownSecret(page);
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    // The QR code carries the same secret as the text beneath it.
    const uri = new URL(decodeQrPng(await qr.screenshot()));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(secret);
    await checkPageWhenAnnounced(page, 'Enable 2FA: scan step');

    const usedCode = referenceCode(secret);
    await page.getByLabel('Authentication code').fill(usedCode);
    await page.getByRole('button', { name: 'Verify' }).click();
    const list = page.getByRole('list', { name: 'Recovery codes' });
    await list.waitFor();
    const shownCodes = (await list.getByRole('listitem').allTextContents()).map((code) => code.trim());
    expect(shownCodes).toHaveLength(10);
    await checkPageWhenAnnounced(page, 'Enable 2FA: recovery codes step');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download recovery codes' }).click()]);
    expect(download.suggestedFilename()).toBe('portcullis-recovery-codes.txt');
    const file = await readFile(await download.path(), 'utf8');
    const fileCodes = file.split('\n').filter((line) => /^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/i.test(line));
    expect(fileCodes).toEqual(shownCodes);
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByText('Recovery codes left: 10').waitFor();
    expect(expectData(await api.as(account.owner.accessToken).GET('/v2/me'), 200).mfa).toEqual({ totp: true, recoveryCodesRemaining: 10 });

    // Sign out, then in with the password and a code: a wrong one first.
    await signOut(page);
    await page.getByLabel('Email').fill(account.owner.email);
    await page.getByLabel('Password').fill(account.owner.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const codeField = page.getByRole('textbox', { name: 'Authentication code' });
    await codeField.fill(usedCode === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').filter({ hasText: /code/i }).waitFor();
    // The next time step's code (accepted ±1 step): fresh, never the one the confirmation spent, no 30 s wait.
    await codeField.fill(codeInSteps(secret, 1));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(new RegExp(`/accounts/${account.accountId}$`));

    // And with a recovery code from the downloaded file.
    await signOut(page);
    await page.getByLabel('Email').fill(account.owner.email);
    await page.getByLabel('Password').fill(account.owner.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(fileCodes[3] ?? '');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(new RegExp(`/accounts/${account.accountId}$`));
    expect(expectData(await api.as(account.owner.accessToken).GET('/v2/me'), 200).mfa.recoveryCodesRemaining).toBe(9);
    await done();
  }, 120_000);

  it('runs the wizard with the keyboard alone, focus moving to each step', async () => {
    const account = await newAccount(api);
    const { page, done } = await open('/login', 375);
    await signInWithPassword(page, account.owner.email, account.owner.password);
    await page.goto('/profile');
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
    await checkPage(page, 'profile page 375');

    await tabTo(page, 'Enable 2FA');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Enable 2FA' }).waitFor();
    expect(await focusedText(page)).toBe('Enable 2FA');
    await page.keyboard.press('Tab');
    await page.keyboard.type(account.owner.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Scan the QR code' }).waitFor();
    expect(await focusedText(page)).toBe('Scan the QR code');
    const secret = await shownSecret(page);
    await page.keyboard.press('Tab');
    await page.keyboard.type(referenceCode(secret));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    expect(await focusedText(page)).toBe('Save your recovery codes');
    await page.keyboard.press('Tab');
    expect(await focusedText(page)).toBe('Download recovery codes');
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Space')]);
    expect(await readFile(await download.path(), 'utf8')).toMatch(/[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}/i);
    await page.keyboard.press('Tab');
    expect(await focusedText(page)).toBe('Done');
    await page.keyboard.press('Enter');
    await page.getByText('Recovery codes left: 10').waitFor();
    expect(await focusedText(page)).toBe('Two-factor authentication');
    expect(expectData(await api.as(account.owner.accessToken).GET('/v2/me'), 200).mfa.totp).toBe(true);
    await done();
  });
});
