/**
 * The two sign-in services, start and complete, built from their ports in one place (the composition
 * root and the integration tests' world both call it, so they wire the same thing).
 */
import type { Metrics } from '../kernel/metrics.ts';
import type { SmsSender } from './sms-sender.ts';
import { ChallengeAttempts, type AttemptStore } from './challenge-attempts.ts';
import { CompleteSignIn, type ChallengeAdvance } from './complete-sign-in.ts';
import { CredentialCheck } from './credentials.ts';
import type { EndUserTokens } from './end-user-tokens.ts';
import type { EndUserSecondFactor } from './model.ts';
import { PinSecrets, type PinKey } from './pin-secrets.ts';
import type { RecordAuditEvent } from './sign-in-audit.ts';
import { SignInFactsReader, type SignInAccess, type SignInReads } from './sign-in-facts.ts';
import { SmsBudget } from './sms-budget.ts';
import { SmsDelivery, type ChallengeVoiding } from './sms-delivery.ts';
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
  limits: SmsLimits;
  sms: SmsSender;
  /** The PIN HMAC key (a data key unwrapped once per process). */
  pinKey: PinKey;
  tokens: EndUserTokens;
  audit: RecordAuditEvent;
  /** Sign-ins started, verified and failed, SMS sent, lockouts. @default - counts nothing */
  metrics?: Metrics | undefined;
  now?: (() => Date) | undefined;
}

export function signInServices(ports: SignInPorts): { start: StartSignIn; complete: CompleteSignIn } {
  const { reads, store, metrics, now, audit, tokens } = ports;
  const facts = new SignInFactsReader({ reads, access: ports.access });
  const pinSecrets = new PinSecrets(ports.pinKey);
  const budget = new SmsBudget(ports.limits);
  const delivery = new SmsDelivery({ sms: ports.sms, store, metrics });
  return {
    start: new StartSignIn({ facts, store, budget, delivery, pinSecrets, audit, metrics, now }),
    complete: new CompleteSignIn({
      facts,
      reads,
      store,
      attempts: new ChallengeAttempts({ store, reads, metrics }),
      credentials: new CredentialCheck({ pinSecrets, secondFactor: ports.secondFactor }),
      budget,
      delivery,
      pinSecrets,
      tokens,
      audit,
      metrics,
      now,
    }),
  };
}
