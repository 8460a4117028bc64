/**
 * Bodies of the two sign-in routes (SPEC §4 Authentication), FlexSecure-compatible: `email`, `system`,
 * and on completion exactly one of `pin`, `passwordless`, `totp`, `recoveryCode`.
 */
import { FACTORS } from '../domain/sign-in/policy.ts';
import { body, described, EndUserEmail, ResourceId, SystemName } from './common.ts';
import { AuthenticationResponse } from './passkeys.ts';
import * as z from './zod.ts';

const FactorName = z.enum(FACTORS);

/** The request options of a `passkey` step, with the challenge this sign-in stored. */
const PasskeyRequestOptions = described(
  z.record(z.string(), z.unknown()),
  'When the factor to satisfy is `passkey`: PublicKeyCredentialRequestOptionsJSON (the system\'s `webauthn.rpId`, a fresh challenge, ' +
    'empty `allowCredentials`: a discoverable credential, user verification preferred). Give it to `PublicKeyCredential.parseRequestOptionsFromJSON()`, ' +
    'then `navigator.credentials.get({publicKey})`, and send the credential\'s `toJSON()` as `passkey`.',
);

const Text = (max: number) => z.string({ error: 'must be a string' }).check(z.maxLength(max, { error: `must be at most ${max} characters` }));

/** What the caller says about the request; matched against the system's policy rules. */
const SignInContext = z
  .looseObject({
    ip: z.optional(Text(64)),
    sensitivity: z.optional(Text(128)),
    resource: z.optional(Text(128)),
    userAgent: z.optional(Text(512)),
  })
  .check(z.refine((value: object) => JSON.stringify(value).length <= 4096, { error: 'must be at most 4096 characters as JSON' }));

const shared = {
  email: EndUserEmail,
  system: SystemName,
  /** Required when the key reaches several organizations. */
  organization: z.optional(ResourceId),
};

export const StartAuthenticationBody = body({ ...shared, context: z.optional(SignInContext) });

const Code = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .check(z.trim(), z.minLength(1, { error: 'must not be empty' }), z.maxLength(max, { error: `must be at most ${max} characters` }));

const FACTOR_FIELDS = ['pin', 'passwordless', 'totp', 'recoveryCode', 'passkey'] as const;

export const CompleteAuthenticationBody = body({
  ...shared,
  challengeId: described(
    z.optional(ResourceId),
    "The challenge from the start's answer. Optional (without it the user's live challenge is used), but send it: the check then takes 2 DynamoDB round trips instead of 4.",
  ),
  pin: z.optional(z.string({ error: 'must be a string' }).check(z.regex(/^\d{6,8}$/, { error: 'must be 6 to 8 digits' }))),
  /** The link as the SMS carried it, or just its token. */
  passwordless: z.optional(Code(2048)),
  totp: z.optional(z.string({ error: 'must be a string' }).check(z.regex(/^\d{6}$/, { error: 'must be 6 digits' }))),
  recoveryCode: z.optional(Code(64)),
  /** A `passkey` step: the assertion's `toJSON()` (`navigator.credentials.get()` with the step's `publicKey`). */
  passkey: z.optional(AuthenticationResponse),
}).check(
  z.superRefine((value: Partial<Record<(typeof FACTOR_FIELDS)[number], unknown>>, context) => {
    const given = FACTOR_FIELDS.filter((field) => value[field] !== undefined);
    if (given.length !== 1) {
      context.addIssue({ code: 'custom', path: given.length ? [given[1] ?? 'pin'] : [], message: 'must carry exactly one of pin, passwordless, totp, recoveryCode, passkey' });
    }
  }),
);

export const StartedChallenge = z.object({
  challengeId: z.string(),
  method: FactorName,
  expiresAt: z.string(),
  /**
   * Where the SMS went, one shape for every number, real or decoy: eight stars and the last two
   * digits (`********78`, no country code, fixed length). Where the e-mail went: the first character
   * and the top-level domain of the email the request named (`a*****@*****.com`), real or decoy alike.
   * Null when nothing is sent (TOTP).
   */
  deliveredTo: described(
    z.nullable(z.string()),
    'Where the SMS went: `********` and the last two digits of the number, the same shape for every number (no country code, fixed length). ' +
      'Where the e-mail went (`email_pin`, `email_link`): the first character of the email the request named, `*****@*****` and its top-level domain ' +
      '(`a*****@*****.com`), lower-cased, the same for every address, real or decoy. Null when nothing is sent (TOTP, passkey).',
  ),
  publicKey: z.optional(PasskeyRequestOptions),
});

export const CompletedChallenge = z.union([
  z.object({
    authenticated: z.literal(true),
    token: described(
      z.string(),
      'ES256 JWT (`typ: JWT`) issued by the organization: `iss` = `{apiBase}/v2/organizations/{orgId}` (each organization is its own issuer), ' +
        '`aud` = the system name, `sub` = the end-user id, `org` = the organization id, `amr`, `iat`, `exp` (`expiresIn` seconds), `jti`. ' +
        'Verify it with the keys at `{iss}/.well-known/jwks.json` and check `iss` and `aud`: system names are unique only within an organization.',
    ),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().check(z.int()),
    user: z.object({ id: z.string(), email: z.string() }),
    amr: z.array(z.string()),
  }),
  z.object({ authenticated: z.literal(false), challengeId: z.string(), remaining: z.array(FactorName), publicKey: z.optional(PasskeyRequestOptions) }),
]);
