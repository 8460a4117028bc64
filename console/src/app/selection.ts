/**
 * The selected account and organization live in the URL (SPEC §10: they survive a reload, and no
 * secret is stored for them): `/accounts/:accountId/…` for the account's pages, and
 * `/accounts/:accountId/organizations/:orgId/…` for an organization's. On an account page the selected
 * organization rides along as `?org=`, so switching between the two kinds of page keeps it.
 */
import { useParams, useSearchParams } from 'react-router';

export interface Selection {
  accountId: string | undefined;
  orgId: string | undefined;
}

export function useSelection(): Selection {
  const params = useParams();
  const [search] = useSearchParams();
  // `/profile?account=…` (the operator menu's link) keeps the account's navigation beside the profile.
  return { accountId: params.accountId ?? search.get('account') ?? undefined, orgId: params.orgId ?? search.get('org') ?? undefined };
}

/** The selected account; the pages under `/accounts/:accountId` always have one. */
export function useAccountId(): string {
  const { accountId } = useSelection();
  if (!accountId) throw new Error('no account in the URL');
  return accountId;
}

/** The selected organization; the pages under `…/organizations/:orgId` always have one. */
export function useOrgId(): string {
  const { orgId } = useSelection();
  if (!orgId) throw new Error('no organization in the URL');
  return orgId;
}

/** The links of the console, keeping the selection. */
export const paths = {
  account: (accountId: string, orgId?: string) => withOrg(`/accounts/${accountId}`, orgId),
  accountPage: (accountId: string, page: 'organizations' | 'groups' | 'members' | 'keys' | 'audit', orgId?: string) =>
    withOrg(`/accounts/${accountId}/${page}`, orgId),
  organization: (accountId: string, orgId: string) => `/accounts/${accountId}/organizations/${orgId}`,
  organizationPage: (accountId: string, orgId: string, page: 'systems' | 'users') => `/accounts/${accountId}/organizations/${orgId}/${page}`,
  system: (accountId: string, orgId: string, systemName: string) =>
    `/accounts/${accountId}/organizations/${orgId}/systems/${encodeURIComponent(systemName)}`,
  endUser: (accountId: string, orgId: string, userId: string) => `/accounts/${accountId}/organizations/${orgId}/users/${encodeURIComponent(userId)}`,
};

function withOrg(path: string, orgId: string | undefined): string {
  return orgId ? `${path}?org=${encodeURIComponent(orgId)}` : path;
}
