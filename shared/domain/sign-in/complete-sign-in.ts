/**
 * `POST /v2/system/authenticate/user` (SPEC §4 Authentication, §6): checks one factor of a challenge,
 * only after its attempt was taken (challenge-attempts.ts), then consumes it with one conditional
 * write and issues a token when the chain is done, or moves it to its next factor.
 */
import { METRIC_NAMES } from '../../metrics-names.ts';
import { spendThenCompare } from '../kernel/attempt-budget.ts';
import type { AuditEvent } from '../kernel/audit-events.ts';
import { AuthError, ValidationError } from '../kernel/errors.ts';
import { NO_METRICS, type Metrics } from '../kernel/metrics.ts';
import type { Organization } from '../kernel/model.ts';
import { newId } from '../kernel/secrets.ts';
import type { ChallengeAttempts } from './challenge-attempts.ts';
import type { ChallengeDelivery } from './challenge-delivery.ts';
import {
  channelOf,
  invalidCredentials,
  isDeliveredFactor,
  newSecretOf,
  refusalOfChallenge,
  secretKindOf,
  tooManyAttempts,
  ttlSecondsOf,
  type ChallengeScope,
  withLinkUrl,
} from './challenge-rules.ts';
import { credentialOf, USER_VERIFIED, type CredentialCheck } from './credentials.ts';
import { passkeyStepOf, relyingPartyOf } from './passkey-step.ts';
import { decoySubjectId, subjectOf } from './decoys.ts';
import { amrOf, type EndUserTokens } from './end-user-tokens.ts';
import { LazyState, type WindowSlot } from './failure-window.ts';
import type { Challenge, EndUser, Factor, SatisfiedFactor, SignInSystem } from './model.ts';
import type { PinSecrets } from './pin-secrets.ts';
import { signInAuditor, suppressedAs, type Auditor, type RecordAuditEvent } from './sign-in-audit.ts';
import type { SignInFactsReader, SignInReads, SignInRequest } from './sign-in-facts.ts';
import { smsRateLimited, type SmsBudget } from './sms-budget.ts';
import type { SmsReservation } from './sms-limits.ts';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '../passkeys/options.ts';

export interface StepUpdate {
  step: number;
  status: 'open' | 'consumed';
  secretHash: string | null;
  /** The WebAuthn challenge of a next `passkey` step (null otherwise). */
  passkeyChallenge?: string | null | undefined;
  expiresAt: number;
  satisfied: SatisfiedFactor[];
}

/** Where a right code moves its challenge on (DynamoDB: shared/adapters/challenge-repository.ts). */
export interface ChallengeAdvance {
  /**
   * Consumes (or moves to the next step) with one conditional write after a right code: the
   * challenge still open at `fromStep`, unexpired, not a decoy, the live one; its attempt and
   * `slot` are given back. False when that no longer holds (e.g. a concurrent complete won).
   */
  advanceChallenge(challenge: Challenge, fromStep: number, update: StepUpdate, nowMs: number, slot: WindowSlot, event?: AuditEvent): Promise<boolean>;
}

export interface CompleteInput {
  email: string;
  system: string;
  organization?: string | undefined;
  challengeId?: string | undefined;
  pin?: string | undefined;
  passwordless?: string | undefined;
  totp?: string | undefined;
  recoveryCode?: string | undefined;
  /** Where a step-up's magic link points instead of the system's `passwordlessUrl` (the hosted login). */
  linkUrl?: string | undefined;
  /** A `passkey` step: the assertion's `toJSON()` (`navigator.credentials.get()` with the step's `publicKey`). */
  passkey?: AuthenticationResponseJSON | undefined;
  /**
   * Origins a passkey assertion may come from in addition to the system's `webauthn.origins` (the
   * hosted login passes its own, as `linkUrl` overrides the link). The RP ID stays the system's.
   */
  passkeyOrigins?: string[] | undefined;
}

/** A chain completed: who signed in, to what, and how (what a token or an authorization code is made of). */
export interface CompletedSignIn {
  organization: Organization;
  system: SignInSystem;
  user: EndUser;
  amr: string[];
  /** Epoch seconds of the last factor (the id_token's `auth_time`). */
  authTime: number;
}

/** One factor's outcome without a token: the hosted login turns a completed chain into an authorization code. */
export type CompletedStep = { authenticated: true; signIn: CompletedSignIn } | SteppedUp;

/** A step-up: the next factor of the same challenge; `publicKey` (request options) when that factor is `passkey`. */
export interface SteppedUp {
  authenticated: false;
  challengeId: string;
  remaining: Factor[];
  publicKey?: PublicKeyCredentialRequestOptionsJSON | undefined;
}

export type CompletedChallenge =
  | { authenticated: true; token: string; tokenType: 'Bearer'; expiresIn: number; user: { id: string; email: string }; amr: string[] }
  | SteppedUp;

export interface CompleteSignInDependencies {
  facts: SignInFactsReader;
  reads: Pick<SignInReads, 'findChallenge' | 'findSignInState'>;
  store: ChallengeAdvance;
  attempts: ChallengeAttempts;
  credentials: CredentialCheck;
  budget: SmsBudget;
  delivery: ChallengeDelivery;
  pinSecrets: PinSecrets;
  tokens: EndUserTokens;
  audit: RecordAuditEvent;
  /** Sign-ins verified and failed. @default - counts nothing */
  metrics?: Metrics | undefined;
  now?: (() => Date) | undefined;
}

/** The refusals of a complete that count as a failed sign-in (not 400s, 404s or 429s: those never checked a code). */
const FAILED_SIGN_IN_CODES: ReadonlySet<string> = new Set(['invalid_credentials', 'expired', 'too_many_attempts']);

export class CompleteSignIn {
  private readonly now: () => Date;
  private readonly metrics: Metrics;

  constructor(private readonly deps: CompleteSignInDependencies) {
    this.now = deps.now ?? (() => new Date());
    this.metrics = deps.metrics ?? NO_METRICS;
  }

  /** `POST /v2/system/authenticate/user`: one factor, and the system's token when the chain is done. */
  async complete(request: SignInRequest, input: CompleteInput): Promise<CompletedChallenge> {
    this.deps.tokens.warmUp();
    const step = await this.completeStep(request, input);
    if (!step.authenticated) return step;
    const { organization, system, user, amr } = step.signIn;
    const token = await this.deps.tokens.issue({ audience: system.name, subject: user.id, organizationId: organization.id, amr, ttlSeconds: system.policy.tokenTtlSeconds, alg: system.tokenSigningAlg });
    return { authenticated: true, token, tokenType: 'Bearer', expiresIn: system.policy.tokenTtlSeconds, user: { id: user.id, email: user.email }, amr };
  }

  /**
   * One factor of a sign-in, without a token (the hosted login makes an authorization code of it). A
   * sign-in is verified when the last factor is satisfied (a step-up answer is neither verified nor
   * failed); it failed when the answer is a 401.
   */
  async completeStep(request: SignInRequest, input: CompleteInput): Promise<CompletedStep> {
    try {
      const completed = await this.completeChallenge(request, input);
      if (completed.authenticated) this.metrics.count(METRIC_NAMES.signInsVerified);
      return completed;
    } catch (error) {
      if (error instanceof AuthError && FAILED_SIGN_IN_CODES.has(error.code)) this.metrics.count(METRIC_NAMES.signInsFailed);
      throw error;
    }
  }

  private async completeChallenge(request: SignInRequest, input: CompleteInput): Promise<CompletedStep> {
    this.deps.pinSecrets.warmUp();
    // The sign-in state is read with the rest only when it names the challenge (no `challengeId`).
    const facts = await this.deps.facts.read(request.principal, input, { challengeId: input.challengeId, withState: input.challengeId === undefined });
    const { actor, organization, user, reason } = facts;
    const system = withLinkUrl(facts.system, input.linkUrl);
    const given = credentialOf(input);
    // A decoy (unknown email, disabled, no access) goes through every step below like a real sign-in,
    // on its own challenge and window, and is refused at the one step it can never pass.
    const subjectId = user?.id ?? decoySubjectId(subjectOf(organization.id, input.email));
    const audit = suppressedAs(signInAuditor(this.deps.audit, this.now, { actor, request, organization, system, user }), reason);
    const { attempts } = this.deps;

    const nowMs = this.now().getTime();
    // Otherwise the state is read only when something needs it: a check that fails, a TOTP or recovery
    // code, a refused attempt, a wrong code. The happy path leaves its checks (live, not locked, under
    // the budgets) to the conditions of the attempt's write.
    const state = new LazyState(() => this.deps.reads.findSignInState(organization.id, subjectId, system.name), 'state' in facts ? { value: facts.state } : undefined);
    const challengeId = input.challengeId ?? (await state.load()).value?.challengeId ?? undefined;
    const challenge =
      challengeId === undefined ? undefined : 'challenge' in facts && challengeId === input.challengeId ? facts.challenge : await this.deps.reads.findChallenge(challengeId);
    const factor = challenge?.chain[challenge.step] ?? 'pin';
    const scope: ChallengeScope = { organizationId: organization.id, userId: subjectId, systemName: system.name };
    // Exhaustion (attempts, the user's window) is left to the take: read before it, attempts held by
    // concurrent requests still in flight would look spent, and the take decides it atomically anyway.
    if (!isDeliveredFactor(factor) || refusalOfChallenge(challenge, scope, undefined, nowMs, { exhaustion: false })) await state.load();
    await attempts.check(challenge, scope, state.known(), nowMs, audit, { exhaustion: false });
    if (!challenge) throw invalidCredentials(); // (check refused it already)

    const step = challenge.step;
    // An e-mailed PIN comes back in `pin`, an e-mailed link in `passwordless` (SPEC §8), as their SMS twins.
    const expectedFields = isDeliveredFactor(factor) ? [secretKindOf(factor)] : factor === 'passkey' ? ['passkey'] : ['totp', 'recoveryCode'];
    if (!expectedFields.includes(given.field)) {
      throw new ValidationError([{ field: `body.${expectedFields[0] ?? factor}`, message: `is required: this challenge expects the ${factor} factor` }]);
    }
    const details = { challengeId: challenge.id };
    // The attempt is taken (one conditional write) before the code is checked: no write, no check.
    const slot: WindowSlot = { id: newId('try'), at: nowMs };
    const checked = await spendThenCompare(
      () => attempts.take(challenge, scope, slot, state, nowMs, audit),
      () => this.deps.credentials.verify(challenge, user, given, relyingPartyOf(facts.system, input.passkeyOrigins)),
    );
    const outcome = 'verdict' in checked ? checked.verdict : 'refused';
    const verdict = outcome === USER_VERIFIED ? 'ok' : outcome;
    if (verdict === 'locked') {
      await audit('challenge.locked', { ...details, factor, scope: 'totp' });
      throw tooManyAttempts();
    }
    if (verdict !== 'ok' || !user || reason) return attempts.refuse(challenge, state, nowMs, audit, { factor, reason: verdict });

    const satisfied: SatisfiedFactor[] = [...challenge.satisfied, given.field === 'recoveryCode' ? 'recoveryCode' : outcome === USER_VERIFIED ? 'passkeyUserVerified' : factor];
    const next = challenge.chain[step + 1];
    if (next === undefined) {
      // The event commits with the consuming write: one round trip for both.
      const amr = amrOf(satisfied);
      const advanced = await this.deps.store.advanceChallenge(
        challenge,
        step,
        { step: step + 1, status: 'consumed', secretHash: null, expiresAt: challenge.expiresAt, satisfied },
        nowMs,
        slot,
        audit.event('challenge.verified', { ...details, factor, completed: true, amr }),
      );
      if (!advanced) return attempts.advanceRefused(challenge, scope, state, nowMs, audit);
      return { authenticated: true, signIn: { organization, system: facts.system, user, amr, authTime: Math.floor(nowMs / 1000) } };
    }

    // Step-up: the next factor of the same challenge. An SMS or e-mail factor gets a fresh secret and message.
    let reservations: SmsReservation[] = [];
    if (isDeliveredFactor(next)) {
      const channel = channelOf(next);
      const daily = await this.deps.budget.reserveStepUp(organization, user.phone, channel);
      if (!daily.ok) {
        await audit('challenge.rate_limited', { ...details, limit: daily.limit, channel });
        throw smsRateLimited(daily, channel);
      }
      reservations = daily.reservations;
    }
    let publicKey: PublicKeyCredentialRequestOptionsJSON | undefined;
    try {
      const refused = () => attempts.advanceRefused(challenge, scope, state, nowMs, audit);
      publicKey = await this.stepUp(challenge, { organization, system, user }, { step, next, satisfied, nowMs, slot, refused }, audit);
    } catch (error) {
      await this.deps.budget.giveBack(reservations);
      throw error;
    }
    await audit('challenge.verified', { ...details, factor, completed: false, remaining: challenge.chain.slice(step + 1) });
    if (isDeliveredFactor(next)) await audit('challenge.sent', { ...details, method: next, step: step + 1, channel: channelOf(next) });
    return { authenticated: false, challengeId: challenge.id, remaining: challenge.chain.slice(step + 1), ...(publicKey ? { publicKey } : {}) };
  }

  /**
   * Moves the challenge to its next factor and, for an SMS or e-mail factor, sends it (voiding the
   * challenge if sending fails); for a passkey, answers the request options of the fresh challenge
   * stored with the step.
   */
  private async stepUp(
    challenge: Challenge,
    target: { organization: Organization; system: SignInSystem; user: EndUser },
    move: { step: number; next: Factor; satisfied: SatisfiedFactor[]; nowMs: number; slot: WindowSlot; refused: () => Promise<never> },
    audit: Auditor,
  ): Promise<PublicKeyCredentialRequestOptionsJSON | undefined> {
    const { step, next, satisfied, nowMs } = move;
    const { system } = target;
    const secret = isDeliveredFactor(next) ? newSecretOf(system, next) : '';
    const passkey = next === 'passkey' ? passkeyStepOf(system) : undefined;
    const update: StepUpdate = {
      step: step + 1,
      status: 'open',
      secretHash: isDeliveredFactor(next) ? await this.deps.pinSecrets.hash(challenge.id, secretKindOf(next), secret) : null,
      passkeyChallenge: passkey?.challenge ?? null,
      expiresAt: nowMs + ttlSecondsOf(system, next) * 1000,
      satisfied,
    };
    if (!(await this.deps.store.advanceChallenge(challenge, step, update, nowMs, move.slot))) return move.refused();
    // The message right after the write: nothing may fail between them and leave a live factor unsent.
    if (isDeliveredFactor(next)) await this.deps.delivery.sendOrVoid(challenge, target, next, secret, audit);
    return passkey?.publicKey();
  }
}
