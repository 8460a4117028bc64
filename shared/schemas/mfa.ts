/**
 * Schemas of two-factor authentication: login's second step, operator TOTP self-service, enrolment
 * links and reset, end-user TOTP.
 */
import { AnyPassword, body, described } from './common.ts';
import { TokenPair } from './sessions.ts';
import * as z from './zod.ts';

/** A 6-digit TOTP code; checked for format here so a typo is a 400, not a failure on the lock count. */
export const TotpCode = z.string({ error: 'must be a string' }).check(z.regex(/^\d{6}$/, { error: 'must be 6 digits' }));

/** `xxxx-xxxx-xxxx` as shown; dashes, spaces and case are forgiven. */
export const RecoveryCode = z
  .string({ error: 'must be a string' })
  .check(z.regex(/^[A-Za-z2-7\s-]{12,20}$/, { error: 'must be a recovery code like abcd-efgh-ijkl' }));

/** Opaque tokens (`pmt_…`, `pme_…`): bounded and URL-safe. */
const OpaqueToken = z.string({ error: 'must be a string' }).check(z.regex(/^[A-Za-z0-9_-]{1,200}$/, { error: 'is not a valid token' }));

const Id = z.string({ error: 'must be a string' }).check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'is not a valid id' }));

export const LoginResponse = z.union([
  TokenPair,
  z.object({ mfaRequired: z.literal(true), mfaToken: z.string(), methods: z.tuple([z.literal('totp'), z.literal('recovery_code')]) }),
  z.object({ mfaEnrollmentRequired: z.literal(true), mfaToken: z.string() }),
]);

/** Exactly one of `code` and `recoveryCode`. */
export const MfaLoginBody = z.union(
  [body({ mfaToken: OpaqueToken, code: TotpCode }), body({ mfaToken: OpaqueToken, recoveryCode: RecoveryCode })],
  { error: 'send `mfaToken` with either `code` or `recoveryCode`' },
);

/** The password is required with an access token; with an enrolment mfaToken it was just checked at login. */
export const StartTotpBody = body({ password: z.optional(AnyPassword) });

export const TotpEnrollmentResponse = z.object({
  secret: described(z.string(), 'Base32, for manual entry'),
  secretGroups: described(z.string(), 'The secret in groups of four, as apps show it'),
  otpauthUri: z.string(),
  qrCodeSvg: described(z.string(), 'The otpauthUri as an SVG QR code'),
});

export const ConfirmTotpBody = body({ code: TotpCode });

export const RecoveryCodesResponse = z.object({
  recoveryCodes: described(z.array(z.string()), '10 single-use codes, shown this once'),
});

/** Confirming with an enrolment mfaToken (enforced 2FA) also completes the login. */
export const ConfirmTotpResponse = z.extend(RecoveryCodesResponse, {
  accessToken: z.optional(z.string()),
  refreshToken: described(z.optional(z.string()), 'With the tokens, except with `X-Refresh-Token-Mode: cookie`: then the `Set-Cookie` header carries it instead.'),
  tokenType: z.optional(z.literal('Bearer')),
  expiresIn: z.optional(z.number().check(z.int())),
});

export const RegenerateRecoveryCodesBody = body({ code: TotpCode });

export const DisableTotpBody = body({ code: z.optional(TotpCode), password: z.optional(AnyPassword) }).check(
  z.refine((value: { code?: string; password?: string }) => (value.code === undefined) !== (value.password === undefined), {
    error: 'send either `code` or `password`',
  }),
);

export const MemberMfaParams = z.strictObject({ accountId: Id, userId: Id });

export const EnrollmentLinkResponse = z.object({ enrollmentUrl: z.string(), expiresAt: z.string() });

export const EnrollmentPageParams = z.strictObject({ token: OpaqueToken });

/**
 * The page's form posts (`application/x-www-form-urlencoded`): the member's `password` (step 1), then
 * the `code` with the `step` token the page carries (step 2).
 */
export const EnrollmentPageBody = z
  .object({
    password: z.optional(AnyPassword),
    code: z.optional(z.string({ error: 'must be a string' }).check(z.maxLength(20, { error: 'must be at most 20 characters' }))),
    step: z.optional(OpaqueToken),
  })
  .check(
    z.refine((value: { password?: string; code?: string }) => value.password !== undefined || value.code !== undefined, {
      error: 'send `password`, or `code` with `step`',
      path: ['password'],
    }),
  );

export const EndUserTotpParams = z.strictObject({ orgId: Id, userId: Id });
