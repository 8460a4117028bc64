/**
 * Two-factor authentication with TOTP and recovery codes: the factor itself (shared by operators and
 * end users), the operator's self-service (enrol, confirm, regenerate, disable), the login second
 * step, enforcement (`requireMfa`), the owner-issued enrolment link and the admin reset.
 *
 * Rules (SPEC §6): ±1 step; a code is accepted once — the last accepted time step is stored and the
 * check-and-store is one conditional write, so a replay or a concurrent second use of one code fails;
 * 5 failures in 15 minutes lock the factor for 15 minutes, counted per user (not per login attempt).
 * Every check (code, confirmation code, recovery code) first takes an attempt from that budget with
 * one conditional write (attempt-budget.ts): of N concurrent wrong codes at most 5 are checked.
 */
import type { AccessControl } from '../tenancy/actors.ts';
import { pauseBeforeRetake, spendThenCompare, type AttemptTake } from '../kernel/attempt-budget.ts';
import { reachesOrganization, type Actor } from '../tenancy/authorization.ts';
import { auditEvent, type AuditActor, type AuditContext, type AuditEvent } from '../kernel/audit-events.ts';
import { AppError, AuthError, ConflictError, NotFoundError, ValidationError } from '../kernel/errors.ts';
import type { LoginThrottle } from '../sessions/login-throttle.ts';
import { METRIC_NAMES } from '../../metrics-names.ts';
import { NO_METRICS, type Metrics } from '../kernel/metrics.ts';
import type { Membership } from '../kernel/model.ts';
import { auditContextOf, type RequestFacts } from '../tenancy/organizations.ts';
import { verifyPassword } from '../sessions/passwords.ts';
import type { OperatorStore } from '../sessions/operator-store.ts';
import { findRecoveryCodeHash, hashRecoveryCode, newRecoveryCodes } from './recovery-codes.ts';
import { hashSecret, randomSecret } from '../kernel/secrets.ts';
import type { PersonFactors } from '../sessions/session-gate.ts';
import type { SecondFactorOutcome } from '../sign-in/model.ts';
import { groupSecret, matchTotp, newTotpSecret, otpauthUri, type TotpSecretCipher } from './totp.ts';

export const MAX_TOTP_FAILURES = 5;
export const TOTP_FAILURE_WINDOW_SECONDS = 15 * 60;
export const TOTP_LOCK_SECONDS = 15 * 60;
/** Login's MFA token: long enough to open the app and type a code, short enough to be useless later. */
export const MFA_TOKEN_TTL_SECONDS = 5 * 60;
/** An owner's enrolment link: a working day for the member to find it. */
export const ENROLLMENT_LINK_TTL_SECONDS = 24 * 60 * 60;
/** `amr` of the restricted principal an enrolment mfaToken yields: it can do nothing but enrol. */
export const ENROLLMENT_AMR = 'mfa_enrollment';

/** Prefix of login MFA tokens, so the `mfa` credential check can tell them from access tokens. */
export const MFA_TOKEN_PREFIX = 'pmt_';
const ENROLLMENT_TOKEN_PREFIX = 'pme_';

/** Whose factor: an operator, or an end user of one organization. */
export type MfaSubject = { kind: 'operator'; userId: string } | { kind: 'end-user'; organizationId: string; userId: string };

/** The stored factor. Secrets are sealed (AES-256-GCM); recovery codes are hashes. */
export interface TotpFactorRecord {
  status: 'pending' | 'enabled';
  secret: string | null;
  pendingSecret: string | null;
  /** Bumped by every (re)configuration; accepting a code or a recovery code is conditional on it. */
  version: number;
  lastStep: number;
  /** Epoch seconds; 0 when not locked. */
  lockedUntil: number;
  recoveryCodeHashes: string[];
  enabledAt: string | null;
}

export interface TotpFactorStore {
  findTotpFactor(subject: MfaSubject): Promise<TotpFactorRecord | undefined>;
  /** Stores a new pending secret (keeping an enabled one until the new one is confirmed). */
  savePendingSecret(subject: MfaSubject, sealed: string, at: string, events: AuditEvent[]): Promise<void>;
  /** Enables the pending secret if it is still `sealedPending`, with `step` used and new codes; false otherwise. */
  confirmPendingSecret(subject: MfaSubject, sealedPending: string, step: number, codeHashes: string[], at: string, events: AuditEvent[]): Promise<boolean>;
  /**
   * Stores `step` as the last accepted one if it is newer and the factor is at `version`; the
   * failure count restarts (a right code resets it).
   */
  acceptTimeStep(subject: MfaSubject, version: number, step: number, nowSeconds: number): Promise<boolean>;
  /**
   * Takes one attempt before a code or recovery code is checked (attempt-budget.ts): one conditional
   * write adds one to the failure count if the factor exists, is not locked and the count of the
   * current window is under `max` (a window older than `windowSeconds` restarts at one). Refused:
   * `locked` (locked, or `max` attempts in flight), `missing` (no factor): nothing may be checked.
   */
  takeAttempt(subject: MfaSubject, nowSeconds: number, policy: AttemptPolicy): Promise<AttemptTake<'locked' | 'missing'>>;
  /** Gives an attempt back (a right code that could not be used: replayed, changed meanwhile). */
  giveBackAttempt(subject: MfaSubject): Promise<void>;
  /** After a wrong code: locks the factor if its count reached `max`; true for exactly the request that locked it. */
  lockIfExhausted(subject: MfaSubject, nowSeconds: number, policy: AttemptPolicy): Promise<boolean>;
  /** Removes the hash if still there at `version`; the number of codes left, or undefined when it was not. */
  spendRecoveryCode(subject: MfaSubject, version: number, hash: string, nowSeconds: number): Promise<number | undefined>;
  /** Replaces the set (old codes void) if the factor is still enabled at `version`. */
  replaceRecoveryCodes(subject: MfaSubject, version: number, hashes: string[], events: AuditEvent[]): Promise<boolean>;
  /** False when there was nothing to delete. */
  deleteTotpFactor(subject: MfaSubject, events: AuditEvent[]): Promise<boolean>;
}

/** Where a subject's MFA events go: each account of an operator, the organization's account of an end user. */
export interface MfaAuditPort {
  audiencesOf(subject: MfaSubject): Promise<{ accountId: string; organizationId: string | null }[]>;
  recordEvents(events: AuditEvent[]): Promise<void>;
}

/** The TOTP attempt budget: `max` failures in `windowSeconds`, then locked for `lockSeconds`. */
export interface AttemptPolicy {
  max: number;
  windowSeconds: number;
  lockSeconds: number;
}

const TOTP_ATTEMPTS: AttemptPolicy = { max: MAX_TOTP_FAILURES, windowSeconds: TOTP_FAILURE_WINDOW_SECONDS, lockSeconds: TOTP_LOCK_SECONDS };

export interface MfaSettings {
  /** `issuer` in the otpauth URI (and the app's entry name). */
  issuer: string;
}

/**
 * What a new enrolment shows: the secret and its URI. The QR code of the URI is drawn by the routes
 * that show it (`withQrCode` in totp.ts), so the other functions' bundles carry no QR encoder.
 */
export interface TotpEnrollment {
  secret: string;
  secretGroups: string;
  otpauthUri: string;
}

export type VerifyOutcome = SecondFactorOutcome;

const subjectOwner = (subject: MfaSubject): string =>
  subject.kind === 'operator' ? `operator:${subject.userId}` : `end-user:${subject.organizationId}:${subject.userId}`;

const targetOf = (subject: MfaSubject) => ({ type: subject.kind === 'operator' ? 'operator' : 'end_user', id: subject.userId });

function invalidCode(): AuthError {
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

/**
 * One TOTP factor with its recovery codes, for any subject. Writes its audit events itself (with the
 * change, in one transaction, where there is a change).
 */
export class TotpFactors {
  constructor(
    private readonly store: TotpFactorStore,
    private readonly cipher: TotpSecretCipher,
    private readonly audit: MfaAuditPort,
    private readonly settings: MfaSettings,
    private readonly now: () => Date = () => new Date(),
    private readonly metrics: Metrics = NO_METRICS,
  ) {}

  /** A new pending secret; an enabled factor stays in force until the new one is confirmed. */
  async begin(subject: MfaSubject, accountName: string, context: AuditContext): Promise<TotpEnrollment> {
    const secret = newTotpSecret();
    const uri = otpauthUri({ issuer: this.settings.issuer, accountName, secret });
    const now = this.now();
    const events = await this.events(subject, context, 'mfa.enrolled', {}, now);
    await this.store.savePendingSecret(subject, await this.cipher.seal(secret, subjectOwner(subject)), now.toISOString(), events);
    return { secret, secretGroups: groupSecret(secret), otpauthUri: uri };
  }

  /** The pending enrolment again (to re-show a page after a wrong code), or undefined. */
  async pending(subject: MfaSubject, accountName: string): Promise<TotpEnrollment | undefined> {
    const factor = await this.store.findTotpFactor(subject);
    if (!factor?.pendingSecret) return undefined;
    const secret = await this.cipher.open(factor.pendingSecret, subjectOwner(subject));
    const uri = otpauthUri({ issuer: this.settings.issuer, accountName, secret });
    return { secret, secretGroups: groupSecret(secret), otpauthUri: uri };
  }

  /** Confirms the pending secret with a code from the app; answers the new recovery codes (shown once). */
  async confirm(subject: MfaSubject, code: string, context: AuditContext): Promise<string[]> {
    const factor = await this.store.findTotpFactor(subject);
    if (!factor?.pendingSecret) throw new ConflictError('no_pending_enrollment', 'Start an enrolment first (POST …/totp).');
    const nowSeconds = this.nowSeconds();
    if (factor.lockedUntil > nowSeconds) throw outcomeError('locked');
    const pendingSecret = factor.pendingSecret;
    const checked = await spendThenCompare(
      () => this.takeAttempt(subject, nowSeconds),
      async () => matchTotp(await this.cipher.open(pendingSecret, subjectOwner(subject)), code, nowSeconds),
    );
    if ('refused' in checked) throw checked.refused === 'missing' ? new ConflictError('no_pending_enrollment', 'Start an enrolment first (POST …/totp).') : outcomeError('locked');
    const step = checked.verdict;
    if (step === undefined) {
      await this.fail(subject, context);
      throw invalidCode();
    }
    const codes = newRecoveryCodes();
    const now = this.now();
    const events = await this.events(subject, context, 'mfa.confirmed', { recoveryCodes: codes.length }, now);
    const confirmed = await this.store.confirmPendingSecret(subject, factor.pendingSecret, step, codes.map(hashRecoveryCode), now.toISOString(), events);
    if (!confirmed) {
      await this.store.giveBackAttempt(subject);
      throw new ConflictError('enrollment_changed', 'The enrolment changed meanwhile; start again.');
    }
    return codes;
  }

  /** Checks a code and consumes its time step. */
  async verify(subject: MfaSubject, code: string, context: AuditContext): Promise<VerifyOutcome> {
    const factor = await this.store.findTotpFactor(subject);
    if (factor?.status !== 'enabled' || !factor.secret) return 'not_enrolled';
    const nowSeconds = this.nowSeconds();
    if (factor.lockedUntil > nowSeconds) return 'locked';
    const sealed = factor.secret;
    const checked = await spendThenCompare(
      () => this.takeAttempt(subject, nowSeconds),
      async () => matchTotp(await this.cipher.open(sealed, subjectOwner(subject)), code, nowSeconds),
    );
    if ('refused' in checked) return checked.refused === 'missing' ? 'not_enrolled' : 'locked';
    const step = checked.verdict;
    if (step === undefined) return this.fail(subject, context);
    if (step > factor.lastStep && (await this.store.acceptTimeStep(subject, factor.version, step, nowSeconds))) return 'ok';
    // A right code that was used already, or by another request between our read and our write: not a failure.
    await this.store.giveBackAttempt(subject);
    const current = await this.store.findTotpFactor(subject);
    if (current && current.lockedUntil > nowSeconds) return 'locked';
    if (!current || current.version !== factor.version) return 'invalid';
    await this.record(subject, context, 'mfa.replay_rejected', {});
    return 'replayed';
  }

  /** Spends a recovery code (once); the number left is in the audit event and the answer. */
  async useRecoveryCode(subject: MfaSubject, code: string, context: AuditContext): Promise<{ outcome: VerifyOutcome; codesLeft?: number }> {
    const factor = await this.store.findTotpFactor(subject);
    if (factor?.status !== 'enabled') return { outcome: 'not_enrolled' };
    const nowSeconds = this.nowSeconds();
    if (factor.lockedUntil > nowSeconds) return { outcome: 'locked' };
    const checked = await spendThenCompare(
      () => this.takeAttempt(subject, nowSeconds),
      () => Promise.resolve(findRecoveryCodeHash(factor.recoveryCodeHashes, code)),
    );
    if ('refused' in checked) return { outcome: checked.refused === 'missing' ? 'not_enrolled' : 'locked' };
    const hash = checked.verdict;
    const codesLeft = hash === undefined ? undefined : await this.store.spendRecoveryCode(subject, factor.version, hash, nowSeconds);
    if (codesLeft === undefined) return { outcome: await this.fail(subject, context) };
    await this.record(subject, context, 'mfa.recovery_code_used', { codesLeft });
    return { outcome: 'ok', codesLeft };
  }

  /** A new set of recovery codes (the old set void), after a current code. */
  async regenerateRecoveryCodes(subject: MfaSubject, code: string, context: AuditContext): Promise<string[]> {
    const outcome = await this.verify(subject, code, context);
    if (outcome !== 'ok') throw outcomeError(outcome);
    const factor = await this.store.findTotpFactor(subject);
    if (!factor) throw outcomeError('not_enrolled');
    const codes = newRecoveryCodes();
    const events = await this.events(subject, context, 'mfa.recovery_codes_regenerated', { recoveryCodes: codes.length });
    if (!(await this.store.replaceRecoveryCodes(subject, factor.version, codes.map(hashRecoveryCode), events))) {
      throw new ConflictError('enrollment_changed', 'Two-factor authentication changed meanwhile; try again.');
    }
    return codes;
  }

  /** Removes the factor and its codes (`mfa.disabled`, or `mfa.reset` when an administrator does it). */
  async remove(subject: MfaSubject, context: AuditContext, type: 'mfa.disabled' | 'mfa.reset'): Promise<boolean> {
    return this.store.deleteTotpFactor(subject, await this.events(subject, context, type, {}));
  }

  async status(subject: MfaSubject): Promise<{ totp: boolean; recoveryCodesRemaining: number }> {
    const factor = await this.store.findTotpFactor(subject);
    const enabled = factor?.status === 'enabled';
    return { totp: enabled, recoveryCodesRemaining: enabled ? factor.recoveryCodeHashes.length : 0 };
  }

  async isEnabled(subject: MfaSubject): Promise<boolean> {
    return (await this.store.findTotpFactor(subject))?.status === 'enabled';
  }

  /**
   * Takes an attempt before a check. While the last attempts of the budget are in flight (taken, not
   * yet settled) the take is refused; it is tried again briefly, so that a right code arriving then
   * answers what it would alone (the in-flight ones settle: a wrong one locks, a right one resets).
   */
  private async takeAttempt(subject: MfaSubject, nowSeconds: number): Promise<AttemptTake<'locked' | 'missing'>> {
    for (let tries = 0; ; tries++) {
      const taken = await this.store.takeAttempt(subject, nowSeconds, TOTP_ATTEMPTS);
      if (taken.taken || taken.refusal === 'missing' || tries >= 6) return taken;
      const current = await this.store.findTotpFactor(subject);
      if (!current) return { taken: false, refusal: 'missing' };
      if (current.lockedUntil > nowSeconds) return taken;
      await pauseBeforeRetake(tries);
    }
  }

  /** A wrong code or recovery code (its attempt stays spent); locks the factor when it was the last of the budget. */
  private async fail(subject: MfaSubject, context: AuditContext): Promise<'invalid'> {
    const lockedNow = await this.store.lockIfExhausted(subject, this.nowSeconds(), TOTP_ATTEMPTS);
    if (lockedNow) {
      this.metrics.count(METRIC_NAMES.lockouts);
      await this.record(subject, context, 'mfa.locked', { lockedForSeconds: TOTP_LOCK_SECONDS });
    }
    return 'invalid';
  }

  private async record(subject: MfaSubject, context: AuditContext, type: string, details: Record<string, unknown>): Promise<void> {
    await this.audit.recordEvents(await this.events(subject, context, type, details));
  }

  private async events(subject: MfaSubject, context: AuditContext, type: string, details: Record<string, unknown>, now = this.now()): Promise<AuditEvent[]> {
    const audiences = await this.audit.audiencesOf(subject);
    return audiences.map(({ accountId, organizationId }) =>
      auditEvent(context, { accountId, organizationId, type, target: targetOf(subject), details }, now),
    );
  }

  private nowSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }
}

// ---- Operators ----------------------------------------------------------------------------------

/**
 * `login`: the second step of a login. `enroll`: enrolment only (requireMfa). `enrollment_page`: the
 * enrolment page's proof that the member typed their password on this link (never a credential of any
 * API route: the `mfa` credential check accepts `enroll` tokens only).
 */
export type MfaTokenPurpose = 'login' | 'enroll' | 'enrollment_page';

export interface MfaTokenRecord {
  tokenHash: string;
  userId: string;
  purpose: MfaTokenPurpose;
  /** Epoch seconds. */
  expiresAt: number;
}

export interface EnrollmentLinkRecord {
  tokenHash: string;
  userId: string;
  accountId: string;
  createdBy: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export interface MfaTokenStore {
  createMfaToken(record: MfaTokenRecord): Promise<void>;
  findMfaToken(tokenHash: string): Promise<MfaTokenRecord | undefined>;
  /** Deletes it if still live; the record, or undefined when it was spent, expired or never existed. */
  consumeMfaToken(tokenHash: string, nowSeconds: number): Promise<MfaTokenRecord | undefined>;
  createEnrollmentLink(record: EnrollmentLinkRecord, events: AuditEvent[]): Promise<void>;
  findEnrollmentLink(tokenHash: string): Promise<EnrollmentLinkRecord | undefined>;
  consumeEnrollmentLink(tokenHash: string, nowSeconds: number): Promise<boolean>;
}

/** What enforcement reads: does some account or organization covering the operator require MFA? */
export interface MfaPolicyStore {
  listMembershipsOfUser(userId: string): Promise<Membership[]>;
  accountRequiresMfa(accountId: string): Promise<boolean>;
  /** Active organizations of the account with `settings.requireMfa`. */
  organizationsRequiringMfa(accountId: string): Promise<string[]>;
  groupOrganizations(accountId: string, groupIds: string[]): Promise<Set<string>>;
}

/** The second step of a login, as `OperatorSessions` uses it. */
export type LoginProof = { code: string } | { recoveryCode: string };

const operatorSubject = (userId: string): MfaSubject => ({ kind: 'operator', userId });

const selfContext = (userId: string, facts: { requestId: string; sourceIp: string }): AuditContext => ({
  actor: { kind: 'operator', id: userId },
  requestId: facts.requestId,
  sourceIp: facts.sourceIp,
});

/** Operator 2FA: self-service, login step, enforcement, enrolment links and reset. */
export class OperatorMfa {
  constructor(
    private readonly factors: TotpFactors,
    private readonly tokens: MfaTokenStore,
    private readonly policy: MfaPolicyStore,
    private readonly operators: OperatorStore,
    private readonly access: AccessControl,
    private readonly throttle: LoginThrottle,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Starts (or restarts) enrolment. With an access token the password is asked again (a stolen token
   * alone must not replace the factor) and throttled like a login; with an enrolment mfaToken the
   * password was just checked at login.
   */
  async startEnrollment(userId: string, input: { password?: string; viaEnrollmentToken: boolean }, facts: { requestId: string; sourceIp: string }): Promise<TotpEnrollment> {
    const operator = await this.operators.findOperatorById(userId);
    if (!operator) throw new NotFoundError('User');
    if (!input.viaEnrollmentToken) {
      if (input.password === undefined) throw new ValidationError([{ field: 'body.password', message: 'is required' }]);
      await this.throttle.reserveAttempt(operator.email);
      if (!(await verifyPassword(input.password, operator.passwordHash))) throw new AuthError('invalid_credentials', 'The password is incorrect.');
      await this.throttle.recordSuccess(operator.email);
    }
    return this.factors.begin(operatorSubject(userId), operator.email, selfContext(userId, facts));
  }

  /** Confirms the pending secret; answers the recovery codes (shown once). */
  confirmEnrollment(userId: string, code: string, facts: { requestId: string; sourceIp: string }): Promise<string[]> {
    return this.factors.confirm(operatorSubject(userId), code, selfContext(userId, facts));
  }

  regenerateRecoveryCodes(userId: string, code: string, facts: { requestId: string; sourceIp: string }): Promise<string[]> {
    return this.factors.regenerateRecoveryCodes(operatorSubject(userId), code, selfContext(userId, facts));
  }

  /** Turns 2FA off after a current code or the password. */
  async disable(userId: string, proof: { code?: string; password?: string }, facts: { requestId: string; sourceIp: string }): Promise<void> {
    const subject = operatorSubject(userId);
    const context = selfContext(userId, facts);
    if (!(await this.factors.isEnabled(subject))) throw outcomeError('not_enrolled');
    if (proof.code !== undefined) {
      const outcome = await this.factors.verify(subject, proof.code, context);
      if (outcome !== 'ok') throw outcomeError(outcome);
    } else {
      const operator = await this.operators.findOperatorById(userId);
      if (!operator || proof.password === undefined) throw new AuthError('invalid_credentials', 'The password is incorrect.');
      await this.throttle.reserveAttempt(operator.email);
      if (!(await verifyPassword(proof.password, operator.passwordHash))) throw new AuthError('invalid_credentials', 'The password is incorrect.');
      await this.throttle.recordSuccess(operator.email);
    }
    await this.factors.remove(subject, context, 'mfa.disabled');
  }

  status(userId: string) {
    return this.factors.status(operatorSubject(userId));
  }

  // ---- login -------------------------------------------------------------------------------------

  /** The person's second factors, as the session gate (session-gate.ts) reads them. No passkeys exist yet. */
  async factorsOf(userId: string): Promise<PersonFactors> {
    return { totp: await this.factors.isEnabled(operatorSubject(userId)), passkey: false };
  }

  /** Whether `requireMfa` on an account of the operator, or on an organization their scope covers, is on. */
  async isRequiredFor(userId: string): Promise<boolean> {
    for (const membership of await this.policy.listMembershipsOfUser(userId)) {
      if (await this.policy.accountRequiresMfa(membership.accountId)) return true;
      const required = await this.policy.organizationsRequiringMfa(membership.accountId);
      for (const orgId of required) {
        const groups = (ids: string[]) => this.policy.groupOrganizations(membership.accountId, ids);
        if (await reachesOrganization(membership.scope, orgId, groups)) return true;
      }
    }
    return false;
  }

  /** A short-lived, single-use token for the login's second step (or, `enroll`, for enrolment only). */
  async issueMfaToken(userId: string, purpose: MfaTokenPurpose): Promise<string> {
    const token = `${MFA_TOKEN_PREFIX}${randomSecret(32)}`;
    await this.tokens.createMfaToken({ tokenHash: hashSecret(token), userId, purpose, expiresAt: this.nowSeconds() + MFA_TOKEN_TTL_SECONDS });
    return token;
  }

  /** The live mfaToken of this purpose (not consumed), or undefined. */
  async findMfaToken(token: string, purpose: MfaTokenPurpose): Promise<MfaTokenRecord | undefined> {
    if (!token.startsWith(MFA_TOKEN_PREFIX)) return undefined;
    const record = await this.tokens.findMfaToken(hashSecret(token));
    return record?.purpose === purpose && record.expiresAt > this.nowSeconds() ? record : undefined;
  }

  /** Spends the token: of two concurrent completions only one gets a session. */
  async consumeMfaToken(token: string): Promise<boolean> {
    return (await this.tokens.consumeMfaToken(hashSecret(token), this.nowSeconds())) !== undefined;
  }

  /** Checks the login's second factor; the outcome and, for a recovery code, how many are left. */
  async verifyLoginProof(userId: string, proof: LoginProof, facts: { requestId: string; sourceIp: string }): Promise<{ outcome: VerifyOutcome; method: 'otp' | 'recovery_code' }> {
    const context = selfContext(userId, facts);
    if ('code' in proof) return { outcome: await this.factors.verify(operatorSubject(userId), proof.code, context), method: 'otp' };
    return { outcome: (await this.factors.useRecoveryCode(operatorSubject(userId), proof.recoveryCode, context)).outcome, method: 'recovery_code' };
  }

  // ---- administration (owner) -------------------------------------------------------------------

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
    const memberships = await this.policy.listMembershipsOfUser(memberUserId);
    if (memberships.some((membership) => membership.accountId !== accountId)) {
      throw new ConflictError('member_in_other_accounts', 'This person is a member of other accounts too; only they can change their two-factor authentication.');
    }
    return actor;
  }

  /** Removes a member's TOTP and recovery codes; they must enrol again where required. */
  async resetMember(request: RequestFacts, accountId: string, memberUserId: string): Promise<void> {
    const actor = await this.assertMayChangeMemberFactor(request, accountId, memberUserId);
    const removed = await this.factors.remove(operatorSubject(memberUserId), auditContextOf(actor, request), 'mfa.reset');
    if (!removed) throw new ConflictError('mfa_not_enrolled', 'This member has no two-factor authentication to reset.');
  }

  /** A one-time enrolment link for a member (24 h); only the hash of its token is stored. */
  async createEnrollmentLink(request: RequestFacts, accountId: string, memberUserId: string): Promise<{ token: string; expiresAt: string }> {
    const actor = await this.assertMayChangeMemberFactor(request, accountId, memberUserId);
    const token = `${ENROLLMENT_TOKEN_PREFIX}${randomSecret(32)}`;
    const now = this.now();
    const expiresAt = this.nowSeconds() + ENROLLMENT_LINK_TTL_SECONDS;
    const event = auditEvent(auditContextOf(actor, request), {
      accountId,
      type: 'mfa.enrollment_link_created',
      target: { type: 'operator', id: memberUserId },
      details: { expiresAt: new Date(expiresAt * 1000).toISOString() },
    }, now);
    const createdBy = actor.kind === 'member' ? actor.userId : actor.keyId;
    await this.tokens.createEnrollmentLink({ tokenHash: hashSecret(token), userId: memberUserId, accountId, createdBy, expiresAt }, [event]);
    return { token, expiresAt: new Date(expiresAt * 1000).toISOString() };
  }

  /**
   * Opening the link (GET): who it is for, and nothing else. It writes nothing: link scanners and
   * mail previews open links too, and must neither start an enrolment nor write an event.
   */
  async viewEnrollmentLink(token: string): Promise<{ email: string }> {
    const link = await this.liveLink(token);
    const operator = await this.operators.findOperatorById(link.userId);
    if (!operator) throw new NotFoundError('Enrolment link');
    return { email: operator.email };
  }

  /**
   * The member's password on the page (POST): checked and throttled like a login. Right, a fresh
   * pending secret and a short-lived page token (`enrollment_page`) that the code form carries: the
   * secret is shown, and the code accepted, only to whoever typed the password.
   */
  async unlockEnrollmentLink(token: string, password: string, facts: { requestId: string; sourceIp: string }): Promise<TotpEnrollment & { email: string; pageToken: string }> {
    const link = await this.liveLink(token);
    const operator = await this.operators.findOperatorById(link.userId);
    if (!operator) throw new NotFoundError('Enrolment link');
    await this.throttle.reserveAttempt(operator.email);
    if (!(await verifyPassword(password, operator.passwordHash))) throw new AuthError('invalid_credentials', 'The password is incorrect.');
    await this.throttle.recordSuccess(operator.email);
    const enrollment = await this.factors.begin(operatorSubject(link.userId), operator.email, selfContext(link.userId, facts));
    return { ...enrollment, email: operator.email, pageToken: await this.issueMfaToken(link.userId, 'enrollment_page') };
  }

  /** The pending enrolment again (a wrong code), for the holder of the page token only. */
  async pendingEnrollmentLink(token: string, pageToken: string): Promise<(TotpEnrollment & { email: string }) | undefined> {
    const link = await this.unlockedLink(token, pageToken);
    const operator = await this.operators.findOperatorById(link.userId);
    if (!operator) throw new NotFoundError('Enrolment link');
    const pending = await this.factors.pending(operatorSubject(link.userId), operator.email);
    return pending && { ...pending, email: operator.email };
  }

  /** Submitting the code from the page (with the page token): confirms, spends the link, answers the recovery codes. */
  async completeEnrollmentLink(token: string, pageToken: string, code: string, facts: { requestId: string; sourceIp: string }): Promise<string[]> {
    const link = await this.unlockedLink(token, pageToken);
    const codes = await this.factors.confirm(operatorSubject(link.userId), code, selfContext(link.userId, facts));
    await this.tokens.consumeEnrollmentLink(link.tokenHash, this.nowSeconds());
    await this.consumeMfaToken(pageToken);
    return codes;
  }

  /** The live link, when the page token proves its member typed the password; else 401 (the page asks again). */
  private async unlockedLink(token: string, pageToken: string): Promise<EnrollmentLinkRecord> {
    const link = await this.liveLink(token);
    const unlocked = await this.findMfaToken(pageToken, 'enrollment_page');
    if (unlocked?.userId !== link.userId) throw new AuthError('invalid_mfa_token', 'Enter your password again.');
    return link;
  }

  private async liveLink(token: string): Promise<EnrollmentLinkRecord> {
    const link = token.startsWith(ENROLLMENT_TOKEN_PREFIX) ? await this.tokens.findEnrollmentLink(hashSecret(token)) : undefined;
    if (!link || link.expiresAt <= this.nowSeconds()) throw new NotFoundError('Enrolment link');
    return link;
  }

  private nowSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }
}

/** The audit actor of a login step: the operator the credential names. */
export const operatorActor = (userId: string): AuditActor => ({ kind: 'operator', id: userId });

/**
 * Login events (`login.succeeded`, `login.failed` with a reason) in the audit log of every account the
 * operator belongs to. A failure for an unknown email belongs to no account: it goes to the
 * application log only, with a hash of the email instead of the email.
 */
export class LoginEventLog {
  constructor(
    private readonly audit: MfaAuditPort,
    private readonly logUnknown: (message: string, details: Record<string, unknown>) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async loginSucceeded(userId: string, amr: string[], facts: { requestId: string; sourceIp: string }): Promise<void> {
    await this.record(userId, 'login.succeeded', { amr }, facts);
  }

  async loginFailed(userId: string | undefined, reason: string, facts: { requestId: string; sourceIp: string }): Promise<void> {
    if (userId === undefined) {
      this.logUnknown('login failed for an unknown email', { reason, requestId: facts.requestId });
      return;
    }
    await this.record(userId, 'login.failed', { reason }, facts);
  }

  private async record(userId: string, type: string, details: Record<string, unknown>, facts: { requestId: string; sourceIp: string }): Promise<void> {
    const subject: MfaSubject = { kind: 'operator', userId };
    const context: AuditContext = { actor: operatorActor(userId), requestId: facts.requestId || null, sourceIp: facts.sourceIp || null };
    const now = this.now();
    const events = (await this.audit.audiencesOf(subject)).map(({ accountId }) =>
      auditEvent(context, { accountId, type, target: { type: 'operator', id: userId }, details }, now),
    );
    await this.audit.recordEvents(events);
  }
}
