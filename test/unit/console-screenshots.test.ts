/**
 * `npm run screenshots` captures every page of the console: each path of console/src/app/routes.tsx
 * (but the e-mailed links' pages and the catch-all) has an entry in scripts/screenshot-pages.ts, so a
 * new page without a screenshot fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMAIL_LINK_ROUTES, SCREENSHOT_PAGES } from '../../scripts/screenshot-pages.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const routePaths = [...readFileSync(join(ROOT, 'console', 'src', 'app', 'routes.tsx'), 'utf8').matchAll(/\bpath: '([^']+)'/g)].map((match) => match[1] ?? '');

describe('npm run screenshots', () => {
  it('reads the routes (sanity: the regular expression still finds them)', () => {
    expect(routePaths).toEqual(expect.arrayContaining(['/login', '/accounts/:accountId/members', ...EMAIL_LINK_ROUTES]));
  });

  it('has a screenshot for every route but the e-mailed links and the catch-all, and none for a route that is gone', () => {
    const expected = routePaths.filter((path) => path !== '*' && !(EMAIL_LINK_ROUTES as readonly string[]).includes(path));
    expect([...SCREENSHOT_PAGES.map((page) => page.route)].sort()).toEqual([...expected].sort());
  });

  it('names each screenshot once, and takes the sign-in page and the Admins page at 375 px too', () => {
    const names = SCREENSHOT_PAGES.map((page) => page.name);
    expect(new Set(names).size).toBe(names.length);
    expect(SCREENSHOT_PAGES.filter((page) => page.narrow).map((page) => page.route).sort()).toEqual(['/accounts/:accountId/members', '/login']);
  });
});
