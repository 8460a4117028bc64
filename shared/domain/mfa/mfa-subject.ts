/**
 * Whose factor a TOTP factor is, where that subject's MFA events go, and the 401/409 problems a failed
 * check answers: what every service of the mfa area shares.
 */
import { auditEvent, type AuditContext, type AuditEvent } from '../kernel/audit-events.ts';
import { AppError, AuthError, ConflictError } from '../kernel/errors.ts';
import type { SecondFactorOutcome } from '../sign-in/model.ts';

/** Whose factor: an operator, or an end user of one organization. */
export type MfaSubject = { kind: 'operator'; userId: string } | { kind: 'end-user'; organizationId: string; userId: string };

/** Where a subject's MFA events go: each account of an operator, the organization's account of an end user. */
export interface MfaAuditPort {
  audiencesOf(subject: MfaSubject): Promise<{ accountId: string; organizationId: string | null }[]>;
  recordEvents(events: AuditEvent[]): Promise<void>;
}

export type VerifyOutcome = SecondFactorOutcome;

export const operatorSubject = (userId: string): MfaSubject => ({ kind: 'operator', userId });

/** The audit context of an operator acting on their own factor. */
export const selfContext = (userId: string, facts: { requestId: string; sourceIp: string }): AuditContext => ({
  actor: { kind: 'operator', id: userId },
  requestId: facts.requestId,
  sourceIp: facts.sourceIp,
});

/** The owner a sealed secret is bound to (the cipher's associated data). */
export const subjectOwner = (subject: MfaSubject): string =>
  subject.kind === 'operator' ? `operator:${subject.userId}` : `end-user:${subject.organizationId}:${subject.userId}`;

const targetOf = (subject: MfaSubject) => ({ type: subject.kind === 'operator' ? 'operator' : 'end_user', id: subject.userId });

/** One event of `type` about `subject` for each of its audiences. */
export async function mfaEvents(
  audit: MfaAuditPort,
  subject: MfaSubject,
  context: AuditContext,
  type: string,
  details: Record<string, unknown>,
  now: Date,
): Promise<AuditEvent[]> {
  const audiences = await audit.audiencesOf(subject);
  return audiences.map(({ accountId, organizationId }) =>
    auditEvent(context, { accountId, organizationId, type, target: targetOf(subject), details }, now),
  );
}

export function invalidCode(): AuthError {
  return new AuthError('invalid_code', 'The code is incorrect or has expired.');
}

/** Maps a failed outcome to the 401 problem clients see. */
export function outcomeError(outcome: Exclude<VerifyOutcome, 'ok'>): AppError {
  switch (outcome) {
    case 'replayed':
      return new AuthError('code_already_used', 'This code was already used; wait for the next one.');
    case 'locked':
      return new AuthError('too_many_attempts', 'Too many wrong codes; the factor is locked for 15 minutes.');
    case 'not_enrolled':
      return new ConflictError('mfa_not_enrolled', 'Two-factor authentication is not set up.');
    case 'invalid':
      return invalidCode();
  }
}
