/**
 * End users' TOTP (SPEC §4 "End-user TOTP"): set up and removed by an operator or a `manage` key of
 * the organization, used by the challenge engine as the `totp` factor (and `recoveryCode`). The same
 * factor code as operators', keyed by organization and end user.
 */
import type { AccessControl } from '../tenancy/actors.ts';
import type { AuditContext } from '../kernel/audit-events.ts';
import { NotFoundError } from '../kernel/errors.ts';
import { outcomeError, type MfaSubject } from './mfa-subject.ts';
import type { TotpEnrollment, TotpFactors } from './totp-factors.ts';
import type { RequestFacts } from '../kernel/request.ts';
import { auditContextOf } from '../tenancy/actors.ts';
import type { EndUser, EndUserSecondFactor, SecondFactorOutcome } from '../sign-in/model.ts';

/** The directory lookup this needs (the sign-in directory implements it). */
export interface EndUserLookup {
  findEndUser(organizationId: string, userId: string): Promise<EndUser | undefined>;
}

const subjectOf = (organizationId: string, userId: string): MfaSubject => ({ kind: 'end-user', organizationId, userId });

/** The challenge engine's events carry no request facts through this port: they are system events. */
const SYSTEM_CONTEXT: AuditContext = { actor: { kind: 'system', id: null }, sourceIp: null, requestId: null };

/** `EndUserSecondFactor` for the challenge engine: checks consume (time step / code) in one conditional write. */
export class EndUserTotp implements EndUserSecondFactor {
  constructor(private readonly factors: TotpFactors) {}

  isEnrolled(organizationId: string, userId: string): Promise<boolean> {
    return this.factors.isEnabled(subjectOf(organizationId, userId));
  }

  verifyTotp(organizationId: string, userId: string, code: string): Promise<SecondFactorOutcome> {
    return this.factors.verify(subjectOf(organizationId, userId), code, SYSTEM_CONTEXT);
  }

  async useRecoveryCode(organizationId: string, userId: string, code: string): Promise<SecondFactorOutcome> {
    return (await this.factors.useRecoveryCode(subjectOf(organizationId, userId), code, SYSTEM_CONTEXT)).outcome;
  }
}

/** The management routes `…/users/{userId}/totp`: access control, the user must exist, then the factor. */
export class EndUserTotpAdmin {
  constructor(
    private readonly access: AccessControl,
    private readonly directory: () => EndUserLookup,
    private readonly factors: TotpFactors,
  ) {}

  async begin(request: RequestFacts, orgId: string, userId: string): Promise<TotpEnrollment> {
    const { user, context } = await this.resolve(request, orgId, userId);
    return this.factors.begin(subjectOf(orgId, userId), user.email, context);
  }

  async confirm(request: RequestFacts, orgId: string, userId: string, code: string): Promise<string[]> {
    const { context } = await this.resolve(request, orgId, userId);
    return this.factors.confirm(subjectOf(orgId, userId), code, context);
  }

  async remove(request: RequestFacts, orgId: string, userId: string): Promise<void> {
    const { context } = await this.resolve(request, orgId, userId);
    if (!(await this.factors.remove(subjectOf(orgId, userId), context, 'mfa.disabled'))) throw outcomeError('not_enrolled');
  }

  private async resolve(request: RequestFacts, orgId: string, userId: string) {
    const { actor, organization } = await this.access.actorForOrganization(request.principal, orgId);
    await this.access.require(actor, 'enduser:mfa', { accountId: organization.accountId, organizationId: orgId });
    const user = await this.directory().findEndUser(orgId, userId);
    if (!user) throw new NotFoundError('User');
    return { user, context: auditContextOf(actor, request) };
  }
}
