import type { AuditEvent } from '#shared/domain/kernel/audit-events.ts';
import { ConflictError } from '#shared/domain/kernel/errors.ts';
import type { Account, Group, Membership, Operator, Organization, Role, Scope } from '#shared/domain/kernel/model.ts';
import type { OperatorStore } from '#shared/domain/sessions/operator-store.ts';
import { newId } from '#shared/domain/kernel/secrets.ts';
import type { AccessStore } from '#shared/domain/tenancy/actors.ts';
import type { Invitation, InvitationStore, StoredInvitation } from '#shared/domain/tenancy/invitations.ts';
import type { Page, PageRequest } from '#shared/domain/kernel/request.ts';
import type { ChangeOutcome, Member, MembershipChange, MemberStore, ScopeCatalog } from '#shared/domain/tenancy/members.ts';
import type { GroupWriteOutcome, OrganizationPatch, OrganizationStore } from '#shared/domain/tenancy/organizations.ts';

const membershipKey = (accountId: string, userId: string) => `${accountId}/${userId}`;

/** A page of `items` (already in key order) after the item whose `field` the cursor names. */
function page<T>(items: T[], field: keyof T & string, limit: number, startKey: Record<string, unknown> | undefined): Page<T> {
  const start = startKey ? items.findIndex((item) => item[field] === startKey[field]) + 1 : 0;
  const slice = items.slice(start, start + limit);
  const last = slice.at(-1);
  return { items: slice, lastKey: start + limit < items.length && last ? { [field]: last[field] } : undefined };
}

/**
 * The tenancy side of the table in memory: operators, accounts (with their owner count),
 * memberships, organizations (tombstoned on delete), groups (versioned), invitations and the audit
 * events every write carries. One object implements every port the tenancy services read and write,
 * with the conditions the DynamoDB repositories put on their transactions; `seed*` builds a world.
 */
export class MemoryTenancy implements OperatorStore, MemberStore, ScopeCatalog, AccessStore, OrganizationStore, InvitationStore {
  readonly operators = new Map<string, Operator>();
  readonly accounts = new Map<string, Account & { ownerCount: number }>();
  readonly memberships = new Map<string, Membership>();
  readonly organizations = new Map<string, Organization>();
  readonly groups = new Map<string, Group & { version: number }>();
  readonly invitations = new Map<string, StoredInvitation>();
  readonly events: AuditEvent[] = [];
  /** Runs once, just before the next membership or group write: another writer getting in between. */
  private interleaved: (() => void) | undefined;

  constructor(private readonly now: () => Date = () => new Date()) {}

  beforeNextWrite(work: () => void): void {
    this.interleaved = work;
  }

  private interleave(): void {
    const work = this.interleaved;
    this.interleaved = undefined;
    work?.();
  }

  // --- seeding -------------------------------------------------------------------------------

  seedOperator(email = `${newId('op')}@example.test`): Operator {
    const operator: Operator = { id: newId('usr'), email, passwordHash: 'not-a-hash', createdAt: this.now().toISOString() };
    this.operators.set(operator.id, operator);
    return operator;
  }

  /** An account with one owner. */
  seedAccount(name = 'Acme'): { account: Account; owner: Operator } {
    const account = { id: newId('acc'), name, createdAt: this.now().toISOString() };
    this.accounts.set(account.id, { ...account, ownerCount: 0 });
    const owner = this.seedMember(account.id, 'owner');
    return { account, owner };
  }

  /** A new operator with a membership of the account (an existing one with `operator`). */
  seedMember(accountId: string, role: Role, scope: Scope = 'all', operator = this.seedOperator()): Operator {
    this.memberships.set(membershipKey(accountId, operator.id), { accountId, userId: operator.id, role, scope, createdAt: this.now().toISOString() });
    const account = this.accounts.get(accountId);
    if (account && role === 'owner') account.ownerCount += 1;
    return operator;
  }

  seedOrganization(accountId: string, name = 'Org'): Organization {
    const at = this.now().toISOString();
    const organization: Organization = {
      id: newId('org'), accountId, name, status: 'active', createdAt: at, updatedAt: at,
      settings: { requireMfa: false, smsDailyLimit: 100, smsAllowedCountries: ['FR'], emailDailyLimit: 100 },
    };
    this.organizations.set(organization.id, organization);
    return organization;
  }

  seedGroup(accountId: string, organizations: string[], name = 'Group'): Group {
    const at = this.now().toISOString();
    const group = { id: newId('grp'), accountId, name, organizations, createdAt: at, updatedAt: at };
    this.groups.set(membershipKey(accountId, group.id), { ...group, version: 1 });
    return group;
  }

  eventsOfType(type: string): AuditEvent[] {
    return this.events.filter((event) => event.type === type);
  }

  // --- OperatorStore -------------------------------------------------------------------------

  createOperatorWithAccount(input: { operator: Operator; account: Account; membership: Membership }): Promise<void> {
    if ([...this.operators.values()].some((operator) => operator.email === input.operator.email)) {
      return Promise.reject(new ConflictError('email_taken', 'An operator with this email already exists.'));
    }
    this.operators.set(input.operator.id, { ...input.operator });
    this.accounts.set(input.account.id, { ...input.account, ownerCount: 1 });
    this.memberships.set(membershipKey(input.account.id, input.operator.id), { ...input.membership });
    return Promise.resolve();
  }

  findOperatorByEmail(email: string): Promise<Operator | undefined> {
    return Promise.resolve([...this.operators.values()].find((operator) => operator.email === email));
  }

  findOperatorById(userId: string): Promise<Operator | undefined> {
    return Promise.resolve(this.operators.get(userId));
  }

  findMembership(accountId: string, userId: string): Promise<Membership | undefined> {
    const membership = this.memberships.get(membershipKey(accountId, userId));
    return Promise.resolve(membership && structuredClone(membership));
  }

  listMembershipsOfUser(userId: string): Promise<Membership[]> {
    return Promise.resolve([...this.memberships.values()].filter((membership) => membership.userId === userId));
  }

  findAccountsByIds(accountIds: string[]): Promise<Account[]> {
    return Promise.resolve(accountIds.flatMap((id) => {
      const account = this.accounts.get(id);
      return account ? [{ id: account.id, name: account.name, createdAt: account.createdAt }] : [];
    }));
  }

  // --- MemberStore ---------------------------------------------------------------------------

  listMembers(accountId: string, limit: number, startKey: Record<string, unknown> | undefined): Promise<Page<Member>> {
    const members = [...this.memberships.values()]
      .filter((membership) => membership.accountId === accountId)
      .sort((a, b) => a.userId.localeCompare(b.userId))
      .map((membership) => this.toMember(membership));
    return Promise.resolve(page(members, 'userId', limit, startKey));
  }

  findMember(accountId: string, userId: string): Promise<Member | undefined> {
    const membership = this.memberships.get(membershipKey(accountId, userId));
    return Promise.resolve(membership && this.toMember(membership));
  }

  updateMembership(change: MembershipChange & { role: Role; scope: Scope }): Promise<ChangeOutcome> {
    return this.commitMembership(change, (current) => {
      this.memberships.set(membershipKey(change.accountId, change.userId), { ...current, role: change.role, scope: structuredClone(change.scope) });
    });
  }

  removeMembership(change: MembershipChange): Promise<ChangeOutcome> {
    return this.commitMembership(change, () => {
      this.memberships.delete(membershipKey(change.accountId, change.userId));
    });
  }

  /** The membership still has the role read, and an owner leaving is not the last one: all or nothing. */
  private commitMembership(change: MembershipChange, write: (current: Membership) => void): Promise<ChangeOutcome> {
    this.interleave();
    const current = this.memberships.get(membershipKey(change.accountId, change.userId));
    if (current?.role !== change.expectedRole) return Promise.resolve('changed');
    const account = this.accounts.get(change.accountId);
    if (!account) return Promise.resolve('changed');
    if (change.ownerDelta === -1 && account.ownerCount <= 1) return Promise.resolve('last_owner');
    account.ownerCount += change.ownerDelta;
    write(current);
    this.events.push(...change.events);
    return Promise.resolve('done');
  }

  private toMember(membership: Membership): Member {
    return {
      userId: membership.userId,
      email: this.operators.get(membership.userId)?.email ?? '',
      role: membership.role,
      scope: structuredClone(membership.scope),
      createdAt: membership.createdAt,
      mfa: { totp: false },
    };
  }

  // --- ScopeCatalog, AccessStore, OrganizationStore ------------------------------------------

  findOrganization(orgId: string): Promise<Organization | undefined> {
    const organization = this.organizations.get(orgId);
    return Promise.resolve(organization?.status === 'active' ? structuredClone(organization) : undefined);
  }

  listGroupsOfAccount(accountId: string): Promise<Group[]> {
    return Promise.resolve(this.groupsOf(accountId).map(({ version: _version, ...group }) => structuredClone(group)));
  }

  findOrganizationsByIds(orgIds: string[]): Promise<Organization[]> {
    return Promise.resolve(orgIds.flatMap((id) => {
      const organization = this.organizations.get(id);
      return organization?.status === 'active' ? [structuredClone(organization)] : [];
    }));
  }

  listOrganizationsOfAccount(accountId: string, request: PageRequest & { only?: Set<string> }): Promise<Page<Organization>> {
    const organizations = [...this.organizations.values()]
      .filter((organization) => organization.accountId === accountId && organization.status === 'active')
      .filter((organization) => !request.only || request.only.has(organization.id))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    return Promise.resolve(page(organizations, 'id', request.limit, request.cursor));
  }

  createOrganization(organization: Organization, event: AuditEvent, quota: number): Promise<boolean> {
    if (this.activeOrganizationsOf(organization.accountId).length >= quota) return Promise.resolve(false);
    this.organizations.set(organization.id, structuredClone(organization));
    this.events.push(event);
    return Promise.resolve(true);
  }

  updateOrganization(orgId: string, patch: OrganizationPatch, updatedAt: string, event: AuditEvent): Promise<boolean> {
    const organization = this.organizations.get(orgId);
    if (organization?.status !== 'active') return Promise.resolve(false);
    this.organizations.set(orgId, {
      ...organization,
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      settings: { ...organization.settings, ...patch.settings },
      updatedAt,
    });
    this.events.push(event);
    return Promise.resolve(true);
  }

  deleteOrganization(organization: Organization, deletedAt: string, event: AuditEvent): Promise<boolean> {
    const stored = this.organizations.get(organization.id);
    if (stored?.status !== 'active') return Promise.resolve(false);
    this.organizations.set(organization.id, { ...stored, status: 'deleted', updatedAt: deletedAt });
    for (const group of this.groupsOf(organization.accountId)) {
      if (group.organizations.includes(organization.id)) {
        group.organizations = group.organizations.filter((id) => id !== organization.id);
        group.version += 1;
      }
    }
    this.events.push(event);
    return Promise.resolve(true);
  }

  findGroup(accountId: string, groupId: string): Promise<(Group & { version: number }) | undefined> {
    const group = this.groups.get(membershipKey(accountId, groupId));
    return Promise.resolve(group && structuredClone(group));
  }

  listGroupsPage(accountId: string, request: PageRequest): Promise<Page<Group>> {
    const groups = this.groupsOf(accountId).map(({ version: _version, ...group }) => structuredClone(group)).sort((a, b) => a.id.localeCompare(b.id));
    return Promise.resolve(page(groups, 'id', request.limit, request.cursor));
  }

  createGroup(group: Group, event: AuditEvent): Promise<GroupWriteOutcome> {
    const key = membershipKey(group.accountId, group.id);
    if (this.groups.has(key)) return Promise.resolve({ ok: false, reason: 'stale' });
    const inactive = this.firstInactive(group.accountId, group.organizations);
    if (inactive) return Promise.resolve({ ok: false, reason: 'organization', orgId: inactive });
    this.groups.set(key, { ...structuredClone(group), version: 1 });
    this.events.push(event);
    return Promise.resolve({ ok: true });
  }

  updateGroup(group: Group, expectedVersion: number, added: string[], event: AuditEvent): Promise<GroupWriteOutcome> {
    this.interleave();
    const key = membershipKey(group.accountId, group.id);
    const current = this.groups.get(key);
    if (!current) return Promise.resolve({ ok: false, reason: 'missing' });
    if (current.version !== expectedVersion) return Promise.resolve({ ok: false, reason: 'stale' });
    const inactive = this.firstInactive(group.accountId, added);
    if (inactive) return Promise.resolve({ ok: false, reason: 'organization', orgId: inactive });
    this.groups.set(key, { ...structuredClone(group), version: expectedVersion + 1 });
    this.events.push(event);
    return Promise.resolve({ ok: true });
  }

  deleteGroup(accountId: string, groupId: string, event: AuditEvent): Promise<boolean> {
    if (!this.groups.delete(membershipKey(accountId, groupId))) return Promise.resolve(false);
    this.events.push(event);
    return Promise.resolve(true);
  }

  /** Bumps a group's version, as a concurrent writer would. */
  touchGroup(accountId: string, groupId: string): void {
    const group = this.groups.get(membershipKey(accountId, groupId));
    if (group) group.version += 1;
  }

  private groupsOf(accountId: string): (Group & { version: number })[] {
    return [...this.groups.values()].filter((group) => group.accountId === accountId);
  }

  private activeOrganizationsOf(accountId: string): Organization[] {
    return [...this.organizations.values()].filter((organization) => organization.accountId === accountId && organization.status === 'active');
  }

  private firstInactive(accountId: string, orgIds: string[]): string | undefined {
    return orgIds.find((id) => {
      const organization = this.organizations.get(id);
      return organization?.status !== 'active' || organization.accountId !== accountId;
    });
  }

  // --- InvitationStore -----------------------------------------------------------------------

  createInvitation(invitation: StoredInvitation, event: AuditEvent): Promise<void> {
    this.invitations.set(membershipKey(invitation.accountId, invitation.id), structuredClone(invitation));
    this.events.push(event);
    return Promise.resolve();
  }

  listPendingInvitations(accountId: string, now: string, limit: number, startKey: Record<string, unknown> | undefined): Promise<Page<Invitation>> {
    const pending = [...this.invitations.values()]
      .filter((invitation) => invitation.accountId === accountId && invitation.status === 'pending' && invitation.expiresAt > now)
      .sort((a, b) => a.id.localeCompare(b.id))
      .map(({ tokenHash: _tokenHash, ...invitation }) => structuredClone(invitation));
    return Promise.resolve(page(pending, 'id', limit, startKey));
  }

  findInvitation(accountId: string, invitationId: string): Promise<StoredInvitation | undefined> {
    const invitation = this.invitations.get(membershipKey(accountId, invitationId));
    return Promise.resolve(invitation && structuredClone(invitation));
  }

  findInvitationByTokenHash(tokenHash: string): Promise<StoredInvitation | undefined> {
    const invitation = [...this.invitations.values()].find((candidate) => candidate.tokenHash === tokenHash);
    return Promise.resolve(invitation && structuredClone(invitation));
  }

  deleteInvitation(invitation: StoredInvitation, event: AuditEvent): Promise<boolean> {
    const key = membershipKey(invitation.accountId, invitation.id);
    if (this.invitations.get(key)?.status !== 'pending') return Promise.resolve(false);
    this.invitations.delete(key);
    this.events.push(event);
    return Promise.resolve(true);
  }

  acceptAsNewOperator(input: { invitation: StoredInvitation; operator: Operator; membership: Membership; event: AuditEvent; at: string }): Promise<void> {
    if ([...this.operators.values()].some((operator) => operator.email === input.operator.email)) {
      return Promise.reject(new ConflictError('email_taken', 'An operator with this email already exists.'));
    }
    return this.consume(input, () => this.operators.set(input.operator.id, { ...input.operator }));
  }

  acceptAsExistingOperator(input: { invitation: StoredInvitation; membership: Membership; event: AuditEvent; at: string }): Promise<void> {
    if (this.memberships.has(membershipKey(input.membership.accountId, input.membership.userId))) {
      return Promise.reject(new ConflictError('member_exists', 'This operator is already a member of the account.'));
    }
    return this.consume(input, () => undefined);
  }

  /** Pending and unexpired → accepted, with the membership, the owner count and the event: one step. */
  private consume(input: { invitation: StoredInvitation; membership: Membership; event: AuditEvent; at: string }, alsoWrite: () => void): Promise<void> {
    const stored = this.invitations.get(membershipKey(input.invitation.accountId, input.invitation.id));
    if (stored?.status !== 'pending' || stored.expiresAt <= input.at) {
      return Promise.reject(new ConflictError('conflict', 'The request conflicts with the current state; reload and retry.'));
    }
    stored.status = 'accepted';
    alsoWrite();
    this.memberships.set(membershipKey(input.membership.accountId, input.membership.userId), structuredClone(input.membership));
    const account = this.accounts.get(input.membership.accountId);
    if (account && input.membership.role === 'owner') account.ownerCount += 1;
    this.events.push(input.event);
    return Promise.resolve();
  }
}
