import { authorize, reachableOrganizations, type Action, type Actor, type GroupOrganizations } from './authorization.ts';
import { AuthError, NotFoundError } from '../kernel/errors.ts';
import type { Group, Membership, Organization } from '../kernel/model.ts';
import type { AuditActor, AuditContext } from '../kernel/audit-events.ts';
import type { Principal } from '../kernel/principal.ts';
import type { RequestOrigin } from '../kernel/request.ts';

/** What access decisions need to read. */
export interface AccessStore {
  findMembership(accountId: string, userId: string): Promise<Membership | undefined>;
  /** Undefined for unknown and for deleted (tombstoned) organizations alike. */
  findOrganization(orgId: string): Promise<Organization | undefined>;
  listGroupsOfAccount(accountId: string): Promise<Group[]>;
}

/**
 * Turns the request's principal into an actor of one account and asks `authorize`. An actor from
 * another account gets the same 404 as a missing resource, so ids of other tenants leak nothing.
 */
export class AccessControl {
  constructor(private readonly store: AccessStore) {}

  /** The actor for an account-level route (`/v2/accounts/{accountId}/…`). */
  async actorForAccount(principal: Principal, accountId: string): Promise<Actor> {
    switch (principal.kind) {
      case 'operator': {
        const membership = await this.store.findMembership(accountId, principal.userId);
        if (!membership) throw new NotFoundError('Account');
        return { kind: 'member', userId: principal.userId, accountId, role: membership.role, scope: membership.scope };
      }
      case 'key':
        if (principal.accountId !== accountId) throw new NotFoundError('Account');
        return { kind: 'key', keyId: principal.keyId, accountId, permissions: principal.permissions, organizations: principal.organizations };
      case 'anonymous':
        throw new AuthError();
    }
  }

  /** The organization (active only) and the actor for an organization-level route. */
  async actorForOrganization(principal: Principal, orgId: string): Promise<{ actor: Actor; organization: Organization }> {
    const organization = await this.store.findOrganization(orgId);
    if (!organization) throw new NotFoundError('Organization');
    const actor = await this.actorForAccount(principal, organization.accountId).catch((error: unknown) => {
      throw error instanceof NotFoundError ? new NotFoundError('Organization') : error;
    });
    return { actor, organization };
  }

  /** Throws 403 (or 404 across accounts) unless the actor may take the action on the resource. */
  async require(actor: Actor, action: Action, resource: { accountId: string; organizationId?: string }): Promise<void> {
    await authorize(actor, action, resource, this.groupOrganizations(actor.accountId));
  }

  /** `all`, or the organizations the actor reaches: for filtering lists. */
  async reachable(actor: Actor): Promise<'all' | Set<string>> {
    return reachableOrganizations(actor, this.groupOrganizations(actor.accountId));
  }

  /** Reads the account's groups at request time, so a group's new organization counts at once. */
  private groupOrganizations(accountId: string): GroupOrganizations {
    return async (groupIds) => {
      const wanted = new Set(groupIds);
      const groups = await this.store.listGroupsOfAccount(accountId);
      return new Set(groups.filter((group) => wanted.has(group.id)).flatMap((group) => group.organizations));
    };
  }
}

/** Who the audit log names for an actor: the operator, or the access key. */
export function auditActorOf(actor: Actor): AuditActor {
  return actor.kind === 'key' ? { kind: 'key', id: actor.keyId } : { kind: 'operator', id: actor.userId };
}

/** The audit context of one request made by `actor`. */
export function auditContextOf(actor: Actor, request: RequestOrigin): AuditContext {
  return { actor: auditActorOf(actor), sourceIp: request.sourceIp, requestId: request.requestId };
}
