/** Passkeys (WebAuthn, SPEC §11): the ceremonies' options and the credentials' `toJSON()` forms. */
import { DisableTotpBody } from './mfa.ts';
import { ResourceId, SystemName, body, described } from './common.ts';
import * as z from './zod.ts';

/** A flow id names one stored challenge: `pkf_` + 32 hex digits. */
export const FlowId = z.string({ error: 'must be a string' }).check(z.regex(/^pkf_[0-9a-f]{32}$/, { error: 'is not a valid flow id' }));

export const PasskeyName = z.string({ error: 'must be a string' }).check(z.trim(), z.minLength(1, { error: 'must not be empty' }), z.maxLength(64));

/** base64url, as `toJSON()` writes binary fields; the bound only keeps garbage out (attestation objects stay well under it). */
const Base64Url = (max: number) =>
  z.string({ error: 'must be a string' }).check(z.regex(/^[A-Za-z0-9_-]*={0,2}$/, { error: 'must be base64url' }), z.maxLength(max));

const CredentialId = Base64Url(1400).check(z.minLength(1, { error: 'must not be empty' }));

/** Fields every `PublicKeyCredential.toJSON()` has; browsers add others (kept, and ignored). */
const credentialFields = {
  id: CredentialId,
  rawId: CredentialId,
  type: z.literal('public-key', { error: 'must be public-key' }),
  authenticatorAttachment: z.optional(z.nullable(z.string().check(z.maxLength(32)))),
  clientExtensionResults: z.record(z.string(), z.unknown()),
};

/** `PublicKeyCredential.toJSON()` of `navigator.credentials.create()` (RegistrationResponseJSON). */
export const RegistrationResponse = described(
  z.looseObject({
    ...credentialFields,
    response: z.looseObject({
      clientDataJSON: Base64Url(8192),
      attestationObject: Base64Url(65536),
      transports: z.optional(z.array(z.string().check(z.maxLength(32))).check(z.maxLength(10))),
    }),
  }),
  "The new credential's `toJSON()` (RegistrationResponseJSON).",
);

/** `PublicKeyCredential.toJSON()` of `navigator.credentials.get()` (AuthenticationResponseJSON). */
export const AuthenticationResponse = described(
  z.looseObject({
    ...credentialFields,
    response: z.looseObject({
      clientDataJSON: Base64Url(8192),
      authenticatorData: Base64Url(8192),
      signature: Base64Url(2048),
      userHandle: z.optional(z.nullable(Base64Url(256))),
    }),
  }),
  "The assertion's `toJSON()` (AuthenticationResponseJSON).",
);

const CreationOptions = described(
  z.record(z.string(), z.unknown()),
  'PublicKeyCredentialCreationOptionsJSON: give it to `PublicKeyCredential.parseCreationOptionsFromJSON()`, then `navigator.credentials.create({publicKey})`.',
);
const RequestOptions = described(
  z.record(z.string(), z.unknown()),
  'PublicKeyCredentialRequestOptionsJSON: give it to `PublicKeyCredential.parseRequestOptionsFromJSON()`, then `navigator.credentials.get({publicKey})`.',
);

export const PasskeyCreationStart = z.object({ flowId: z.string(), publicKey: CreationOptions });
export const PasskeyRequestStart = z.object({ flowId: z.string(), publicKey: RequestOptions });

export const RegisterPasskeyBody = body({ flowId: FlowId, name: PasskeyName, response: RegistrationResponse });
export const RenamePasskeyBody = body({ name: PasskeyName });
/** Removing a passkey asks what a stolen access token cannot give: a current TOTP code or the password. */
export const RemovePasskeyBody = DisableTotpBody;
export const PasskeySignInBody = body({ flowId: FlowId, response: AuthenticationResponse });

export const PasskeyParams = z.object({ passkeyId: ResourceId });

/** A passkey as its owner sees it: never its public key or counter. */
export const Passkey = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.nullable(z.string()),
  backedUp: z.boolean(),
  backupEligible: z.boolean(),
  transports: z.array(z.string()),
  aaguid: z.string(),
});
export const PasskeyList = z.object({ items: z.array(Passkey) });

// ---- End users' passkeys (registered through the API by the customer's app) -----------------------

export const EndUserPasskeysParams = z.strictObject({ orgId: ResourceId, userId: ResourceId });
export const EndUserPasskeyParams = z.strictObject({ orgId: ResourceId, userId: ResourceId, passkeyId: ResourceId });

/** The system whose relying party (`webauthn.rpId`) the new passkey is for. */
export const EndUserPasskeyOptionsBody = body({ system: SystemName });
