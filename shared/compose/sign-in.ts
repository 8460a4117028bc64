/** End-user sign-in: start and complete over their reads, challenge store, second factor, SMS limits and tokens. */
import { ChallengeRepository } from '../adapters/challenge-repository.ts';
import { PasskeyRepository } from '../adapters/passkey-repository.ts';
import { KeyringRepository } from '../adapters/keyring-repository.ts';
import { OutboxSmsSender } from '../adapters/outbox-sms-sender.ts';
import { SignInReadRepository } from '../adapters/sign-in-reads.ts';
import { SmsLimitRepository } from '../adapters/sms-limit-repository.ts';
import { SnsSmsSender } from '../adapters/sns-sms-sender.ts';
import { config } from '../config.ts';
import { Mailer } from '../domain/platform/email.ts';
import { en } from '../domain/platform/messages/en.ts';
import type { SmsSender } from '../domain/sign-in/sms-sender.ts';
import { DataKey, PIN_HMAC_PURPOSE } from '../domain/platform/keyring.ts';
import { EndUserTokens } from '../domain/sign-in/end-user-tokens.ts';
import { completeSignInService, startSignInService } from '../domain/sign-in/sign-in-services.ts';
import type { AuditEvent } from '../domain/kernel/audit-events.ts';
import { SmsLimits } from '../domain/sign-in/sms-limits.ts';
import { endUserSecondFactor } from './mfa.ts';
import { tokenSigningKeys } from './platform.ts';
import { documentClient, masterKey, metrics, once, snsClient, tableName } from './runtime.ts';
import { accessControl, auditRepository, emailSender } from './shared.ts';

/** The process's outbox when SMS stay local (`npm start`, tests). */
export const localOutbox = /* @__PURE__ */ once(() => new OutboxSmsSender());

export const smsSender = /* @__PURE__ */ once<SmsSender>(() => {
  const sms = config().sms;
  return sms.provider === 'outbox'
    ? localOutbox()
    : new SnsSmsSender(snsClient, { senderId: sms.senderId, originationNumber: sms.originationNumber });
});

/** Sign-in e-mails, from the same catalogue as every other message. */
const signInMailer = /* @__PURE__ */ once(() => new Mailer(emailSender(), en));

/** The PIN HMAC key: a data key under the data KMS key, unwrapped once per cold start. */
const pinHmacKey = /* @__PURE__ */ once(
  () => new DataKey(new KeyringRepository(documentClient(), tableName()), () => masterKey((k) => k.dataKmsKeyId), PIN_HMAC_PURPOSE),
);

/**
 * The ports both sign-in calls take, built by whichever of the two a function serves (a Lambda serves
 * one; the local server, serving both, builds them twice: cheap objects, no I/O).
 */
const sharedPorts = () => ({
  access: accessControl(),
  // Organization, system, user, grant (and on complete the challenge or state) in batched reads.
  reads: new SignInReadRepository(documentClient(), tableName()),
  store: new ChallengeRepository(documentClient(), tableName()),
  limits: new SmsLimits(new SmsLimitRepository(documentClient(), tableName()), config().limits, { metrics: metrics() }),
  emailLimits: new SmsLimits(new SmsLimitRepository(documentClient(), tableName()), config().limits, { metrics: metrics(), channel: 'email' }),
  sms: smsSender(),
  // Straight to the sender, not through `mailer()`'s suppression check: the start reads the
  // suppression item in its batched reads already (3 DynamoDB round trips, not 4).
  mailer: signInMailer(),
  pinKey: pinHmacKey(),
  audit: (event: AuditEvent) => auditRepository().recordEvent(event),
  metrics: metrics(),
});

/** `POST /v2/user/authenticate`: no second factor or token signing in this function's bundle. */
export const startSignIn = /* @__PURE__ */ once(() => startSignInService(sharedPorts()));

/** `POST /v2/system/authenticate/user`. */
export const completeSignIn = /* @__PURE__ */ once(() =>
  completeSignInService({
    ...sharedPorts(),
    secondFactor: endUserSecondFactor(),
    passkeys: new PasskeyRepository(documentClient(), tableName()),
    // Evaluated on the first passkey step only: a PIN sign-in's cold start never loads it.
    verifier: () => import('../domain/passkeys/ceremonies.ts'),
    tokens: new EndUserTokens(tokenSigningKeys(), { apiBase: config().apiBase }),
  }),
);
