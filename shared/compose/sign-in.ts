/** End-user sign-in: the challenge engine with its directory, second factor, SMS limits and tokens. */
import { ChallengeRepository } from '../adapters/challenge-repository.ts';
import { KeyringRepository } from '../adapters/keyring-repository.ts';
import { OutboxSmsSender } from '../adapters/outbox-sms-sender.ts';
import { SignInReadRepository } from '../adapters/sign-in-reads.ts';
import { SmsLimitRepository } from '../adapters/sms-limit-repository.ts';
import { SnsSmsSender } from '../adapters/sns-sms-sender.ts';
import { config } from '../config.ts';
import type { SmsSender } from '../domain/kernel/ports.ts';
import { DataKey, PIN_HMAC_PURPOSE } from '../domain/platform/keyring.ts';
import { ChallengeEngine } from '../domain/sign-in/challenges.ts';
import { EndUserTokens } from '../domain/sign-in/end-user-tokens.ts';
import { SmsLimits } from '../domain/sign-in/sms-limits.ts';
import { signInDirectory } from './directory.ts';
import { endUserSecondFactor } from './mfa.ts';
import { tokenSigningKeys } from './platform.ts';
import { documentClient, masterKey, metrics, once, snsClient, tableName } from './runtime.ts';
import { accessControl, auditRepository } from './shared.ts';

/** The process's outbox when SMS stay local (`npm start`, tests). */
export const localOutbox = /* @__PURE__ */ once(() => new OutboxSmsSender());

export const smsSender = /* @__PURE__ */ once<SmsSender>(() => {
  const sms = config().sms;
  return sms.provider === 'outbox'
    ? localOutbox()
    : new SnsSmsSender(snsClient, { senderId: sms.senderId, originationNumber: sms.originationNumber });
});

/** The PIN HMAC key: a data key under the data KMS key, unwrapped once per cold start. */
const pinHmacKey = /* @__PURE__ */ once(
  () => new DataKey(new KeyringRepository(documentClient(), tableName()), () => masterKey((k) => k.dataKmsKeyId), PIN_HMAC_PURPOSE),
);

/** The challenge engine: directory, TOTP, SMS limits and tokens behind one domain service. */
export const challengeEngine = /* @__PURE__ */ once(
  () =>
    new ChallengeEngine({
      access: accessControl(),
      directory: signInDirectory(),
      // Organization, system, user, grant (and on complete the challenge and state) in two BatchGetItems.
      reads: new SignInReadRepository(documentClient(), tableName()),
      secondFactor: endUserSecondFactor(),
      store: new ChallengeRepository(documentClient(), tableName()),
      limits: new SmsLimits(new SmsLimitRepository(documentClient(), tableName()), config().limits, { metrics: metrics() }),
      sms: smsSender(),
      pinKey: pinHmacKey(),
      tokens: new EndUserTokens(tokenSigningKeys(), { apiBase: config().apiBase }),
      audit: (event) => auditRepository().recordEvent(event),
      metrics: metrics(),
    }),
);
