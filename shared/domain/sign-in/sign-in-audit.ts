/**
 * The audit trail of a sign-in: every event names the system, the user (phone masked) and the key
 * that asked. A decoy's events say why it is one (`suppressed`): the reason goes to the audit log,
 * never to the caller.
 */
import { maskPhone } from '../directory/phone-numbers.ts';
import { auditEvent, type AuditContext, type AuditEvent } from '../kernel/audit-events.ts';
import type { Organization } from '../kernel/model.ts';
import type { Actor } from '../tenancy/authorization.ts';
import { auditActorOf } from '../tenancy/actors.ts';
import type { EndUser, SignInSystem } from './model.ts';

/** Where sign-in events are recorded (the audit repository). */
export type RecordAuditEvent = (event: AuditEvent) => Promise<void>;

/** Records a sign-in event (`audit(type, details)`), or only builds it (`audit.event`) for a write that commits it. */
export interface Auditor {
  (type: string, details: Record<string, unknown>): Promise<void>;
  event(type: string, details: Record<string, unknown>): AuditEvent;
}

/** The auditor of one sign-in request; events are stamped with `now()` when they are built. */
export function signInAuditor(
  record: RecordAuditEvent,
  now: () => Date,
  of: { actor: Actor; request: { requestId: string; sourceIp: string }; organization: Organization; system: SignInSystem; user: EndUser | undefined },
): Auditor {
  const { actor, request, organization, system, user } = of;
  const context: AuditContext = { actor: auditActorOf(actor), sourceIp: request.sourceIp, requestId: request.requestId };
  const event = (type: string, details: Record<string, unknown>): AuditEvent =>
    auditEvent(
      context,
      {
        accountId: organization.accountId,
        organizationId: organization.id,
        type,
        target: user ? { type: 'end_user', id: user.id } : null,
        details: { system: system.name, userId: user?.id ?? null, phone: user ? maskPhone(user.phone) : null, ...details },
      },
      now(),
    );
  return Object.assign((type: string, details: Record<string, unknown>) => record(event(type, details)), { event });
}

/** The auditor of a decoy: every event it records or builds carries `suppressed: reason`; `audit` itself when there is no reason. */
export function suppressedAs(audit: Auditor, reason: string | undefined): Auditor {
  if (!reason) return audit;
  return Object.assign((type: string, details: Record<string, unknown>) => audit(type, { ...details, suppressed: reason }), {
    event: (type: string, details: Record<string, unknown>) => audit.event(type, { ...details, suppressed: reason }),
  });
}
