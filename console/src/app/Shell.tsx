/**
 * The frame of every signed-in page: the navigation, and top right the operator's menu (their name,
 * the selected account, Switch account, Profile, Sign out) and the organization picker (the account's
 * organizations, the selected one checked, **Set Organization**).
 */
import { useQueryClient } from '@tanstack/react-query';
import { Button, Header, Link, Menu, MenuItem, MenuSection, MenuTrigger, Popover, Separator } from 'react-aria-components';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { session } from '../api/session.ts';
import { useMe, useOrganizations } from './queries.ts';
import { paths, useSelection } from './selection.ts';

export function Shell() {
  const { accountId, orgId } = useSelection();
  const me = useMe();
  const organizations = useOrganizations(accountId);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const membership = me.data?.memberships.find((candidate) => candidate.accountId === accountId);
  const organization = organizations.data?.find((candidate) => candidate.id === orgId);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link className="brand" href={accountId ? paths.account(accountId, orgId) : '/'}>
          Portcullis
        </Link>
        <div className="topbar-menus">
          {accountId ? (
            <MenuTrigger>
              <Button className="button menu-button" aria-label={`Set Organization (selected: ${organization?.name ?? 'none'})`}>
                <span className="menu-caption">Organization</span> {organization?.name ?? 'None selected'}
              </Button>
              <Popover className="popover" placement="bottom end">
                <Menu
                  aria-label="Set Organization"
                  selectionMode="single"
                  selectedKeys={orgId ? [orgId] : []}
                  disallowEmptySelection
                  onAction={(key) => {
                    void navigate(paths.organizationPage(accountId, String(key), 'systems'));
                  }}
                  renderEmptyState={() => <p className="empty">No organizations yet.</p>}
                >
                  {(organizations.data ?? []).map((candidate) => (
                    <MenuItem key={candidate.id} id={candidate.id} textValue={candidate.name}>
                      {candidate.name}
                    </MenuItem>
                  ))}
                </Menu>
              </Popover>
            </MenuTrigger>
          ) : null}
          <MenuTrigger>
            <Button className="button menu-button" aria-label={`Operator menu: ${me.data?.email ?? ''}`}>
              <span className="menu-caption">{me.data?.email ?? '…'}</span> {membership?.accountName ?? membership?.accountId ?? ''}
            </Button>
            <Popover className="popover" placement="bottom end">
              <Menu
                aria-label="Operator menu"
                onAction={(key) => {
                  const action = String(key);
                  if (action === 'profile') void navigate(accountId ? `/profile?account=${encodeURIComponent(accountId)}` : '/profile');
                  else if (action === 'sign-out')
                    void session.signOut().finally(() => {
                      queryClient.clear();
                      void navigate('/login');
                    });
                  else if (action.startsWith('account:')) void navigate(paths.account(action.slice('account:'.length)));
                }}
              >
                <MenuSection>
                  <Header className="menu-header">Switch account</Header>
                  {(me.data?.memberships ?? []).map((candidate) => (
                    <MenuItem key={candidate.accountId} id={`account:${candidate.accountId}`} textValue={candidate.accountName ?? candidate.accountId}>
                      {candidate.accountName ?? candidate.accountId} {candidate.accountId === accountId ? '(selected)' : ''}
                    </MenuItem>
                  ))}
                </MenuSection>
                <Separator />
                <MenuItem id="profile">Profile</MenuItem>
                <MenuItem id="sign-out">Sign out</MenuItem>
              </Menu>
            </Popover>
          </MenuTrigger>
        </div>
      </header>
      <div className="layout">
        {accountId ? <Navigation accountId={accountId} orgId={orgId} /> : null}
        <main id="main" className="content" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
    </div>
  );
}

function Navigation({ accountId, orgId }: { accountId: string; orgId: string | undefined }) {
  return (
    <nav className="sidenav" aria-label="Console">
      <ul>
        <li>
          <NavLink end to={paths.account(accountId, orgId)}>
            Account
          </NavLink>
        </li>
        <li>
          <NavLink end to={paths.accountPage(accountId, 'organizations', orgId)}>
            Organizations
          </NavLink>
        </li>
        <li>
          <NavLink to={paths.accountPage(accountId, 'groups', orgId)}>Groups</NavLink>
        </li>
        <li>
          <NavLink to={paths.accountPage(accountId, 'members', orgId)}>Admins</NavLink>
        </li>
        <li>
          <NavLink to={paths.accountPage(accountId, 'keys', orgId)}>Access keys</NavLink>
        </li>
        <li>
          <NavLink to={paths.accountPage(accountId, 'audit', orgId)}>Audit log</NavLink>
        </li>
      </ul>
      {orgId ? (
        <ul aria-label="Organization">
          <li>
            <NavLink end to={paths.organization(accountId, orgId)}>
              Organization settings
            </NavLink>
          </li>
          <li>
            <NavLink to={paths.organizationPage(accountId, orgId, 'systems')}>Systems</NavLink>
          </li>
          <li>
            <NavLink to={paths.organizationPage(accountId, orgId, 'users')}>End users</NavLink>
          </li>
        </ul>
      ) : null}
    </nav>
  );
}
