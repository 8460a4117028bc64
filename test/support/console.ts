/**
 * The console in a real browser (SPEC §10): the local server with the built console at `/`, opened at
 * `http://localhost:PORT` (never the IP address: WebAuthn and the console's cookie want a host name).
 *
 * `useConsole()` gives a test file the API (`api`, the typed client as in every e2e test) and fresh
 * browser pages. Every page is watched: a CSP violation, an uncaught error or a console error fails the
 * test at `done()` (the strict CSP must hold for everything the console does), and `checkPage` runs
 * axe-core (no serious or critical violation) and the 375 px no-horizontal-scroll rule.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { CONSOLE_DIST } from '#local/console.ts';
import { launchBrowser } from './browser.ts';
import { useLocalApi, type LocalApiOptions } from './local-api.ts';
import { createAccount, type TestAccount } from './tenancy.ts';

export type LocalApi = ReturnType<typeof useLocalApi>;

export interface ConsolePage {
  page: Page;
  context: BrowserContext;
  /** `http://localhost:PORT`. */
  origin: string;
  /** Fails on any CSP violation, page error or console error seen so far, then closes the context. */
  done: () => Promise<void>;
}

export function useConsole(options: Omit<LocalApiOptions, 'consoleDirectory'> = {}) {
  const api = useLocalApi({ ...options, consoleDirectory: CONSOLE_DIST });
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const origin = (): string => api.url().replace('127.0.0.1', 'localhost');

  /** A fresh browser context (no cookies) and page at the given width (default 1280). */
  async function open(path = '/', width = 1280): Promise<ConsolePage> {
    if (!browser) throw new Error('browser not launched');
    const context = await browser.newContext({ baseURL: origin(), viewport: { width, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !isExpectedHttpError(message.text())) problems.push(`console error: ${message.text()}`);
    });
    await page.goto(path);
    return {
      page,
      context,
      origin: origin(),
      done: async () => {
        await context.close();
        expect(problems, 'CSP violations, page errors and console errors').toEqual([]);
      },
    };
  }

  return { api, open, origin };
}

/**
 * Chromium logs "Failed to load resource: the server responded with a status of 4xx" for every API
 * answer that is an error: those are the API's answers the console shows, not faults. CSP violations
 * and script errors are still caught.
 */
function isExpectedHttpError(text: string): boolean {
  return /^Failed to load resource: the server responded with a status of (4\d\d)/.test(text);
}

/** axe-core on the page as it is (no serious or critical violation), and no horizontal scrolling. */
export async function checkPage(page: Page, label: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const serious = result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`);
  expect(serious, `axe on ${label}`).toEqual([]);
  const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  // On failure, the outermost elements that stick out on the right, to say what to fix.
  const culprits =
    overflow > 0
      ? await page.evaluate<string[]>(`[...document.querySelectorAll('body *')]
          .filter((element) => element.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
          .filter((element) => !(element.parentElement && element.parentElement.getBoundingClientRect().right > document.documentElement.clientWidth + 1))
          .slice(0, 5)
          .map((element) => element.tagName.toLowerCase() + (element.className ? '.' + String(element.className).split(' ').join('.') : '') + ' ' + (element.textContent || '').slice(0, 40))`)
      : [];
  expect(overflow, `horizontal scroll on ${label}: ${culprits.join(' | ')}`).toBeLessThanOrEqual(0);
}

/** An account made through the API (the sign-up page has its own test): owner e-mail, password, ids. */
export function newAccount(api: LocalApi): Promise<TestAccount> {
  return createAccount(api);
}

/** Signs in through the sign-in page with a password (no second factor) and waits for the account page. */
export async function signInWithPassword(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(/\/accounts\//);
}
