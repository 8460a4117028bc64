/**
 * `POST /v2/user/authenticate` (SPEC §4 Authentication, §8): picks the factor chain from the system's
 * policy and the request's context, records a challenge and sends its PIN or link by SMS or e-mail. An
 * unknown email, a disabled user, one without access, or (when the chain has an e-mail factor) an
 * address SES reported undeliverable gets a decoy (decoys.ts) after the same reads, limits and HMAC,
 * but nothing is sent.
 */
import { METRIC_NAMES } from '../../metrics-names.ts';
import { maskDelivery } from '../directory/phone-numbers.ts';
import { ConflictError } from '../kernel/errors.ts';
import { NO_METRICS, type Metrics } from '../kernel/metrics.ts';
import type { Organization } from '../kernel/model.ts';
import { newId } from '../kernel/secrets.ts';
import { channelOf, withLinkUrl, isDeliveredFactor, isEmailFactor, isSmsFactor, newSecretOf, secretKindOf, ttlSecondsOf } from './challenge-rules.ts';
import { decoyDelivery, decoySubjectId, emailDelivery, subjectOf } from './decoys.ts';
import type { Challenge, EndUser, Factor, SignInContext, SignInSystem } from './model.ts';
import type { PinSecrets } from './pin-secrets.ts';
import { chooseFactors } from './policy.ts';
import { signInAuditor, type Auditor, type RecordAuditEvent } from './sign-in-audit.ts';
import type { SignInFactsReader, SignInRequest } from './sign-in-facts.ts';
import { smsRateLimited, type SmsBudget } from './sms-budget.ts';
import type { ChallengeDelivery } from './challenge-delivery.ts';
import type { PlannedSms, SmsReservation } from './sms-limits.ts';
import type { PublicKeyCredentialRequestOptionsJSON } from '../passkeys/options.ts';
import { passkeyStepOf } from './passkey-step.ts';

/** Where challenges are created (DynamoDB: shared/adapters/challenge-repository.ts). */
export interface ChallengeCreation {
  /**
   * Stores the challenge and, for a real one, makes it the live one of its user and system; with `sms`,
   * the planned SMS counter writes commit in the same transaction. False (nothing written) when a
   * counter moved since it was read; without `sms` it always stores.
   */
  createChallenge(challenge: Challenge, sms?: PlannedSms): Promise<boolean>;
}

export interface StartInput {
  email: string;
  system: string;
  organization?: string | undefined;
  context?: SignInContext | undefined;
  /**
   * Where this sign-in's magic links point instead of the system's `passwordlessUrl`: the hosted
   * login's link page (SPEC §9), which completes the step for the browser that waits. @default - the system's
   */
  linkUrl?: string | undefined;
}

export interface StartedChallenge {
  challengeId: string;
  method: Factor;
  expiresAt: string;
  deliveredTo: string | null;
  /**
   * When `method` is `passkey`: the WebAuthn request options (PublicKeyCredentialRequestOptionsJSON)
   * with the challenge stored on this sign-in; the browser gives them to `navigator.credentials.get()`.
   */
  publicKey?: PublicKeyCredentialRequestOptionsJSON | undefined;
}

export interface StartSignInDependencies {
  facts: SignInFactsReader;
  store: ChallengeCreation;
  budget: SmsBudget;
  delivery: ChallengeDelivery;
  pinSecrets: PinSecrets;
  audit: RecordAuditEvent;
  /** Sign-ins started. @default - counts nothing */
  metrics?: Metrics | undefined;
  now?: (() => Date) | undefined;
}

/** How far a start got: past the SMS hand-over (no refund), and the SMS budget it holds. */
interface OpenProgress {
  handedOver: boolean;
  taken: SmsReservation[];
}

/** What a start opens: the challenge's owner and chain, and its SMS budget. */
interface Opening {
  organization: Organization;
  system: SignInSystem;
  chain: Factor[];
  method: Factor;
  user: EndUser | undefined;
  reason: string | undefined;
  subject: string;
  audit: Auditor;
  /** SMS or e-mail counter writes to commit with the challenge (they become `progress.taken` once committed). */
  planned: PlannedSms | undefined;
  /** The email the sign-in asked for: what an e-mailed factor's `deliveredTo` is masked from, real or decoy alike. */
  email: string;
}

/** A planned SMS counter moved between the read and the commit: nothing was written; start again the slow way. */
class CountersMoved extends Error {}

export class StartSignIn {
  private readonly now: () => Date;
  private readonly metrics: Metrics;

  constructor(private readonly deps: StartSignInDependencies) {
    this.now = deps.now ?? (() => new Date());
    this.metrics = deps.metrics ?? NO_METRICS;
  }

  /**
   * Every 202 counts as a sign-in started, decoys included (the caller's app did start one; SmsSent
   * tells real sends apart).
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
    this.deps.pinSecrets.warmUp();
    const facts = await this.deps.facts.read(request.principal, input, { withSubject: options.planCounters, withSuppression: true });
    const { actor, organization, user } = facts;
    const system = withLinkUrl(facts.system, input.linkUrl);
    const chain = chooseFactors(system.policy, input.context);
    const method = chain[0] ?? 'pin';
    // SPEC §8: no sign-in e-mail goes to an address SES reported undeliverable. The whole chain is a
    // decoy then (a step-up e-mail could not go either), answered like any other.
    const reason = facts.reason ?? (facts.undeliverable === true && chain.some(isEmailFactor) ? 'email_undeliverable' : undefined);
    const audit = signInAuditor(this.deps.audit, this.now, { actor, request, organization, system, user });

    // The directory refuses such a policy on write; this guards a system changed behind its back.
    if ((method === 'passwordless' || method === 'email_link') && !system.passwordlessUrl) {
      throw new ConflictError('passwordless_url_missing', 'The system has no passwordlessUrl for magic links.');
    }
    const subject = subjectOf(organization.id, input.email);
    const phone = user && !reason ? user.phone : undefined;
    // Until the SMS is handed over (or, for a decoy, the point where it would be), any failure gives
    // the budget taken back: a send that never happened counts against no limit.
    const progress: OpenProgress = { handedOver: false, taken: [] };
    let planned: PlannedSms | undefined;
    if (isDeliveredFactor(method)) {
      const channel = channelOf(method);
      const limited =
        'subjectSends' in facts
          ? this.deps.budget.plan(organization, subject, phone, channel === 'email' ? facts.emailSubjectSends : facts.subjectSends, channel)
          : await this.deps.budget.reserve(organization, subject, phone, channel);
      if (!limited.ok) {
        await audit('challenge.rate_limited', { limit: limited.limit, channel, ...(reason ? { suppressed: reason } : {}) });
        throw smsRateLimited(limited, channel);
      }
      if ('planned' in limited) planned = limited.planned;
      else progress.taken = limited.reservations;
    }
    try {
      return await this.openChallenge({ organization, system, chain, method, user, reason, subject, audit, planned, email: input.email }, progress);
    } catch (error) {
      if (!progress.handedOver) await this.deps.budget.giveBack(progress.taken);
      throw error;
    }
  }

  /**
   * Stores the challenge and sends its SMS or e-mail; `progress.handedOver` marks the point of no
   * refund. A decoy is stored live like a real one (its secret is never sent, and it is marked
   * `decoy`), so that it runs out of attempts, is superseded and expires exactly like one.
   */
  private async openChallenge(what: Opening, progress: OpenProgress): Promise<StartedChallenge> {
    const { organization, system, chain, method, user, reason, subject, audit, planned, email } = what;
    const handedOver = () => {
      progress.handedOver = true;
    };

    const nowMs = this.now().getTime();
    const challengeId = newId('chl');
    const secret = isDeliveredFactor(method) ? newSecretOf(system, method) : '';
    const secretHash = isDeliveredFactor(method) ? await this.deps.pinSecrets.hash(challengeId, secretKindOf(method), secret) : null;
    // A passkey step: the same fresh challenge and options for a decoy as for a real user (SPEC §6, no enumeration).
    const passkey = method === 'passkey' ? passkeyStepOf(system) : undefined;
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
      ...(passkey ? { passkeyChallenge: passkey.challenge } : {}),
      attempts: 0,
      maxAttempts: system.policy.pin.maxAttempts,
      expiresAt,
      satisfied: [],
      createdAt: new Date(nowMs).toISOString(),
    };
    if (!(await this.deps.store.createChallenge(challenge, planned))) throw new CountersMoved();
    if (planned) progress.taken = planned.reservations;

    const publicKey = passkey ? await passkey.publicKey() : undefined;
    const answer = (deliveredTo: string | null): StartedChallenge => ({ challengeId, method, expiresAt: new Date(expiresAt).toISOString(), deliveredTo, ...(publicKey ? { publicKey } : {}) });
    // An e-mail's mask comes from the email asked for, never from the stored one: real and decoy answer alike, byte for byte.
    const emailed = isEmailFactor(method) ? emailDelivery(email) : null;
    if (reason || !user) {
      handedOver();
      await audit('challenge.suppressed', { reason, challengeId, method });
      return answer(isSmsFactor(method) ? decoyDelivery(subject) : emailed);
    }
    const deliveredTo = isSmsFactor(method) ? maskDelivery(user.phone) : emailed;
    if (isDeliveredFactor(method)) await this.deps.delivery.sendOrVoid(challenge, { organization, system, user }, method, secret, audit);
    handedOver();
    await audit('challenge.sent', { challengeId, method, chain, ...(isDeliveredFactor(method) ? { channel: channelOf(method) } : {}) });
    return answer(deliveredTo);
  }
}

