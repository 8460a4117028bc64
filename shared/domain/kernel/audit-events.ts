/**
 * The audit log: every security-relevant change and sign-in event, with who, what, where and when.
 * Events expire after the retention (DynamoDB TTL; default 400 days).
 */
import { newId } from './secrets.ts';

export const AUDIT_RETENTION_DAYS = 400;

export interface AuditActor {
  kind: 'operator' | 'key' | 'anonymous' | 'system';
  id: string | null;
}

export interface AuditEvent {
  id: string;
  accountId: string;
  /** Set when the event concerns one organization; scoped readers see only their organizations'. */
  organizationId: string | null;
  /** Dotted type, e.g. `organization.created`, `member.role_changed`, `key.revoked`, `login.failed`. */
  type: string;
  actor: AuditActor;
  target: { type: string; id: string } | null;
  at: string;
  sourceIp: string | null;
  requestId: string | null;
  /** Non-secret details (names, old/new roles). Never tokens, codes or full phone numbers. */
  details: Record<string, unknown>;
}

/** An owner ended every session of a member (`DELETE /v2/accounts/{accountId}/members/{userId}/sessions`). */
export const MEMBER_SESSIONS_ENDED = 'member.sessions_ended';

/** Request facts every audit event carries. */
export interface AuditContext {
  actor: AuditActor;
  sourceIp: string | null;
  requestId: string | null;
}

export function auditEvent(
  context: AuditContext,
  event: { accountId: string; organizationId?: string | null; type: string; target?: { type: string; id: string } | null; details?: Record<string, unknown> },
  now = new Date(),
): AuditEvent {
  return {
    id: newId('evt'),
    accountId: event.accountId,
    organizationId: event.organizationId ?? null,
    type: event.type,
    actor: context.actor,
    target: event.target ?? null,
    at: now.toISOString(),
    sourceIp: context.sourceIp,
    requestId: context.requestId,
    details: event.details ?? {},
  };
}

/**
 * The password events, written to the audit log of every account of the operator: a change by the
 * signed-in operator (and a refused one, with its reason), a reset link asked for a known operator
 * (unknown addresses are logged only, without the address), and a reset through such a link.
 */
export const PASSWORD_EVENTS = {
  changed: 'password.changed',
  changeFailed: 'password.change_failed',
  resetRequested: 'password.reset_requested',
  reset: 'password.reset',
} as const;
