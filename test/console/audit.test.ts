/**
 * The audit log in the console (SPEC §4, §10): filtered by event type with a small page size, paged
 * forward and back with the API's cursor, and the filters kept in the URL across a reload. Checked by
 * axe at 1280 and 375 px. (The sign-in seen in the log after an API sign-in is in systems.test.ts.)
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { checkPage, newAccount, signInWithPassword, useConsole } from '#test/support/console.ts';
import { createKey } from '#test/support/keys-events.ts';

const { api, open } = useConsole();

/** `expect.poll` with room for a busy machine. */
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 15_000 });

/** The data rows of the events table (the header row left out). */
async function eventRows(page: Page): Promise<string[]> {
  const rows = await page.getByRole('grid', { name: 'Audit events' }).getByRole('row').allTextContents();
  return rows.slice(1);
}

describe('console audit log', () => {
  it('filters by type with a small page size, pages forward and back, and keeps the filters across a reload', async () => {
    const account = await newAccount(api);
    for (let index = 0; index < 6; index++) await createKey(api, account.accountId, account.owner.accessToken, { name: `key ${index}` });

    const { page, done } = await open('/login');
    await signInWithPassword(page, account.owner.email, account.owner.password);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('grid', { name: 'Audit events' }).waitFor();
    // React Aria's live announcer keeps a message a few seconds after a navigation; axe counts it as an unnamed image.
    await poll(() => page.locator('[role=log] [role=img]').count()).toBe(0);
    await checkPage(page, 'audit log at 1280');

    await page.getByLabel('Event type').fill('key.created');
    await page.getByRole('button', { name: /Page size/ }).click();
    await page.getByRole('option', { name: '5', exact: true }).click();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/type=key\.created/);
    expect(new URL(page.url()).searchParams.get('limit')).toBe('5');
    await poll(async () => (await eventRows(page)).length).toBe(5);
    const first = await eventRows(page);
    expect(first.every((row) => row.includes('key.created'))).toBe(true);

    await page.getByRole('button', { name: 'Next' }).click();
    await poll(async () => (await eventRows(page)).length).toBe(1);
    const second = await eventRows(page);
    expect(second[0]).toContain('key.created');
    expect(first).not.toContain(second[0]);
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);

    await page.getByRole('button', { name: 'Previous' }).click();
    await poll(() => eventRows(page)).toEqual(first);

    // A reload keeps the filters (they are in the URL) and starts again at the first page.
    await page.reload();
    await poll(async () => (await eventRows(page)).length).toBe(5);
    expect(await page.getByLabel('Event type').inputValue()).toBe('key.created');
    expect(await eventRows(page)).toEqual(first);

    await page.setViewportSize({ width: 375, height: 900 });
    await poll(() => page.locator('[role=log] [role=img]').count()).toBe(0);
    await checkPage(page, 'audit log at 375');

    // Clearing the filters shows every event again (the sign-up's too).
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await poll(() => new URL(page.url()).searchParams.has('type')).toBe(false);
    await poll(async () => (await eventRows(page)).some((row) => !row.includes('key.created'))).toBe(true);
    await done();
  });
});
