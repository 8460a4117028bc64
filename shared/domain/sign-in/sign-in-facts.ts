/**
 * What a sign-in knows before it acts: the organization (with the caller's permission checked), the
 * system, the user and their grant, and for a complete the challenge and the sign-in state. There is
 * one read path for these facts, `SignInReads` (DynamoDB: shared/adapters/sign-in-reads.ts): the
 * batched read up front, and single reads of the challenge and the state when a complete needs them
 * afresh.
 */
import { AppError, AuthError, NotFoundError, ValidationError } from '../kernel/errors.ts';
import type { Organization } from '../kernel/model.ts';
import type { Principal } from '../kernel/principal.ts';
import type { AccessControl } from '../tenancy/actors.ts';
import type { Actor } from '../tenancy/authorization.ts';
import { decoySubjectId, refusalOf, subjectOf } from './decoys.ts';
import type { Challenge, EndUser, SignInState, SignInSystem } from './model.ts';
import type { SubjectSends } from './sms-limits.ts';

/** What `SignInReads.read` is asked for: the request's names, and what else to read with them. */
export interface SignInSnapshotQuery {
  organizationId: string;
  systemName: string;
  email: string;
  /** Read this challenge along (complete with a challengeId). */
  challengeId?: string | undefined;
  /** Read the (organization, user, system) sign-in state along (complete). */
  withState?: boolean;
  /** The subject id to read when the email is unknown (the decoy's sign-in state), so that a decoy does the same reads. */
  decoyUserId: string;
  /** Read this sign-in subject's SMS and e-mail sends along (start). */
  subjectHash?: string | undefined;
  /** Read whether SES reported the request's email undeliverable (start: the e-mail factors stop for it). */
  withSuppression?: boolean;
}

/** Organization (undefined when missing or deleted), system, user (undefined when unknown) and access, read together. */
export interface SignInSnapshot {
  organization: Organization | undefined;
  system: SignInSystem | undefined;
  user: EndUser | undefined;
  granted: boolean;
  /** Present when asked for (`challengeId`); undefined when there is no such challenge. */
  challenge?: Challenge | undefined;
  /** Present when asked for (`withState`); undefined when the user has no state yet. */
  state?: SignInState | undefined;
  /** Present when asked for (`subjectHash`); undefined when the subject got no SMS lately. */
  subjectSends?: SubjectSends | undefined;
  /** Present when asked for (`subjectHash`); undefined when the subject got no sign-in e-mail lately. */
  emailSubjectSends?: SubjectSends | undefined;
  /** Present when asked for (`withSuppression`): the request's email is on the suppression list (SPEC §8). */
  undeliverable?: boolean;
}

/** The reads of a sign-in, all strongly consistent: the batch up front, then the challenge or the state afresh. */
export interface SignInReads {
  /** Everything at once (DynamoDB: one BatchGetItem, a second only for what the first names). */
  read(query: SignInSnapshotQuery): Promise<SignInSnapshot>;
  findChallenge(challengeId: string): Promise<Challenge | undefined>;
  findSignInState(orgId: string, userId: string, systemName: string): Promise<SignInState | undefined>;
}

/** The access decisions a sign-in asks for (no read of its own for a key: see `AccessControl`). */
export type SignInAccess = Pick<AccessControl, 'actorForAccount' | 'require'>;

export interface SignInRequest {
  principal: Principal;
  requestId: string;
  sourceIp: string;
}

/** The facts of a sign-in, and why it is a decoy (`reason`), in the order of the checks. */
export interface SignInFacts {
  actor: Actor;
  organization: Organization;
  system: SignInSystem;
  user: EndUser | undefined;
  reason: string | undefined;
  challenge?: Challenge | undefined;
  state?: SignInState | undefined;
  subjectSends?: SubjectSends | undefined;
  emailSubjectSends?: SubjectSends | undefined;
  /** The request's email is undeliverable (read on start only): e-mail factors answer with a decoy. */
  undeliverable?: boolean;
}

const systemNotFound = () => new AppError(404, 'system_not_found', 'Not Found', 'System not found.');

export class SignInFactsReader {
  constructor(private readonly deps: { reads: SignInReads; access: SignInAccess }) {}

  /**
   * Organization (with the actor and its permission checked), system and user of a sign-in, in the
   * order of the checks: unknown organization 404, no `signin:authenticate` 403, unknown system 404.
   * Everything (and, for complete, the challenge or the sign-in state; for start, the subject's SMS
   * and e-mail sends and the email's suppression) comes in the batched read.
   */
  async read(
    principal: Principal,
    input: { organization?: string | undefined; system: string; email: string },
    extra: { challengeId?: string | undefined; withState?: boolean; withSubject?: boolean; withSuppression?: boolean } = {},
  ): Promise<SignInFacts> {
    const orgId = organizationIdOf(principal, input.organization);
    const snapshot = await this.deps.reads.read({
      organizationId: orgId,
      systemName: input.system,
      email: input.email,
      challengeId: extra.challengeId,
      withState: extra.withState ?? false,
      decoyUserId: decoySubjectId(subjectOf(orgId, input.email)),
      subjectHash: extra.withSubject ? subjectOf(orgId, input.email) : undefined,
      withSuppression: extra.withSuppression ?? false,
    });
    const organization = snapshot.organization;
    if (!organization) throw new NotFoundError('Organization');
    const actor = await this.deps.access.actorForAccount(principal, organization.accountId).catch((error: unknown) => {
      throw error instanceof NotFoundError ? new NotFoundError('Organization') : error;
    });
    await this.deps.access.require(actor, 'signin:authenticate', { accountId: organization.accountId, organizationId: organization.id });
    const system = snapshot.system;
    if (!system) throw systemNotFound();
    const { user, granted } = snapshot;
    const reason = refusalOf(user, granted);
    return {
      actor,
      organization,
      system,
      user,
      reason,
      ...('challenge' in snapshot ? { challenge: snapshot.challenge } : {}),
      ...('state' in snapshot ? { state: snapshot.state } : {}),
      ...('subjectSends' in snapshot ? { subjectSends: snapshot.subjectSends } : {}),
      ...('emailSubjectSends' in snapshot ? { emailSubjectSends: snapshot.emailSubjectSends } : {}),
      ...('undeliverable' in snapshot ? { undeliverable: snapshot.undeliverable } : {}),
    };
  }
}

/**
 * The organization id a key signs in to (no read): its only one, else `organization` (required
 * then), which it must reach. One it does not reach answers like an unknown one (404).
 */
function organizationIdOf(principal: Principal, requested: string | undefined): string {
  if (principal.kind !== 'key') throw new AuthError('invalid_api_key', 'The API key is invalid or revoked.');
  let orgId = requested;
  if (orgId === undefined) {
    if (principal.organizations === 'all' || principal.organizations.length !== 1) {
      throw new ValidationError([{ field: 'body.organization', message: 'is required: this key reaches more than one organization' }]);
    }
    orgId = principal.organizations[0] ?? '';
  }
  if (principal.organizations !== 'all' && !principal.organizations.includes(orgId)) throw new NotFoundError('Organization');
  return orgId;
}
