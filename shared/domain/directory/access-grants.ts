/**
 * Access grants (SPEC §4 "Access"): which end users may sign in to which system. A grant exists only
 * while its system and its user do (see grants.ts for when one counts).
 */
import { NotFoundError } from '../kernel/errors.ts';
import type { AuditEvent } from '../kernel/audit-events.ts';
import type { AccessControl } from '../tenancy/actors.ts';
import type { Page, PageRequest, RequestFacts } from '../kernel/request.ts';
import type { AccessGrant } from '../sign-in/model.ts';
import { directoryEvent, organizationActor } from './directory-access.ts';

/** A grant as the access list shows it: with the end user's email. */
export type ListedGrant = AccessGrant & { email: string };

/** Storage of grants; every write carries its audit event into the same transaction. */
export interface AccessGrantStore {
  /** Writes the grant unless it exists; the system and the user must exist (checked in the same commit). */
  putGrant(grant: AccessGrant, event: AuditEvent): Promise<{ outcome: 'created'; grant: AccessGrant } | { outcome: 'exists'; grant: AccessGrant } | { outcome: 'no_system' } | { outcome: 'no_user' }>;
  deleteGrant(organizationId: string, systemName: string, userId: string, event: AuditEvent): Promise<boolean>;
  /** Grants of a system in user-id order, each with its user's email; undefined when there is no such system. */
  listGrants(organizationId: string, systemName: string, page: PageRequest): Promise<Page<ListedGrant> | undefined>;
}

export function presentGrant(grant: AccessGrant) {
  const { systemName, userId, createdAt } = grant;
  return { systemName, userId, createdAt };
}

export class AccessGrants {
  constructor(
    private readonly access: AccessControl,
    private readonly store: AccessGrantStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Idempotent: `created` tells a new grant (201) from one that existed (200). */
  async grantAccess(request: RequestFacts, orgId: string, systemName: string, userId: string) {
    const { actor, organization } = await organizationActor(this.access, request, orgId, 'system:write');
    const now = this.now();
    const grant: AccessGrant = { organizationId: orgId, systemName, userId, createdAt: now.toISOString() };
    const event = directoryEvent(actor, request, organization, 'access.granted', { type: 'enduser', id: userId }, { system: systemName }, now);
    const result = await this.store.putGrant(grant, event);
    if (result.outcome === 'no_system') throw new NotFoundError('System');
    if (result.outcome === 'no_user') throw new NotFoundError('End user');
    return { created: result.outcome === 'created', grant: presentGrant(result.grant) };
  }

  async revokeAccess(request: RequestFacts, orgId: string, systemName: string, userId: string): Promise<void> {
    const { actor, organization } = await organizationActor(this.access, request, orgId, 'system:write');
    const event = directoryEvent(actor, request, organization, 'access.revoked', { type: 'enduser', id: userId }, { system: systemName }, this.now());
    if (!(await this.store.deleteGrant(orgId, systemName, userId, event))) throw new NotFoundError('Access grant');
  }

  async listAccess(request: RequestFacts, orgId: string, systemName: string, page: PageRequest) {
    await organizationActor(this.access, request, orgId, 'system:read');
    const result = await this.store.listGrants(orgId, systemName, page);
    if (!result) throw new NotFoundError('System');
    return { items: result.items.map((grant) => ({ ...presentGrant(grant), email: grant.email })), lastKey: result.lastKey };
  }
}
