/** The queries more than one page reads, with their keys in one place. */
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/session.ts';
import { unwrap } from '../api/problem.ts';

export const keys = {
  me: ['me'] as const,
  account: (accountId: string) => ['account', accountId] as const,
  organizations: (accountId: string) => ['account', accountId, 'organizations'] as const,
  organization: (orgId: string) => ['organization', orgId] as const,
  groups: (accountId: string) => ['account', accountId, 'groups'] as const,
  members: (accountId: string) => ['account', accountId, 'members'] as const,
  invitations: (accountId: string) => ['account', accountId, 'invitations'] as const,
  accessKeys: (accountId: string) => ['account', accountId, 'keys'] as const,
  mySessions: ['me', 'sessions'] as const,
  systems: (orgId: string) => ['organization', orgId, 'systems'] as const,
  system: (orgId: string, systemName: string) => ['organization', orgId, 'systems', systemName] as const,
  access: (orgId: string, systemName: string) => ['organization', orgId, 'systems', systemName, 'access'] as const,
  endUsers: (orgId: string) => ['organization', orgId, 'users'] as const,
  endUser: (orgId: string, userId: string) => ['organization', orgId, 'users', userId] as const,
  events: (accountId: string) => ['account', accountId, 'events'] as const,
};

export function useMe() {
  return useQuery({ queryKey: keys.me, queryFn: () => unwrap(api.GET('/v2/me')) });
}

/** Every organization of the account the operator may see (all pages of the list). */
export function useOrganizations(accountId: string | undefined) {
  return useQuery({
    queryKey: keys.organizations(accountId ?? ''),
    enabled: accountId !== undefined,
    queryFn: async () => {
      const all = [];
      let cursor: string | undefined;
      do {
        const page = await unwrap(
          api.GET('/v2/accounts/{accountId}/organizations', { params: { path: { accountId: accountId ?? '' }, query: { limit: 100, ...(cursor ? { cursor } : {}) } } }),
        );
        all.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return all;
    },
  });
}
