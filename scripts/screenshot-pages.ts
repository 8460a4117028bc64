/**
 * The console pages `npm run screenshots` captures (scripts/screenshots.ts), one per route of
 * console/src/app/routes.tsx but the pages only an e-mailed link opens (`/verify-email`,
 * `/reset-password`, `/accept`): test/unit/console-screenshots.test.ts fails when a route has no entry
 * here, so a new page comes with its screenshot.
 */

/** What the script seeded: the ids a page's URL needs. */
export interface ScreenshotIds {
  accountId: string;
  orgId: string;
  systemName: string;
  userId: string;
}

export interface ScreenshotPage {
  /** The PNG's name in docs/screenshots/ (without `.png`). */
  name: string;
  /** The route's path exactly as console/src/app/routes.tsx writes it. */
  route: string;
  /** The URL to open. */
  url: (ids: ScreenshotIds) => string;
  /** Widths to capture besides 1280 (the Admins page and the sign-in page at 375, SPEC §10's narrow screens). */
  narrow?: boolean;
  /** A page shown signed out (captured before signing in). */
  public?: boolean;
}

const org = (ids: ScreenshotIds) => `/accounts/${ids.accountId}/organizations/${ids.orgId}`;

export const SCREENSHOT_PAGES: readonly ScreenshotPage[] = [
  { name: 'sign-in', route: '/login', url: () => '/login', narrow: true, public: true },
  { name: 'sign-up', route: '/signup', url: () => '/signup', public: true },
  { name: 'forgot-password', route: '/forgot-password', url: () => '/forgot-password', public: true },
  { name: 'account', route: '/accounts/:accountId', url: (ids) => `/accounts/${ids.accountId}?org=${ids.orgId}` },
  { name: 'organizations', route: '/accounts/:accountId/organizations', url: (ids) => `/accounts/${ids.accountId}/organizations?org=${ids.orgId}` },
  { name: 'groups', route: '/accounts/:accountId/groups', url: (ids) => `/accounts/${ids.accountId}/groups?org=${ids.orgId}` },
  { name: 'admins', route: '/accounts/:accountId/members', url: (ids) => `/accounts/${ids.accountId}/members?org=${ids.orgId}`, narrow: true },
  { name: 'access-keys', route: '/accounts/:accountId/keys', url: (ids) => `/accounts/${ids.accountId}/keys?org=${ids.orgId}` },
  { name: 'audit-log', route: '/accounts/:accountId/audit', url: (ids) => `/accounts/${ids.accountId}/audit?org=${ids.orgId}` },
  { name: 'organization', route: '/accounts/:accountId/organizations/:orgId', url: org },
  { name: 'systems', route: '/accounts/:accountId/organizations/:orgId/systems', url: (ids) => `${org(ids)}/systems` },
  { name: 'system', route: '/accounts/:accountId/organizations/:orgId/systems/:systemName', url: (ids) => `${org(ids)}/systems/${encodeURIComponent(ids.systemName)}` },
  { name: 'end-users', route: '/accounts/:accountId/organizations/:orgId/users', url: (ids) => `${org(ids)}/users` },
  { name: 'end-user', route: '/accounts/:accountId/organizations/:orgId/users/:userId', url: (ids) => `${org(ids)}/users/${encodeURIComponent(ids.userId)}` },
  { name: 'profile', route: '/profile', url: () => '/profile' },
];

/** The routes only an e-mailed link opens (their token is single-use): no screenshot. */
export const EMAIL_LINK_ROUTES = ['/verify-email', '/reset-password', '/accept'] as const;
