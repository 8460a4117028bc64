/** E-mailed console links as the tests open them, and axe after a step change (sign-in pages and Profile, SPEC §10). */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { checkPage } from './console.ts';

/** The path and query of an e-mailed link (the e-mail names the console's origin; the test opens its own). */
export function pathOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

/** The link's token is out of the address bar (replaced, so not in the history entry either). */
export async function expectNoToken(page: Page, token: string): Promise<void> {
  await page.waitForURL((url) => !url.search.includes('token='));
  expect(page.url()).not.toContain(token);
}

/**
 * `checkPage` once React Aria's live announcer is quiet: a pending button that a new step replaced left
 * an announcement pointing at it (a `role=img` labelled by an element now gone) for a few seconds.
 */
export async function checkPageWhenAnnounced(page: Page, label: string): Promise<void> {
  await page.locator('[data-live-announcer] [role="img"]').first().waitFor({ state: 'detached', timeout: 15_000 });
  await checkPage(page, label);
}
