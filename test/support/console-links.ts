/** E-mailed console links as the tests open them (sign-in pages, SPEC §10). */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

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
