/**
 * Members of an account: list, change role or scope, remove. The account keeps a count of its owners
 * so that "never remove or demote the last owner" is one conditional write in the same transaction as
 * the change (two owners demoting each other at once leave exactly one owner).
 */
import type { Page } from '../kernel/request.ts';
import { auditEvent, type AuditContext, type AuditEvent } from '../kernel/audit-events.ts';
import { ConflictError, NotFoundError, ValidationError, type FieldIssue } from '../kernel/errors.ts';
import type { Group, Membership, Organization, Role, Scope } from '../kernel/model.ts';

/** A member as the API shows it. */
export interface Member {
  userId: string;
  email: string;
  role: Role;
  scope: Scope;
  createdAt: string;
  /** Whether the person has a confirmed second factor (an owner decides on Reset / Link to QR from it). */
  mfa: { totp: boolean };
}

/** What a membership change writes, in one transaction. */
export interface MembershipChange {
  accountId: string;
  userId: string;
  /** The role read before the change; the write is conditional on it still being so. */
  expectedRole: Role;
  /** +1 when an owner is added, -1 when one is demoted or removed (conditional on `ownerCount > 1`). */
  ownerDelta: -1 | 0 | 1;
  events: AuditEvent[];
}

/** `changed`: the membership changed (or vanished) since it was read; `last_owner`: the owner count refused. */
export type ChangeOutcome = 'done' | 'changed' | 'last_owner';

export interface MemberStore {
  listMembers(accountId: string, limit: number, startKey: Record<string, unknown> | undefined): Promise<Page<Member>>;
  findMembership(accountId: string, userId: string): Promise<Membership | undefined>;
  findMember(accountId: string, userId: string): Promise<Member | undefined>;
  updateMembership(change: MembershipChange & { role: Role; scope: Scope }): Promise<ChangeOutcome>;
  removeMembership(change: MembershipChange): Promise<ChangeOutcome>;
}

/** What scope validation reads: organizations (active only) and the account's groups. */
export interface ScopeCatalog {
  findOrganization(orgId: string): Promise<Organization | undefined>;
  listGroupsOfAccount(accountId: string): Promise<Group[]>;
}

/** How an actor appears in the audit log. */
/**
 * Checks that every id of a scope is an active organization or a group of this account; the 400 names
 * each offending entry (`body.scope.organizations.1`). An owner's scope is always `all`: an owner may
 * change members, invitations and keys, so a narrower scope would be a fiction.
 */
export async function assertScopeFitsAccount(catalog: ScopeCatalog, accountId: string, role: Role, scope: Scope, field = 'body.scope'): Promise<void> {
  if (scope === 'all') return;
  if (role === 'owner') throw new ValidationError([{ field, message: 'must be "all" for an owner' }]);
  const issues: FieldIssue[] = [];
  const organizations = await Promise.all(scope.organizations.map((orgId) => catalog.findOrganization(orgId)));
  organizations.forEach((organization, index) => {
    if (organization?.accountId !== accountId) issues.push({ field: `${field}.organizations.${index}`, message: 'is not an organization of this account' });
  });
  if (scope.groups.length > 0) {
    const known = new Set((await catalog.listGroupsOfAccount(accountId)).map((group) => group.id));
    scope.groups.forEach((groupId, index) => {
      if (!known.has(groupId)) issues.push({ field: `${field}.groups.${index}`, message: 'is not a group of this account' });
    });
  }
  if (issues.length > 0) throw new ValidationError(issues);
}

const sameScope = (a: Scope, b: Scope): boolean => JSON.stringify(a) === JSON.stringify(b);

const ownerDelta = (before: Role, after: Role): -1 | 0 | 1 => ((after === 'owner' ? 1 : 0) - (before === 'owner' ? 1 : 0)) as -1 | 0 | 1;

/** A change that lost a race with another one is recomputed from a fresh read this many times. */
const MAX_ATTEMPTS = 3;

export class Members {
  constructor(
    private readonly store: MemberStore,
    private readonly catalog: ScopeCatalog,
  ) {}

  /** A page of the account's members, in user-id order. */
  list(accountId: string, page: { limit: number; cursor?: Record<string, unknown> }): Promise<Page<Member>> {
    return this.store.listMembers(accountId, page.limit, page.cursor);
  }

  /**
   * Changes a member's role and/or scope. Promoting to owner widens the scope to `all`; demoting an
   * owner keeps `all` unless a scope is given. Refuses (409 `last_owner`) to demote the last owner.
   */
  async update(accountId: string, userId: string, change: { role?: Role; scope?: Scope }, context: AuditContext): Promise<Member> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.store.findMembership(accountId, userId);
      if (!current) throw new NotFoundError('Member');
      const role = change.role ?? current.role;
      // Only a scope the caller sends is checked: a stored one may name an organization deleted since.
      if (change.scope !== undefined) await assertScopeFitsAccount(this.catalog, accountId, role, change.scope);
      const scope = change.scope ?? (role === 'owner' ? 'all' : current.scope);

      const target = { type: 'member', id: userId };
      const events: AuditEvent[] = [];
      if (role !== current.role) {
        events.push(auditEvent(context, { accountId, type: 'member.role_changed', target, details: { from: current.role, to: role } }));
      }
      if (!sameScope(scope, current.scope)) {
        events.push(auditEvent(context, { accountId, type: 'member.scope_changed', target, details: { from: current.scope, to: scope } }));
      }
      if (events.length === 0) return this.member(accountId, userId);

      const outcome = await this.store.updateMembership({
        accountId, userId, expectedRole: current.role, role, scope, ownerDelta: ownerDelta(current.role, role), events,
      });
      if (outcome === 'last_owner') throw lastOwner();
      if (outcome === 'done') return this.member(accountId, userId);
    }
    throw conflict();
  }

  /** Removes a member (their tokens then reach nothing in this account). Never the last owner. */
  async remove(accountId: string, userId: string, context: AuditContext): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.store.findMembership(accountId, userId);
      if (!current) throw new NotFoundError('Member');
      const event = auditEvent(context, { accountId, type: 'member.removed', target: { type: 'member', id: userId }, details: { role: current.role } });
      const outcome = await this.store.removeMembership({
        accountId, userId, expectedRole: current.role, ownerDelta: ownerDelta(current.role, 'viewer'), events: [event],
      });
      if (outcome === 'last_owner') throw lastOwner();
      if (outcome === 'done') return;
    }
    throw conflict();
  }

  private async member(accountId: string, userId: string): Promise<Member> {
    const member = await this.store.findMember(accountId, userId);
    if (!member) throw new NotFoundError('Member');
    return member;
  }
}

function lastOwner(): ConflictError {
  return new ConflictError('last_owner', 'An account must keep at least one owner; promote another member first.');
}

function conflict(): ConflictError {
  return new ConflictError('conflict', 'The member was changed concurrently; reload and retry.');
}
