/**
 * What every directory operation starts with: the actor from the credential (an organization of
 * another account is a 404), the one authorization check, and the audit event of the change.
 */
import type { AccessControl } from '../tenancy/actors.ts';
import type { Actor } from '../tenancy/authorization.ts';
import { auditEvent } from '../kernel/audit-events.ts';
import type { Organization } from '../kernel/model.ts';
import type { RequestFacts } from '../kernel/request.ts';
import { auditContextOf } from '../tenancy/actors.ts';

// A concurrent writer changed the item between our read and our write: re-read and apply again.
export const WRITE_ATTEMPTS = 3;

/** The actor of the request and its organization, once `action` is allowed on the organization. */
export async function organizationActor(access: AccessControl, request: RequestFacts, orgId: string, action: 'system:read' | 'system:write' | 'enduser:read' | 'enduser:write') {
  const { actor, organization } = await access.actorForOrganization(request.principal, orgId);
  await access.require(actor, action, { accountId: organization.accountId, organizationId: orgId });
  return { actor, organization };
}

/** The audit event of a directory change, in the organization's log. */
export function directoryEvent(actor: Actor, request: RequestFacts, organization: Organization, type: string, target: { type: string; id: string }, details: Record<string, unknown>, now: Date) {
  return auditEvent(auditContextOf(actor, request), { accountId: organization.accountId, organizationId: organization.id, type, target, details }, now);
}

