/**
 * Bodies of the two sign-in routes (SPEC §4 Authentication), FlexSecure-compatible: `email`, `system`,
 * and on completion exactly one of `pin`, `passwordless`, `totp`, `recoveryCode`.
 */
import * as z from 'zod';
import { body } from './common.ts';
import { EndUserEmail, SystemName } from './directory.ts';
import { ResourceId } from './organizations.ts';

const FactorName = z.enum(['pin', 'passwordless', 'totp']);

/** What the caller says about the request; matched against the system's policy rules. */
const SignInContext = z
  .looseObject({
    ip: z.string({ error: 'must be a string' }).max(64, { error: 'must be at most 64 characters' }).optional(),
    sensitivity: z.string({ error: 'must be a string' }).max(128, { error: 'must be at most 128 characters' }).optional(),
    resource: z.string({ error: 'must be a string' }).max(128, { error: 'must be at most 128 characters' }).optional(),
    userAgent: z.string({ error: 'must be a string' }).max(512, { error: 'must be at most 512 characters' }).optional(),
  })
  .refine((value) => JSON.stringify(value).length <= 4096, { error: 'must be at most 4096 characters as JSON' });

const shared = {
  email: EndUserEmail,
  system: SystemName,
  /** Required when the key reaches several organizations. */
  organization: ResourceId.optional(),
};

export const StartAuthenticationBody = body({ ...shared, context: SignInContext.optional() });

const Code = (max: number) => z.string({ error: 'must be a string' }).trim().min(1, { error: 'must not be empty' }).max(max, { error: `must be at most ${max} characters` });

export const CompleteAuthenticationBody = body({
  ...shared,
  challengeId: ResourceId.optional().describe(
    "The challenge from the start's answer. Optional (without it the user's live challenge is used), but send it: the check then takes 2 DynamoDB round trips instead of 4.",
  ),
  pin: z.string({ error: 'must be a string' }).regex(/^\d{6,8}$/, { error: 'must be 6 to 8 digits' }).optional(),
  /** The link as the SMS carried it, or just its token. */
  passwordless: Code(2048).optional(),
  totp: z.string({ error: 'must be a string' }).regex(/^\d{6}$/, { error: 'must be 6 digits' }).optional(),
  recoveryCode: Code(64).optional(),
}).superRefine((value, context) => {
  const given = (['pin', 'passwordless', 'totp', 'recoveryCode'] as const).filter((field) => value[field] !== undefined);
  if (given.length !== 1) {
    context.addIssue({ code: 'custom', path: given.length ? [given[1] ?? 'pin'] : [], message: 'must carry exactly one of pin, passwordless, totp, recoveryCode' });
  }
});

export const StartedChallenge = z.object({
  challengeId: z.string(),
  method: FactorName,
  expiresAt: z.string(),
  /**
   * Where the SMS went, one shape for every number, real or decoy: eight stars and the last two
   * digits (`********78`, no country code, fixed length); null when nothing is sent (TOTP).
   */
  deliveredTo: z
    .string()
    .nullable()
    .describe('Where the SMS went: `********` and the last two digits of the number, the same shape for every number (no country code, fixed length); null when nothing is sent (TOTP).'),
});

export const CompletedChallenge = z.union([
  z.object({
    authenticated: z.literal(true),
    token: z
      .string()
      .describe(
        'ES256 JWT (`typ: JWT`) issued by the organization: `iss` = `{apiBase}/v2/organizations/{orgId}` (each organization is its own issuer), ' +
          '`aud` = the system name, `sub` = the end-user id, `org` = the organization id, `amr`, `iat`, `exp` (`expiresIn` seconds), `jti`. ' +
          'Verify it with the keys at `{iss}/.well-known/jwks.json` and check `iss` and `aud`: system names are unique only within an organization.',
      ),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int(),
    user: z.object({ id: z.string(), email: z.string() }),
    amr: z.array(z.string()),
  }),
  z.object({ authenticated: z.literal(false), challengeId: z.string(), remaining: z.array(FactorName) }),
]);
