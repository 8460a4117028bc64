/**
 * The two sign-in services, start and complete, built from their ports in one place (the composition
 * root and the integration tests' world both call it, so they wire the same thing). Apart, so that
 * the start function's bundle carries no second factor (otplib) and no token signing (jose).
 */
import type { Metrics } from '../kernel/metrics.ts';
import type { SmsSender } from './sms-sender.ts';
import { ChallengeAttempts, type AttemptStore } from './challenge-attempts.ts';
import { CompleteSignIn, type ChallengeAdvance } from './complete-sign-in.ts';
import type { VerifierLoader } from '../passkeys/options.ts';
import { CredentialCheck, type SignInPasskeys } from './credentials.ts';
import type { EndUserTokens } from './end-user-tokens.ts';
import type { EndUserSecondFactor } from './model.ts';
import { PinSecrets, type PinKey } from './pin-secrets.ts';
import type { RecordAuditEvent } from './sign-in-audit.ts';
import { SignInFactsReader, type SignInAccess, type SignInReads } from './sign-in-facts.ts';
import { SmsBudget } from './sms-budget.ts';
import { ChallengeDelivery, type ChallengeVoiding, type SignInMailer } from './challenge-delivery.ts';
import type { SmsLimits } from './sms-limits.ts';
import { StartSignIn, type ChallengeCreation } from './start-sign-in.ts';

/** Every write to challenges and sign-in states (DynamoDB: shared/adapters/challenge-repository.ts). */
export type ChallengeStore = ChallengeCreation & ChallengeAdvance & AttemptStore & ChallengeVoiding;

export interface SignInPorts {
  access: SignInAccess;
  /** The one read path of a sign-in's facts. */
  reads: SignInReads;
  store: ChallengeStore;
  secondFactor: EndUserSecondFactor;
  /** End users' passkeys, for `passkey` steps. @default - none: a passkey step never verifies */
  passkeys?: SignInPasskeys | undefined;
  /** The assertion check (ceremonies.ts), loaded on the first passkey step. @default - none: a passkey step never verifies */
  verifier?: VerifierLoader | undefined;
  /** The SMS limits (`channel: 'sms'`). */
  limits: SmsLimits;
  /** The sign-in e-mail limits (`channel: 'email'`): the SMS ones' twin on their own counters (SPEC §8). */
  emailLimits: SmsLimits;
  sms: SmsSender;
  /** Sends the `email_pin` and `email_link` messages. */
  mailer: SignInMailer;
  /** The PIN HMAC key (a data key unwrapped once per process). */
  pinKey: PinKey;
  tokens: EndUserTokens;
  audit: RecordAuditEvent;
  /** Sign-ins started, verified and failed, SMS sent, lockouts. @default - counts nothing */
  metrics?: Metrics | undefined;
  now?: (() => Date) | undefined;
}

/** What starting a sign-in needs: no second factor and no token signing (its bundle carries neither). */
export type StartSignInPorts = Omit<SignInPorts, 'secondFactor' | 'tokens' | 'passkeys' | 'verifier'>;

/** `POST /v2/user/authenticate`. */
export function startSignInService(ports: StartSignInPorts): StartSignIn {
  const { reads, store, metrics, now, audit } = ports;
  return new StartSignIn({
    facts: new SignInFactsReader({ reads, access: ports.access }),
    store,
    budget: new SmsBudget(ports.limits, ports.emailLimits),
    delivery: new ChallengeDelivery({ sms: ports.sms, mailer: ports.mailer, store, metrics }),
    pinSecrets: new PinSecrets(ports.pinKey),
    audit,
    metrics,
    now,
  });
}

/** `POST /v2/system/authenticate/user`. */
export function completeSignInService(ports: SignInPorts): CompleteSignIn {
  const { reads, store, metrics, now, audit, tokens } = ports;
  const pinSecrets = new PinSecrets(ports.pinKey);
  return new CompleteSignIn({
    facts: new SignInFactsReader({ reads, access: ports.access }),
    reads,
    store,
    attempts: new ChallengeAttempts({ store, reads, metrics }),
    credentials: new CredentialCheck({ pinSecrets, secondFactor: ports.secondFactor, passkeys: ports.passkeys, verifier: ports.verifier, now }),
    budget: new SmsBudget(ports.limits, ports.emailLimits),
    delivery: new ChallengeDelivery({ sms: ports.sms, mailer: ports.mailer, store, metrics }),
    pinSecrets,
    tokens,
    audit,
    metrics,
    now,
  });
}

/** Both services from the same ports (the integration tests' world). */
export function signInServices(ports: SignInPorts): { start: StartSignIn; complete: CompleteSignIn } {
  return { start: startSignInService(ports), complete: completeSignInService(ports) };
}
