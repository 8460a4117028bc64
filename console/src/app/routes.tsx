/**
 * Every page of the console (SPEC §10). Pages load as their own chunks (`lazy`), so the first load is
 * the shell and the page asked for. The paths e-mails link to are fixed by the API
 * (`{consoleUrl}/accept`, `/verify-email`, `/reset-password`, `/login`, `/forgot-password`).
 */
import type { ComponentType } from 'react';
import { createBrowserRouter, type RouteObject } from 'react-router';
import { Home, RequireSession } from './guards.tsx';
import { Shell } from './Shell.tsx';
import { RouteError } from './RouteError.tsx';
import { Root } from './Root.tsx';

type PageModule = { default: ComponentType };
const page = (load: () => Promise<PageModule>): Pick<RouteObject, 'lazy'> => ({
  lazy: async () => ({ Component: (await load()).default }),
});

export const routes: RouteObject[] = [
  {
    element: <Root />,
    errorElement: <RouteError />,
    children: [
      { path: '/login', ...page(() => import('../pages/LoginPage.tsx')) },
      { path: '/signup', ...page(() => import('../pages/SignupPage.tsx')) },
      { path: '/verify-email', ...page(() => import('../pages/VerifyEmailPage.tsx')) },
      { path: '/forgot-password', ...page(() => import('../pages/ForgotPasswordPage.tsx')) },
      { path: '/reset-password', ...page(() => import('../pages/ResetPasswordPage.tsx')) },
      { path: '/accept', ...page(() => import('../pages/AcceptInvitationPage.tsx')) },
      {
        element: (
          <RequireSession>
            <Shell />
          </RequireSession>
        ),
        errorElement: <RouteError />,
        children: [
          { index: true, element: <Home /> },
          { path: '/profile', ...page(() => import('../pages/ProfilePage.tsx')) },
          { path: '/accounts/:accountId', ...page(() => import('../pages/AccountPage.tsx')) },
          { path: '/accounts/:accountId/organizations', ...page(() => import('../pages/OrganizationsPage.tsx')) },
          { path: '/accounts/:accountId/groups', ...page(() => import('../pages/GroupsPage.tsx')) },
          { path: '/accounts/:accountId/members', ...page(() => import('../pages/MembersPage.tsx')) },
          { path: '/accounts/:accountId/keys', ...page(() => import('../pages/AccessKeysPage.tsx')) },
          { path: '/accounts/:accountId/audit', ...page(() => import('../pages/AuditLogPage.tsx')) },
          { path: '/accounts/:accountId/organizations/:orgId', ...page(() => import('../pages/OrganizationPage.tsx')) },
          { path: '/accounts/:accountId/organizations/:orgId/systems', ...page(() => import('../pages/SystemsPage.tsx')) },
          { path: '/accounts/:accountId/organizations/:orgId/systems/:systemName', ...page(() => import('../pages/SystemPage.tsx')) },
          { path: '/accounts/:accountId/organizations/:orgId/users', ...page(() => import('../pages/EndUsersPage.tsx')) },
          { path: '/accounts/:accountId/organizations/:orgId/users/:userId', ...page(() => import('../pages/EndUserPage.tsx')) },
          { path: '*', ...page(() => import('../pages/NotFoundPage.tsx')) },
        ],
      },
    ],
  },
];

export const router = createBrowserRouter(routes);
