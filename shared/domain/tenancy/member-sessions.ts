/**
 * An owner ends a member's sessions (SPEC §4 Sessions), e.g. after a lost laptop or a departure
 * under way: every refresh token of that person stops working at once. Sessions belong to the
 * person, not to one account, so the rule is the one of the 2FA reset (shared/domain/mfa/member-mfa.ts):
 * only for a member who belongs to no other account.
 */
import { auditEvent, MEMBER_SESSIONS_ENDED, type AuditEvent } from '../kernel/audit-events.ts';
import { ConflictError, NotFoundError } from '../kernel/errors.ts';
import type { RequestFacts } from '../kernel/request.ts';
import type { OperatorStore } from '../sessions/operator-store.ts';
import type { OperatorSessions } from '../sessions/operator-sessions.ts';
import { auditContextOf, type AccessControl } from './actors.ts';

export class MemberSessions {
  constructor(
    private readonly access: AccessControl,
    private readonly operators: Pick<OperatorStore, 'findMembership' | 'listMembershipsOfUser'>,
    private readonly sessions: Pick<OperatorSessions, 'endSessions'>,
    private readonly audit: { recordEvent(event: AuditEvent): Promise<void> },
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Owner only (`member:write`, like removing the member); another account's owner gets the 404 of an
   * unknown account. 409 `member_in_other_accounts` when the person is a member elsewhere too: the
   * owner of one account must not sign a person out of their work for another. No step-up: ending
   * sessions only takes access away, and the same owner may remove the member outright without one.
   * The owner may name themselves: it is then "sign out everywhere", the current session included.
   */
  async endAll(request: RequestFacts, accountId: string, memberUserId: string): Promise<{ ended: number }> {
    const actor = await this.access.actorForAccount(request.principal, accountId);
    await this.access.require(actor, 'member:write', { accountId });
    if (!(await this.operators.findMembership(accountId, memberUserId))) throw new NotFoundError('Member');
    const memberships = await this.operators.listMembershipsOfUser(memberUserId);
    if (memberships.some((membership) => membership.accountId !== accountId)) {
      throw new ConflictError('member_in_other_accounts', 'This person is a member of other accounts too; only they can end their sessions.');
    }
    const ended = await this.sessions.endSessions(memberUserId);
    await this.audit.recordEvent(
      auditEvent(
        auditContextOf(actor, request),
        { accountId, type: MEMBER_SESSIONS_ENDED, target: { type: 'member', id: memberUserId }, details: { sessionsEnded: ended } },
        this.now(),
      ),
    );
    return { ended };
  }
}
