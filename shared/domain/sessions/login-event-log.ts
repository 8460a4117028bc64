/**
 * Login events (`login.succeeded`, `login.failed` with a reason) in the audit log of every account the
 * operator belongs to: `OperatorSessions`' `LoginAudit`. A failure for an unknown email belongs to no
 * account: it goes to the application log only, never with the email.
 */
import { auditEvent, type AuditActor, type AuditContext, type AuditEvent } from '../kernel/audit-events.ts';
import type { LoginAudit, LoginFacts, LoginFailureReason } from './operator-sessions.ts';

/** Where login events go. */
export interface LoginEventSink {
  /** The accounts the operator belongs to: each gets the event. */
  accountsOfOperator(userId: string): Promise<string[]>;
  recordEvents(events: AuditEvent[]): Promise<void>;
}

/** The audit actor of a login step: the operator the credential names. */
export const operatorActor = (userId: string): AuditActor => ({ kind: 'operator', id: userId });

export class LoginEventLog implements LoginAudit {
  constructor(
    private readonly sink: LoginEventSink,
    private readonly logUnknown: (message: string, details: Record<string, unknown>) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async loginSucceeded(userId: string, amr: string[], facts: LoginFacts): Promise<void> {
    await this.record(userId, 'login.succeeded', { amr }, facts);
  }

  async loginFailed(userId: string | undefined, reason: LoginFailureReason, facts: LoginFacts): Promise<void> {
    if (userId === undefined) {
      this.logUnknown('login failed for an unknown email', { reason, requestId: facts.requestId });
      return;
    }
    await this.record(userId, 'login.failed', { reason }, facts);
  }

  /** Any other event of the operator's own sign-in (a passkey added or removed), to every account of theirs. */
  async record(userId: string, type: string, details: Record<string, unknown>, facts: LoginFacts): Promise<void> {
    const context: AuditContext = { actor: operatorActor(userId), requestId: facts.requestId || null, sourceIp: facts.sourceIp || null };
    const now = this.now();
    const events = (await this.sink.accountsOfOperator(userId)).map((accountId) =>
      auditEvent(context, { accountId, type, target: { type: 'operator', id: userId }, details }, now),
    );
    await this.sink.recordEvents(events);
  }
}
