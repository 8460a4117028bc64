/**
 * Reading the audit log. Members who reach every organization read the account's whole log; members
 * scoped to organizations read only those organizations' events (never account-level ones), one
 * organization per request.
 */
import type { AccessControl } from './actors.ts';
import type { AuditEvent } from '../kernel/audit-events.ts';
import { NotFoundError, ValidationError } from '../kernel/errors.ts';
import type { Organization } from '../kernel/model.ts';
import type { Principal } from '../kernel/principal.ts';

export interface EventQuery {
  accountId: string;
  /** Only this organization's events (GSI1); the store also checks they belong to `accountId`. */
  organizationId?: string;
  from?: string;
  to?: string;
  type?: string;
  limit: number;
  startKey?: Record<string, unknown>;
}

export interface AuditLogStore {
  listEvents(query: EventQuery): Promise<{ items: AuditEvent[]; lastKey: Record<string, unknown> | undefined }>;
  /** Undefined for unknown and deleted organizations. */
  findOrganization(orgId: string): Promise<Organization | undefined>;
}

export interface EventFilters {
  organization?: string;
  type?: string;
  from?: string;
  to?: string;
  limit: number;
  startKey?: Record<string, unknown>;
}

export class AuditLog {
  constructor(
    private readonly store: AuditLogStore,
    private readonly access: AccessControl,
  ) {}

  /** Newest first, filtered, one page. */
  async listEvents(principal: Principal, accountId: string, filters: EventFilters) {
    const actor = await this.access.actorForAccount(principal, accountId);
    const { organization, ...rest } = filters;
    if (organization !== undefined) {
      const found = await this.store.findOrganization(organization);
      if (found?.accountId !== accountId) throw new NotFoundError('Organization');
      await this.access.require(actor, 'event:read', { accountId, organizationId: organization });
      return this.store.listEvents({ accountId, organizationId: organization, ...rest });
    }
    await this.access.require(actor, 'event:read', { accountId });
    const reach = await this.access.reachable(actor);
    if (reach === 'all') return this.store.listEvents({ accountId, ...rest });
    // A scoped member: account-level events are not theirs to see, so one organization is read.
    const [only, ...others] = [...reach];
    if (only === undefined) return { items: [], lastKey: undefined };
    if (others.length > 0) {
      throw new ValidationError([{ field: 'query.organization', message: 'is required for members scoped to several organizations' }]);
    }
    return this.store.listEvents({ accountId, organizationId: only, ...rest });
  }
}
