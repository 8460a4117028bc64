/**
 * The challenge engine (SPEC §4 Authentication, §6): `start` picks the factor chain from the system's
 * policy and the request's context, records a challenge and sends its PIN or link by SMS; `complete`
 * checks one factor, consumes it with one conditional write and issues a token when the chain is done.
 *
 * No enumeration: an unknown email, a disabled user or one without access gets a decoy challenge of
 * the same shape after the same reads, limits and HMAC, but no SMS; the reason goes to the audit log.
 */
import { createHmac, randomInt } from 'node:crypto';
import type { AccessControl } from '../tenancy/actors.ts';
import { pauseBeforeRetake, spendThenCompare, windowLockedUntil, type AttemptTake } from '../kernel/attempt-budget.ts';
import { auditEvent, type AuditContext, type AuditEvent } from '../kernel/audit-events.ts';
import type { Actor } from '../tenancy/authorization.ts';
import { maskDelivery, maskPhone } from '../directory/phone-numbers.ts';
import { amrOf, type EndUserTokens } from './end-user-tokens.ts';
import { AppError, AuthError, ConflictError, NotFoundError, RateLimitError, UnavailableError, ValidationError } from '../kernel/errors.ts';
import type { Organization } from '../kernel/model.ts';
import { auditActorOf } from '../tenancy/organizations.ts';
import { chooseFactors } from './policy.ts';
import { METRIC_NAMES } from '../../metrics-names.ts';
import { NO_METRICS, type Metrics } from '../kernel/metrics.ts';
import type { Principal } from '../kernel/principal.ts';
import type { SmsSender } from '../kernel/ports.ts';
import { constantTimeEqual, hashSecret, newId, randomSecret } from '../kernel/secrets.ts';
import type { EndUser, EndUserSecondFactor, Factor, SignInContext, SignInDirectory, SignInSystem } from './model.ts';
import type { LimitDecision, PlannedSms, SmsLimits, SmsReservation, SubjectSends } from './sms-limits.ts';

/** Wrong codes per end user and system across challenges: at most 10 in any 15 minutes. */
export const USER_FAILURE_LIMIT = 10;
export const USER_FAILURE_WINDOW_SECONDS = 15 * 60;

/** What a completed factor is recorded as (recovery codes stand in for TOTP). */
export type SatisfiedFactor = Factor | 'recoveryCode';

export interface Challenge {
  id: string;
  organizationId: string;
  accountId: string;
  systemName: string;
  /**
   * The end user; for a decoy (no such user, no access, disabled) the subject it stands for: the
   * user's id, or one derived from the email (`decoySubjectId`). Either way the key of its sign-in state.
   */
  userId: string;
  /** A decoy: stored and refused like a real challenge (attempts, window, expiry), never completed. */
  decoy?: true;
  chain: Factor[];
  /** Index in `chain` of the factor to satisfy next. */
  step: number;
  status: 'open' | 'consumed' | 'void';
  /** HMAC-SHA256 of the PIN (keyed, bound to the challenge id) or SHA-256 of the link token; null for TOTP steps. */
  secretHash: string | null;
  /** Attempts taken on this challenge, all steps together (taken before a code is checked; a right code gives its own back). */
  attempts: number;
  maxAttempts: number;
  /** Epoch milliseconds: checked on every read (DynamoDB TTL only cleans up). */
  expiresAt: number;
  satisfied: SatisfiedFactor[];
  createdAt: string;
}

/** The sign-in state of one (organization, end user, system). */
export interface SignInState {
  /** The live challenge: any other is void. */
  challengeId: string | null;
  /**
   * The user's attempt window: slot id → epoch ms. A slot is taken with every attempt, before the
   * code is checked, and given back when the code was right; so it holds wrong codes and attempts
   * in flight. Slots older than the window are pruned when it is full.
   */
  window: Record<string, number>;
  version: number;
}

/** One slot of the user's window, taken with an attempt. */
export interface WindowSlot {
  id: string;
  at: number;
}

/** Why an attempt could not be taken: the challenge (not live, exhausted) or the user's window (full, superseded). */
export type TakeRefusal = 'challenge' | 'window';

export interface StepUpdate {
  step: number;
  status: 'open' | 'consumed';
  secretHash: string | null;
  expiresAt: number;
  satisfied: SatisfiedFactor[];
}

/** Storage of challenges (DynamoDB: shared/adapters/challenge-repository.ts). */
export interface ChallengeStore {
  /**
   * Stores the challenge and, for a real one, makes it the live one of its user and system; with `sms`,
   * the planned SMS counter writes commit in the same transaction. False (nothing written) when a
   * counter moved since it was read; without `sms` it always stores.
   */
  createChallenge(challenge: Challenge, sms?: PlannedSms): Promise<boolean>;
  findChallenge(challengeId: string): Promise<Challenge | undefined>;
  findSignInState(orgId: string, userId: string, systemName: string): Promise<SignInState | undefined>;
  /**
   * Takes one attempt before a code is checked (SPEC §6 attempt budgets): ONE transaction adds one
   * to the challenge's attempts if it is open at `step`, unexpired at `nowMs` and under its
   * `maxAttempts`, and takes `slot` in the user's window if the challenge is still the live one and
   * the window holds fewer than `limit` (or, with `prune`, at the version read, replacing the window
   * by the slots to `keep` and this one). Refused: nothing was written and nothing may be compared.
   */
  takeAttempt(challenge: Challenge, step: number, slot: WindowSlot, nowMs: number, limit: number, prune?: { keep: Record<string, number>; version: number }): Promise<AttemptTake<TakeRefusal>>;
  /**
   * Consumes (or moves to the next step) with one conditional write after a right code: the
   * challenge still open at `fromStep`, unexpired, not a decoy, the live one; its attempt and
   * `slot` are given back. False when that no longer holds (e.g. a concurrent complete won).
   */
  advanceChallenge(challenge: Challenge, fromStep: number, update: StepUpdate, nowMs: number, slot: WindowSlot, event?: AuditEvent): Promise<boolean>;
  /** True exactly once, for the first caller after the challenge ran out of attempts. */
  noticeExhausted(challenge: Challenge, nowMs: number): Promise<boolean>;
  /** True exactly once per lock period of the user's window (until `lockedUntil`). */
  noticeUserLocked(challenge: Challenge, lockedUntil: number, nowMs: number): Promise<boolean>;
  /** Voids an open challenge (its SMS could not be sent). */
  voidChallenge(challengeId: string): Promise<void>;
}

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
  /** Read this sign-in subject's SMS sends along (start). */
  subjectHash?: string | undefined;
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
}

/**
 * Batched reads of a sign-in (DynamoDB: shared/adapters/sign-in-reads.ts, one BatchGetItem). Without
 * it the engine reads through `access`, `directory` and `store` one item at a time, with the same
 * answers, and reserves SMS counters one write at a time instead of committing them with the challenge.
 */
export interface SignInReads {
  read(query: SignInSnapshotQuery): Promise<SignInSnapshot>;
}

export interface ChallengeEngineDependencies {
  access: AccessControl;
  directory: SignInDirectory;
  /** @default - one read per item through access, directory and store */
  reads?: SignInReads;
  secondFactor: EndUserSecondFactor;
  store: ChallengeStore;
  limits: SmsLimits;
  sms: SmsSender;
  /** The PIN HMAC key (a data key unwrapped once per process). */
  pinKey: { get(): Promise<Uint8Array> };
  tokens: EndUserTokens;
  audit: (event: AuditEvent) => Promise<void>;
  /** Sign-ins started, verified and failed, SMS sent, lockouts. @default - counts nothing */
  metrics?: Metrics;
  now?: () => Date;
}

export interface SignInRequest {
  principal: Principal;
  requestId: string;
  sourceIp: string;
}

export interface StartInput {
  email: string;
  system: string;
  organization?: string | undefined;
  context?: SignInContext | undefined;
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
}

export interface StartedChallenge {
  challengeId: string;
  method: Factor;
  expiresAt: string;
  deliveredTo: string | null;
}

export type CompletedChallenge =
  | { authenticated: true; token: string; tokenType: 'Bearer'; expiresIn: number; user: { id: string; email: string }; amr: string[] }
  | { authenticated: false; challengeId: string; remaining: Factor[] };

// Never a real id: a decoy's access check reads a key that cannot exist, so it costs what a real one does.
const DECOY_USER_ID = 'usr_00000000000000000000000000000000';

const isSmsFactor = (factor: Factor | undefined): factor is 'pin' | 'passwordless' => factor === 'pin' || factor === 'passwordless';

const invalidCredentials = () => new AuthError('invalid_credentials', 'The code, link or challenge is not valid.');
const expired = () => new AuthError('expired', 'This challenge has expired or was already used; start a new sign-in.');
const tooManyAttempts = () => new AuthError('too_many_attempts', 'Too many wrong codes; start a new sign-in later.');
const systemNotFound = () => new AppError(404, 'system_not_found', 'Not Found', 'System not found.');
/** The refusals of a complete that count as a failed sign-in (not 400s, 404s or 429s: those never checked a code). */
const FAILED_SIGN_IN_CODES: ReadonlySet<string> = new Set(['invalid_credentials', 'expired', 'too_many_attempts']);
const smsFailed = () => new AppError(502, 'sms_failed', 'Bad Gateway', 'The SMS could not be sent; start a new sign-in.');
/** Why a sign-in for this user is answered with a decoy (unknown, disabled, no access), or undefined when it is real. */
function refusalOf(user: EndUser | undefined, granted: boolean): 'unknown_user' | 'user_disabled' | 'no_access' | undefined {
  if (!user) return 'unknown_user';
  if (user.status !== 'active') return 'user_disabled';
  return granted ? undefined : 'no_access';
}

/** A PIN of `length` digits, uniform over all of them (`randomInt` rejects rather than wrapping: no modulo bias). */
export function generatePin(length: number): string {
  return String(randomInt(0, 10 ** length)).padStart(length, '0');
}

/** `passwordless` is the link exactly as the SMS carried it, or just its token. */
export function linkToken(passwordless: string): string {
  const value = passwordless.trim();
  if (/^https?:\/\//i.test(value)) {
    try {
      return new URL(value).searchParams.get('token') ?? '';
    } catch {
      return '';
    }
  }
  return value;
}

/** The SMS text of a factor: `<system>: your code is <pin>` or `<system>: sign in <url>?token=…`. */
export function smsText(system: SignInSystem, factor: 'pin' | 'passwordless', secret: string): string {
  return factor === 'pin' ? `${system.name}: your code is ${secret}` : `${system.name}: sign in ${system.passwordlessUrl ?? ''}?token=${secret}`;
}

function ttlSecondsOf(system: SignInSystem, factor: Factor): number {
  // A TOTP step has no TTL of its own: it gets the PIN's (the user is at the authenticator already).
  return factor === 'passwordless' ? system.policy.passwordless.ttlSeconds : system.policy.pin.ttlSeconds;
}

export class ChallengeEngine {
  private readonly now: () => Date;
  private readonly metrics: Metrics;

  constructor(private readonly deps: ChallengeEngineDependencies) {
    this.now = deps.now ?? (() => new Date());
    this.metrics = deps.metrics ?? NO_METRICS;
  }

  /**
   * `POST /v2/user/authenticate`. Every 202 counts as a sign-in started, decoys included (the caller's
   * app did start one; SmsSent tells real sends apart).
   */
  async start(request: SignInRequest, input: StartInput): Promise<StartedChallenge> {
    // First with the SMS counters read along and committed with the challenge; when one moved in
    // between (nothing was written then), again reserving them one conditional write at a time.
    const started = await this.startChallenge(request, input, { planCounters: true }).catch((error: unknown) => {
      if (!(error instanceof CountersMoved)) throw error;
      return this.startChallenge(request, input, { planCounters: false });
    });
    this.metrics.count(METRIC_NAMES.signInsStarted);
    return started;
  }

  private async startChallenge(request: SignInRequest, input: StartInput, options: { planCounters: boolean }): Promise<StartedChallenge> {
    this.warmUpKeys();
    const facts = await this.signInFacts(request.principal, input, { withSubject: options.planCounters });
    const { actor, organization, system, user, reason } = facts;
    const chain = chooseFactors(system.policy, input.context);
    const method = chain[0] ?? 'pin';
    const audit = this.auditor(actor, request, organization, system, user);

    // The directory refuses such a policy on write; this guards a system changed behind its back.
    if (method === 'passwordless' && !system.passwordlessUrl) {
      throw new ConflictError('passwordless_url_missing', 'The system has no passwordlessUrl for magic links.');
    }
    const subject = subjectOf(organization.id, input.email);
    const phone = user && !reason ? user.phone : undefined;
    // Until the SMS is handed over (or, for a decoy, the point where it would be), any failure gives
    // the budget taken back: a send that never happened counts against no limit.
    const progress: OpenProgress = { handedOver: false, taken: [] };
    let planned: PlannedSms | undefined;
    if (isSmsFactor(method)) {
      const limited = 'subjectSends' in facts ? this.planSms(organization, subject, phone, facts.subjectSends) : await this.reserveSms(organization, subject, phone);
      if (!limited.ok) {
        await audit('challenge.rate_limited', { limit: limited.limit, ...(reason ? { suppressed: reason } : {}) });
        throw new RateLimitError(limited.retryAfterSeconds, 'Too many SMS; try again later.');
      }
      if ('planned' in limited) planned = limited.planned;
      else progress.taken = limited.reservations;
    }
    try {
      return await this.openChallenge({ organization, system, chain, method, user, reason, subject, audit, planned }, progress);
    } catch (error) {
      if (!progress.handedOver) await this.giveBack(progress.taken);
      throw error;
    }
  }

  /**
   * Stores the challenge and sends its SMS; `progress.handedOver` marks the point of no refund. A
   * decoy is stored live like a real one (its secret is never sent, and it is marked `decoy`), so
   * that it runs out of attempts, is superseded and expires exactly like one.
   */
  private async openChallenge(
    what: {
      organization: Organization;
      system: SignInSystem;
      chain: Factor[];
      method: Factor;
      user: EndUser | undefined;
      reason: string | undefined;
      subject: string;
      audit: Auditor;
      /** SMS counter writes to commit with the challenge (they become `progress.taken` once committed). */
      planned: PlannedSms | undefined;
    },
    progress: OpenProgress,
  ): Promise<StartedChallenge> {
    const { organization, system, chain, method, user, reason, subject, audit, planned } = what;
    const handedOver = () => {
      progress.handedOver = true;
    };

    const nowMs = this.now().getTime();
    const challengeId = newId('chl');
    const secret = method === 'pin' ? generatePin(system.policy.pin.length) : randomSecret(32);
    const secretHash = method === 'totp' ? null : await this.secretHash(challengeId, method, secret);
    const expiresAt = nowMs + ttlSecondsOf(system, method) * 1000;
    const challenge: Challenge = {
      id: challengeId,
      organizationId: organization.id,
      accountId: organization.accountId,
      systemName: system.name,
      userId: user?.id ?? decoySubjectId(subject),
      ...(reason ? { decoy: true as const } : {}),
      chain,
      step: 0,
      status: 'open',
      secretHash,
      attempts: 0,
      maxAttempts: system.policy.pin.maxAttempts,
      expiresAt,
      satisfied: [],
      createdAt: new Date(nowMs).toISOString(),
    };
    if (!(await this.deps.store.createChallenge(challenge, planned))) throw new CountersMoved();
    if (planned) progress.taken = planned.reservations;

    const answer = (deliveredTo: string | null): StartedChallenge => ({ challengeId, method, expiresAt: new Date(expiresAt).toISOString(), deliveredTo });
    if (reason || !user) {
      handedOver();
      await audit('challenge.suppressed', { reason, challengeId, method });
      return answer(isSmsFactor(method) ? decoyDelivery(subject) : null);
    }
    const deliveredTo = isSmsFactor(method) ? maskDelivery(user.phone) : null;
    if (isSmsFactor(method)) await this.sendOrVoid(challenge, system, user, method, secret, audit);
    handedOver();
    await audit('challenge.sent', { challengeId, method, chain });
    return answer(deliveredTo);
  }

  /**
   * `POST /v2/system/authenticate/user`. A sign-in is verified when the last factor is satisfied (a
   * step-up answer is neither verified nor failed); it failed when the answer is a 401.
   */
  async complete(request: SignInRequest, input: CompleteInput): Promise<CompletedChallenge> {
    try {
      const completed = await this.completeChallenge(request, input);
      if (completed.authenticated) this.metrics.count(METRIC_NAMES.signInsVerified);
      return completed;
    } catch (error) {
      if (error instanceof AuthError && FAILED_SIGN_IN_CODES.has(error.code)) this.metrics.count(METRIC_NAMES.signInsFailed);
      throw error;
    }
  }

  private async completeChallenge(request: SignInRequest, input: CompleteInput): Promise<CompletedChallenge> {
    this.warmUpKeys({ signing: true });
    // The sign-in state is read with the rest only when it names the challenge (no `challengeId`).
    const facts = await this.signInFacts(request.principal, input, { challengeId: input.challengeId, withState: input.challengeId === undefined });
    const { actor, organization, system, user, reason } = facts;
    const given = this.credentialOf(input);
    // A decoy (unknown email, disabled, no access) goes through every step below like a real sign-in,
    // on its own challenge and window, and is refused at the one step it can never pass.
    const subjectId = user?.id ?? decoySubjectId(subjectOf(organization.id, input.email));
    const base = this.auditor(actor, request, organization, system, user);
    const audit: Auditor = reason
      ? Object.assign((type: string, details: Record<string, unknown>) => base(type, { ...details, suppressed: reason }), { event: (type: string, details: Record<string, unknown>) => base.event(type, { ...details, suppressed: reason }) })
      : base;

    const nowMs = this.now().getTime();
    // Otherwise the state is read only when something needs it: a check that fails, a TOTP or recovery
    // code, a refused attempt, a wrong code. The happy path leaves its checks (live, not locked, under
    // the budgets) to the conditions of the attempt's write.
    const state = new LazyState(() => this.deps.store.findSignInState(organization.id, subjectId, system.name), 'state' in facts ? { value: facts.state } : undefined);
    const challengeId = input.challengeId ?? (await state.load()).value?.challengeId ?? undefined;
    const challenge =
      challengeId === undefined ? undefined : 'challenge' in facts && challengeId === input.challengeId ? facts.challenge : await this.deps.store.findChallenge(challengeId);
    const factor = challenge?.chain[challenge.step] ?? 'pin';
    const scope: ChallengeScope = { organizationId: organization.id, userId: subjectId, systemName: system.name };
    // Exhaustion (attempts, the user's window) is left to the take: read before it, attempts held by
    // concurrent requests still in flight would look spent, and the take decides it atomically anyway.
    if (!isSmsFactor(factor) || refusalOfChallenge(challenge, scope, undefined, nowMs, { exhaustion: false })) await state.load();
    await this.check(challenge, scope, state.known(), nowMs, audit, { exhaustion: false });
    if (!challenge) throw invalidCredentials(); // (check refused it already)

    const step = challenge.step;
    const expectedFields = factor === 'totp' ? ['totp', 'recoveryCode'] : [factor];
    if (!expectedFields.includes(given.field)) {
      throw new ValidationError([{ field: `body.${factor}`, message: `is required: this challenge expects the ${factor} factor` }]);
    }
    const details = { challengeId: challenge.id };
    // The attempt is taken (one conditional write) before the code is checked: no write, no check.
    const slot: WindowSlot = { id: newId('try'), at: nowMs };
    const checked = await spendThenCompare(
      () => this.takeAttempt(challenge, scope, slot, state, nowMs, audit),
      () => this.verify(challenge, user, given),
    );
    const verdict = 'verdict' in checked ? checked.verdict : 'refused';
    if (verdict === 'locked') {
      await audit('challenge.locked', { ...details, factor, scope: 'totp' });
      throw tooManyAttempts();
    }
    if (verdict !== 'ok' || !user || reason) return this.refuse(challenge, state, nowMs, audit, { factor, reason: verdict });

    const satisfied: SatisfiedFactor[] = [...challenge.satisfied, given.field === 'recoveryCode' ? 'recoveryCode' : factor];
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
      if (!advanced) return this.advanceRefused(challenge, scope, state, nowMs, audit);
      const token = await this.deps.tokens.issue({
        audience: system.name,
        subject: user.id,
        organizationId: organization.id,
        amr,
        ttlSeconds: system.policy.tokenTtlSeconds,
      });
      return { authenticated: true, token, tokenType: 'Bearer', expiresIn: system.policy.tokenTtlSeconds, user: { id: user.id, email: user.email }, amr };
    }

    // Step-up: the next factor of the same challenge. An SMS factor gets a fresh secret and SMS; the
    // per-user SMS window does not apply inside one sign-in (the first factor was proven), the
    // destination (a TOTP first factor checked none) and the daily caps do.
    let reservations: SmsReservation[] = [];
    if (isSmsFactor(next)) {
      const daily = this.countryRefusal(organization, user.phone) ?? (await this.deps.limits.reserveDaily(organization));
      if (!daily.ok) {
        await audit('challenge.rate_limited', { ...details, limit: daily.limit });
        throw new RateLimitError(daily.retryAfterSeconds, 'Too many SMS; try again later.');
      }
      reservations = reservationsOf(daily);
    }
    try {
      const refused = () => this.advanceRefused(challenge, scope, state, nowMs, audit);
      await this.stepUp(challenge, system, user, { step, next, satisfied, nowMs, slot, refused }, audit);
    } catch (error) {
      await this.giveBack(reservations);
      throw error;
    }
    await audit('challenge.verified', { ...details, factor, completed: false, remaining: challenge.chain.slice(step + 1) });
    if (isSmsFactor(next)) await audit('challenge.sent', { ...details, method: next, step: step + 1 });
    return { authenticated: false, challengeId: challenge.id, remaining: challenge.chain.slice(step + 1) };
  }

  /** Moves the challenge to its next factor and, for an SMS factor, sends it (voiding the challenge if SNS refuses). */
  private async stepUp(
    challenge: Challenge,
    system: SignInSystem,
    user: EndUser,
    move: { step: number; next: Factor; satisfied: SatisfiedFactor[]; nowMs: number; slot: WindowSlot; refused: () => Promise<never> },
    audit: Auditor,
  ): Promise<void> {
    const { step, next, satisfied, nowMs } = move;
    const secret = next === 'pin' ? generatePin(system.policy.pin.length) : next === 'passwordless' ? randomSecret(32) : '';
    const advanced = await this.deps.store.advanceChallenge(
      challenge,
      step,
      {
        step: step + 1,
        status: 'open',
        secretHash: isSmsFactor(next) ? await this.secretHash(challenge.id, next, secret) : null,
        expiresAt: nowMs + ttlSecondsOf(system, next) * 1000,
        satisfied,
      },
      nowMs,
      move.slot,
    );
    if (!advanced) return move.refused();
    // The SMS right after the write: nothing may fail between them and leave a live factor unsent.
    if (isSmsFactor(next)) await this.sendOrVoid(challenge, system, user, next, secret, audit);
  }

  /**
   * Organization (with the actor and its permission checked), system and user of a sign-in, in the
   * order of the checks: unknown organization 404, no `signin:authenticate` 403, unknown system 404.
   * With `reads` everything (and, for complete, the challenge and sign-in state) comes in two
   * batched round trips; without it, one read at a time.
   */
  private async signInFacts(
    principal: Principal,
    input: { organization?: string | undefined; system: string; email: string },
    extra: { challengeId?: string | undefined; withState?: boolean; withSubject?: boolean } = {},
  ): Promise<{
    actor: Actor;
    organization: Organization;
    system: SignInSystem;
    user: EndUser | undefined;
    reason: string | undefined;
    challenge?: Challenge | undefined;
    state?: SignInState | undefined;
    subjectSends?: SubjectSends | undefined;
  }> {
    if (!this.deps.reads) {
      const { actor, organization } = await this.resolveOrganization(principal, input.organization);
      const system = await this.deps.directory.findSystem(organization.id, input.system);
      if (!system) throw systemNotFound();
      return { actor, organization, system, ...(await this.findSignInUser(organization.id, system.name, input.email)) };
    }
    const orgId = this.organizationIdOf(principal, input.organization);
    const snapshot = await this.deps.reads.read({
      organizationId: orgId,
      systemName: input.system,
      email: input.email,
      challengeId: extra.challengeId,
      withState: extra.withState ?? false,
      decoyUserId: decoySubjectId(subjectOf(orgId, input.email)),
      subjectHash: extra.withSubject ? subjectOf(orgId, input.email) : undefined,
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
    };
  }

  /**
   * Starts loading the keys the request will need (on a cold start: a keyring read and a KMS unwrap
   * each) while the sign-in's own reads are in flight, instead of after them. Both loads are cached
   * promises, so a warm request only touches memory; a failure surfaces where the key is used.
   */
  private warmUpKeys(options: { signing?: boolean } = {}): void {
    this.deps.pinKey.get().catch(() => undefined);
    if (options.signing) this.deps.tokens.warmUp();
  }

  /** The organization id a key signs in to (no read): its only one, else `organization`, which it must reach. */
  private organizationIdOf(principal: Principal, requested: string | undefined): string {
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

  /**
   * The organization of a sign-in: the key's only one, else `organization` (required then). An
   * organization the key does not reach answers like an unknown one (404), and a key of another
   * account never gets past `actorForOrganization`.
   */
  private async resolveOrganization(principal: Principal, requested: string | undefined): Promise<{ actor: Actor; organization: Organization }> {
    const orgId = this.organizationIdOf(principal, requested);
    const { actor, organization } = await this.deps.access.actorForOrganization(principal, orgId);
    await this.deps.access.require(actor, 'signin:authenticate', { accountId: organization.accountId, organizationId: organization.id });
    return { actor, organization };
  }

  /** The user, and why they may not sign in (if so). The same three reads whatever the outcome. */
  private async findSignInUser(orgId: string, systemName: string, email: string): Promise<{ user: EndUser | undefined; reason: string | undefined }> {
    const user = await this.deps.directory.findEndUserByEmail(orgId, email);
    const granted = await this.deps.directory.hasAccess(orgId, systemName, user?.id ?? DECOY_USER_ID);
    return { user, reason: refusalOf(user, granted) };
  }

  /**
   * Country allow-list (real numbers only), then the subject's window, then the organization's day.
   * When the day refuses, the subject's slot goes back (no SMS leaves).
   */
  private async reserveSms(
    organization: Organization,
    subject: string,
    phone: string | undefined,
  ): Promise<{ ok: true; reservations: SmsReservation[] } | Extract<LimitDecision, { ok: false }>> {
    const country = this.countryRefusal(organization, phone);
    if (country) return country;
    const perSubject = await this.deps.limits.reserveSubject(organization.id, subject);
    if (!perSubject.ok) return perSubject;
    let daily: LimitDecision;
    try {
      daily = await this.deps.limits.reserveDaily(organization);
    } catch (error) {
      await this.giveBack(reservationsOf(perSubject));
      throw error;
    }
    if (!daily.ok) {
      await this.giveBack(reservationsOf(perSubject));
      return daily;
    }
    return { ok: true, reservations: [...reservationsOf(perSubject), ...reservationsOf(daily)] };
  }

  /** As `reserveSms`, from the subject's sends read with the sign-in: the writes are planned, not made (the challenge commits them). */
  private planSms(
    organization: Organization,
    subject: string,
    phone: string | undefined,
    current: SubjectSends | undefined,
  ): { ok: true; planned: PlannedSms } | Extract<LimitDecision, { ok: false }> {
    return this.countryRefusal(organization, phone) ?? this.deps.limits.plan(organization, subject, current);
  }

  /** The destination (a mobile number, an allowed country) refusing a real number (a decoy has none: it sends nothing). */
  private countryRefusal(organization: Organization, phone: string | undefined): Extract<LimitDecision, { ok: false }> | undefined {
    if (!phone) return undefined;
    const country = this.deps.limits.checkDestination(phone, organization.settings.smsAllowedCountries);
    return country.ok ? undefined : country;
  }

  /** Compensation, best effort: when even this write fails, the original failure is still the answer. */
  private async giveBack(reservations: SmsReservation[]): Promise<void> {
    if (reservations.length === 0) return;
    try {
      await this.deps.limits.release(reservations);
    } catch {
      // The budget stays taken (the safe side for abuse limits); the caller rethrows its own error.
    }
  }

  private async sendOrVoid(challenge: Challenge, system: SignInSystem, user: EndUser, factor: 'pin' | 'passwordless', secret: string, audit: Auditor) {
    try {
      await this.deps.sms.send({ to: user.phone, body: smsText(system, factor, secret) });
    } catch {
      await this.deps.store.voidChallenge(challenge.id);
      await audit('challenge.failed', { challengeId: challenge.id, reason: 'sms_failed' });
      throw smsFailed();
    }
    this.metrics.count(METRIC_NAMES.smsSent);
  }

  /** Refuses (audited) a challenge that is unknown, not live, expired or exhausted, or a locked user; `state` when read. */
  private async check(
    challenge: Challenge | undefined,
    scope: ChallengeScope,
    state: { value: SignInState | undefined } | undefined,
    nowMs: number,
    audit: Auditor,
    options: { exhaustion: boolean } = { exhaustion: true },
  ): Promise<void> {
    const refusal = refusalOfChallenge(challenge, scope, state, nowMs, options);
    if (!refusal) return;
    await audit('challenge.failed', { ...(challenge && refusal.reason !== 'user_locked' && refusal.reason !== 'unknown_challenge' ? { challengeId: challenge.id } : {}), reason: refusal.reason });
    throw refusal.error();
  }

  /**
   * The consuming write was refused: the state, read afresh, says why (user locked, challenge
   * superseded); otherwise a concurrent complete won the challenge.
   */
  private async advanceRefused(challenge: Challenge, scope: ChallengeScope, state: LazyState, nowMs: number, audit: Auditor): Promise<never> {
    const fresh = await this.deps.store.findChallenge(challenge.id);
    await this.check(fresh, scope, settledElsewhere(fresh, challenge) ? undefined : await state.reload(), nowMs, audit);
    return this.lostRace(challenge, audit);
  }

  /**
   * Takes the attempt (challenge and user's window, one transaction) or refuses the complete, audited,
   * without checking anything. A full window of stale slots is pruned and taken again (at the version
   * read); a window hammered past a few tries fails closed (503), never through to a comparison.
   */
  private async takeAttempt(challenge: Challenge, scope: ChallengeScope, slot: WindowSlot, state: LazyState, nowMs: number, audit: Auditor): Promise<AttemptTake<never>> {
    let prune: { keep: Record<string, number>; version: number } | undefined;
    for (let tries = 0; tries < 6; tries++) {
      const taken = await this.deps.store.takeAttempt(challenge, challenge.step, slot, nowMs, USER_FAILURE_LIMIT, prune);
      if (taken.taken) return taken;
      const fresh = await this.deps.store.findChallenge(challenge.id);
      // Consumed, voided or moved on by a concurrent request: this one lost to it (expired), whatever
      // the attempts and window slots that request and its peers still hold.
      if (settledElsewhere(fresh, challenge)) {
        await this.check(fresh, scope, undefined, nowMs, audit);
        return this.lostRace(challenge, audit);
      }
      const windowStart = nowMs - USER_FAILURE_WINDOW_SECONDS * 1000;
      const current = taken.refusal === 'window' ? await state.reload() : undefined;
      const recent = Object.fromEntries(Object.entries(current?.value?.window ?? {}).filter(([, at]) => at > windowStart));
      // Every attempt (or window slot) taken while the challenge is still open: some may be in flight
      // (concurrent right answers, one of which will consume it), so take again shortly before calling
      // the challenge exhausted or the user locked.
      const full = taken.refusal === 'challenge' ? (fresh?.attempts ?? 0) >= (fresh?.maxAttempts ?? 0) : Object.keys(recent).length >= USER_FAILURE_LIMIT;
      if (full && tries < 4) {
        await pauseBeforeRetake(tries);
        continue;
      }
      if (taken.refusal === 'challenge') {
        // Ran out of attempts or expired: the fresh item says which.
        await this.check(fresh, scope, await state.reload(), nowMs, audit);
        return this.lostRace(challenge, audit);
      }
      // The window refused: superseded, locked, or full of slots older than the window.
      await this.check(challenge, scope, current, nowMs, audit);
      prune = { keep: recent, version: current?.value?.version ?? 0 };
    }
    throw new UnavailableError(1);
  }

  /** A wrong code (its attempt and window slot stay spent): answers why, raising a lockout once per locked subject. */
  private async refuse(challenge: Challenge, state: LazyState, nowMs: number, audit: Auditor, what: { factor: Factor; reason: string }): Promise<never> {
    const details = { challengeId: challenge.id, factor: what.factor };
    const lockedUntil = userLockedUntil((await state.reload()).value, nowMs);
    if (lockedUntil !== null) {
      if (await this.deps.store.noticeUserLocked(challenge, lockedUntil, nowMs)) {
        this.metrics.count(METRIC_NAMES.lockouts);
        await audit('challenge.locked', { ...details, scope: 'user' });
      } else {
        await audit('challenge.failed', { ...details, reason: what.reason, locked: 'user' });
      }
      throw tooManyAttempts();
    }
    const fresh = await this.deps.store.findChallenge(challenge.id);
    const attempts = fresh?.attempts ?? challenge.maxAttempts;
    if (attempts >= challenge.maxAttempts) {
      if (await this.deps.store.noticeExhausted(challenge, nowMs)) {
        this.metrics.count(METRIC_NAMES.lockouts);
        await audit('challenge.locked', { ...details, scope: 'challenge' });
      } else {
        await audit('challenge.failed', { ...details, reason: what.reason, locked: 'challenge' });
      }
      throw tooManyAttempts();
    }
    await audit('challenge.failed', { ...details, reason: what.reason, attemptsLeft: challenge.maxAttempts - attempts });
    throw invalidCredentials();
  }

  private async lostRace(challenge: Challenge, audit: Auditor): Promise<never> {
    await audit('challenge.failed', { challengeId: challenge.id, reason: 'lost_race' });
    throw expired();
  }

  /** Checks the code (only ever after its attempt was taken). A decoy's never passes: its secret was never sent. */
  private async verify(challenge: Challenge, user: EndUser | undefined, given: { field: string; value: string }): Promise<string> {
    switch (given.field) {
      case 'pin':
      case 'passwordless': {
        const value = given.field === 'pin' ? given.value : linkToken(given.value);
        const hash = await this.secretHash(challenge.id, given.field, value);
        const right = challenge.secretHash !== null && constantTimeEqual(hash, challenge.secretHash);
        return right && !challenge.decoy ? 'ok' : 'wrong_code';
      }
      case 'totp': {
        if (challenge.decoy || !user) return 'totp_invalid';
        const outcome = await this.deps.secondFactor.verifyTotp(challenge.organizationId, user.id, given.value);
        return outcome === 'ok' || outcome === 'locked' ? outcome : `totp_${outcome}`;
      }
      default: {
        if (challenge.decoy || !user) return 'recovery_code_invalid';
        const outcome = await this.deps.secondFactor.useRecoveryCode(challenge.organizationId, user.id, given.value);
        return outcome === 'ok' || outcome === 'locked' ? outcome : `recovery_code_${outcome}`;
      }
    }
  }

  /** PINs: HMAC-SHA256 under the server key, bound to the challenge; link tokens (256 bits): SHA-256. */
  private async secretHash(challengeId: string, factor: 'pin' | 'passwordless', secret: string): Promise<string> {
    if (factor === 'passwordless') return hashSecret(secret);
    return createHmac('sha256', await this.deps.pinKey.get()).update(`${challengeId}:${secret}`, 'utf8').digest('base64url');
  }

  private credentialOf(input: CompleteInput): { field: 'pin' | 'passwordless' | 'totp' | 'recoveryCode'; value: string } {
    if (input.pin !== undefined) return { field: 'pin', value: input.pin };
    if (input.passwordless !== undefined) return { field: 'passwordless', value: input.passwordless };
    if (input.totp !== undefined) return { field: 'totp', value: input.totp };
    if (input.recoveryCode !== undefined) return { field: 'recoveryCode', value: input.recoveryCode };
    throw new ValidationError([{ field: 'body', message: 'must carry one of pin, passwordless, totp, recoveryCode' }]);
  }

  private auditor(actor: Actor, request: SignInRequest, organization: Organization, system: SignInSystem, user: EndUser | undefined): Auditor {
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
        this.now(),
      );
    return Object.assign((type: string, details: Record<string, unknown>) => this.deps.audit(event(type, details)), { event });
  }
}

/** Records a sign-in event (`audit(type, details)`), or only builds it (`audit.event`) for a write that commits it. */
interface Auditor {
  (type: string, details: Record<string, unknown>): Promise<void>;
  event(type: string, details: Record<string, unknown>): AuditEvent;
}

/** The sign-in state, read at most once unless read afresh; `known()` is undefined until it was read. */
class LazyState {
  private current: { value: SignInState | undefined } | undefined;
  constructor(
    private readonly read: () => Promise<SignInState | undefined>,
    initial?: { value: SignInState | undefined },
  ) {
    this.current = initial;
  }
  known(): { value: SignInState | undefined } | undefined {
    return this.current;
  }
  async load(): Promise<{ value: SignInState | undefined }> {
    this.current ??= { value: await this.read() };
    return this.current;
  }
  async reload(): Promise<{ value: SignInState | undefined }> {
    this.current = { value: await this.read() };
    return this.current;
  }
}

/**
 * Why a complete is refused before any code is checked, in this order: the user is locked, the
 * challenge is unknown (or another user's, system's, organization's), not live (consumed, void,
 * superseded, expired), exhausted. State-dependent refusals apply only when the state was read.
 */
function refusalOfChallenge(
  challenge: Challenge | undefined,
  scope: ChallengeScope,
  state: { value: SignInState | undefined } | undefined,
  nowMs: number,
  options: { exhaustion: boolean } = { exhaustion: true },
): { reason: string; error: () => AuthError } | undefined {
  if (options.exhaustion && userLockedUntil(state?.value, nowMs) !== null) return { reason: 'user_locked', error: tooManyAttempts };
  if (!challenge || challenge.organizationId !== scope.organizationId || challenge.userId !== scope.userId || challenge.systemName !== scope.systemName) {
    return { reason: 'unknown_challenge', error: invalidCredentials };
  }
  const superseded = state !== undefined && state.value?.challengeId !== challenge.id;
  if (challenge.status !== 'open' || superseded || challenge.expiresAt <= nowMs) {
    return { reason: challenge.status === 'consumed' ? 'reused' : challenge.expiresAt <= nowMs ? 'expired' : 'superseded', error: expired };
  }
  if (options.exhaustion && challenge.attempts >= challenge.maxAttempts) return { reason: 'challenge_locked', error: tooManyAttempts };
  return undefined;
}

/** Whose challenge a complete may use: this organization's, user's and system's. */
type ChallengeScope = Pick<Challenge, 'organizationId' | 'userId' | 'systemName'>;

/** How far a start got: past the SMS hand-over (no refund), and the SMS budget it holds. */
interface OpenProgress {
  handedOver: boolean;
  taken: SmsReservation[];
}

/** A planned SMS counter moved between the read and the commit: nothing was written; start again the slow way. */
class CountersMoved extends Error {}

/** The SMS-limit subject of a sign-in: the organization and the email, hashed (no email at rest in the counters). */
const subjectOf = (orgId: string, email: string): string => hashSecret(`${orgId}:${email.toLowerCase()}`);

const reservationsOf = (decision: LimitDecision): SmsReservation[] => (decision.ok && decision.reservation ? [decision.reservation] : []);

/** Until when the user's window is full (every attempt refused), or null. */
function userLockedUntil(state: SignInState | undefined, nowMs: number): number | null {
  return windowLockedUntil(Object.values(state?.window ?? {}), nowMs, USER_FAILURE_WINDOW_SECONDS * 1000, USER_FAILURE_LIMIT);
}

/** The subject a decoy stands for when the email is unknown: stable per (organization, email), never a real id. */
const decoySubjectId = (subject: string): string => `dcy_${subject}`;

/**
 * What a decoy says it delivered to: `maskDelivery`'s shape (no country code, fixed length) with two
 * digits derived from the email, so repeated requests for one unknown email answer the same mask.
 */
function decoyDelivery(subject: string): string {
  const digits = String(createHmac('sha256', 'portcullis-decoy-delivery').update(subject).digest().readUInt16BE(0) % 100).padStart(2, '0');
  return maskDelivery(`+000000000${digits}`);
}

/** The challenge was consumed, voided or moved to another step since it was read: a concurrent request settled it. */
function settledElsewhere(fresh: Challenge | undefined, read: Challenge): boolean {
  return fresh !== undefined && (fresh.status !== 'open' || fresh.step !== read.step);
}
