/**
 * An owner's actions on a member's 2FA: the admin reset and the enrolment link (SPEC §4), both behind
 * one check of who may change whose factor.
 */
import type { AccessControl } from '../tenancy/actors.ts';
import type { Actor } from '../tenancy/authorization.ts';
import { AppError, ConflictError, NotFoundError } from '../kernel/errors.ts';
import type { OperatorStore } from '../sessions/operator-store.ts';
import type { RequestFacts } from '../kernel/request.ts';
import { auditContextOf } from '../tenancy/actors.ts';
import type { EnrollmentLinks } from './enrollment-links.ts';
import { operatorSubject } from './mfa-subject.ts';
import type { TotpFactors } from './totp-factors.ts';
import type { SecurityNotices } from '../platform/security-notices.ts';

export class MemberMfa {
  constructor(
    private readonly factors: TotpFactors,
    private readonly links: EnrollmentLinks,
    private readonly operators: OperatorStore,
    private readonly access: AccessControl,
    private readonly notices?: SecurityNotices,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Removes a member's TOTP and recovery codes; they must enrol again where required. The member
   * then gets the `mfaResetByOwner` notice (its failure only logged: the reset stands).
   */
  async reset(request: RequestFacts, accountId: string, memberUserId: string): Promise<void> {
    const actor = await this.assertMayChangeMemberFactor(request, accountId, memberUserId);
    const removed = await this.factors.remove(operatorSubject(memberUserId), auditContextOf(actor, request), 'mfa.reset');
    if (!removed) throw new ConflictError('mfa_not_enrolled', 'This member has no two-factor authentication to reset.');
    if (!this.notices) return;
    const [member, [account]] = await Promise.all([this.operators.findOperatorById(memberUserId), this.operators.findAccountsByIds([accountId])]);
    if (member) await this.notices.send(member.email, 'mfaResetByOwner', { at: this.now().toISOString(), accountName: account?.name ?? accountId });
  }

  /** A one-time enrolment link for a member (24 h); only the hash of its token is stored. */
  async createEnrollmentLink(request: RequestFacts, accountId: string, memberUserId: string): Promise<{ token: string; expiresAt: string }> {
    const actor = await this.assertMayChangeMemberFactor(request, accountId, memberUserId);
    const createdBy = actor.kind === 'member' ? actor.userId : actor.keyId;
    return this.links.create(auditContextOf(actor, request), { accountId, userId: memberUserId, createdBy });
  }

  /**
   * A second factor belongs to the person, not to one account (SPEC §4): an owner may change it only
   * for a member who belongs to no other account (409 `member_in_other_accounts`), else the owner of
   * one account could remove or replace the factor that guards the person's other accounts. And the
   * owner's own session must carry their code when they have 2FA (403 `step_up_required`): a stolen
   * password-only session must not strip someone else's second factor.
   */
  private async assertMayChangeMemberFactor(request: RequestFacts, accountId: string, memberUserId: string): Promise<Actor> {
    const actor = await this.access.actorForAccount(request.principal, accountId);
    await this.access.require(actor, 'member:mfa', { accountId });
    if (request.principal.kind === 'operator' && !request.principal.amr.includes('otp') && (await this.factors.isEnabled(operatorSubject(request.principal.userId)))) {
      throw new AppError(403, 'step_up_required', 'Forbidden', 'You have two-factor authentication: sign in again with your code to change a member\'s.');
    }
    if (!(await this.operators.findMembership(accountId, memberUserId))) throw new NotFoundError('Member');
    const memberships = await this.operators.listMembershipsOfUser(memberUserId);
    if (memberships.some((membership) => membership.accountId !== accountId)) {
      throw new ConflictError('member_in_other_accounts', 'This person is a member of other accounts too; only they can change their two-factor authentication.');
    }
    return actor;
  }
}
