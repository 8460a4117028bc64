/** Platform: the token-signing key ring, the organizations' issuer keys, the key function's work. */
import { KeyringRepository } from '../adapters/keyring-repository.ts';
import { config } from '../config.ts';
import { recordEmailFeedback, type EmailFeedback } from '../domain/platform/email-suppression.ts';
import { provisionKeyrings, TokenSigningKeys } from '../domain/platform/keyring.ts';
import { OrganizationIssuerKeys } from '../domain/sign-in/end-user-tokens.ts';
import { documentClient, masterKey, metrics, once, tableName } from './runtime.ts';
import { emailSuppressions, organizationRepository } from './shared.ts';

export const tokenSigningKeys = /* @__PURE__ */ once(
  () => new TokenSigningKeys(new KeyringRepository(documentClient(), tableName()), () => masterKey((k) => k.signingKmsKeyId)),
);

/** The JWKS of each organization's issuer: the key ring's public keys, for active organizations only. */
export const organizationIssuerKeys = /* @__PURE__ */ once(() => new OrganizationIssuerKeys(organizationRepository(), tokenSigningKeys()));

/**
 * The key function's work (functions/platform/rotate-keys.ts): creates the keyrings that are missing and,
 * on its schedule, rotates the signing key. The only writer of keyrings; every other function reads them.
 */
export const keyProvisioning = /* @__PURE__ */ once(() => {
  const store = new KeyringRepository(documentClient(), config().tableName);
  const masterKeys = { signing: () => masterKey((k) => k.signingKmsKeyId), data: () => masterKey((k) => k.dataKmsKeyId) };
  return { provision: (options: { rotate?: boolean } = {}) => provisionKeyrings(store, masterKeys, options) };
});

/**
 * The e-mail feedback function's work (functions/platform/handle-email-feedback.ts): a permanent
 * bounce or a complaint marks its recipients undeliverable. The only writer of e-mail suppressions.
 */
export const emailFeedback = /* @__PURE__ */ once(() => ({
  record: (feedback: EmailFeedback) => recordEmailFeedback(feedback, emailSuppressions(), metrics()),
}));
