import { AnyPassword, Email, NewPassword, ResourceId, body } from './common.ts';
import * as z from './zod.ts';

export const SignupBody = body({
  email: Email,
  password: NewPassword,
  accountName: z.string().check(z.trim(), z.minLength(1, { error: 'must not be empty' }), z.maxLength(100)),
});

export const LoginBody = body({ email: Email, password: AnyPassword });

/** Refresh tokens are opaque; the length bound only keeps garbage out of the hash. */
const RefreshToken = z.string().check(z.minLength(1), z.maxLength(200));
export const RefreshBody = body({ refreshToken: RefreshToken });
export const LogoutBody = body({ refreshToken: RefreshToken });

export const TokenPair = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().check(z.int()),
});

export const SignupResponse = z.extend(TokenPair, { accountId: z.string(), userId: z.string() });

/** Signup under `verify-email`: the same answer for every well-formed request, known address or not. */
export const SignupVerificationSent = z.object({ verificationSent: z.literal(true) });

/** Sign-up link tokens are `psv_` + 43 URL-safe characters; the bound only keeps garbage out of the hash. */
export const SignupVerifyBody = body({
  token: z.string({ error: 'must be a string' }).check(z.minLength(1, { error: 'must not be empty' }), z.maxLength(200, { error: 'must be at most 200 characters' })),
});

export const Membership = z.object({
  accountId: z.string(),
  accountName: z.nullable(z.string()),
  role: z.enum(['owner', 'manager', 'viewer']),
  scope: z.union([z.literal('all'), z.object({ organizations: z.array(z.string()), groups: z.array(z.string()) })]),
});

export const MeResponse = z.object({
  id: z.string(),
  email: z.string(),
  createdAt: z.string(),
  mfa: z.object({ totp: z.boolean(), recoveryCodesRemaining: z.number().check(z.int()) }),
  memberships: z.array(Membership),
});

/** The public signing keys: EC P-256 ones (`alg` ES256: `crv`, `x`, `y`) and RSA-2048 ones (`alg` RS256: `n`, `e`). */
export const Jwks = z.object({
  keys: z.array(
    z.object({
      kty: z.enum(['EC', 'RSA']),
      kid: z.string(),
      alg: z.enum(['ES256', 'RS256']),
      use: z.literal('sig'),
      crv: z.optional(z.string()),
      x: z.optional(z.string()),
      y: z.optional(z.string()),
      n: z.optional(z.string()),
      e: z.optional(z.string()),
    }),
  ),
});

/** `POST /v2/me/password`: the current password (checked like a login) and the new one. */
export const ChangePasswordBody = body({ currentPassword: AnyPassword, newPassword: NewPassword });

/** `POST /v2/auth/password/forgot`: the address a link goes to, if it is an operator's. */
export const ForgotPasswordBody = body({ email: Email });

/** Reset tokens are opaque; the length bound only keeps garbage out of the hash. */
const ResetToken = z.string({ error: 'must be a string' }).check(z.minLength(1, { error: 'must not be empty' }), z.maxLength(200, { error: 'must be at most 200 characters' }));

/** `POST /v2/auth/password/reset`: the e-mailed link's token and the new password. */
export const ResetPasswordBody = body({ token: ResetToken, newPassword: NewPassword });
// ---- Sessions (refresh families) ---------------------------------------------------------------

export const SessionParams = z.object({ sessionId: ResourceId });

/** A session as its person sees it: never a token or a hash, never the full source address. */
export const Session = z.object({
  id: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  userAgent: z.nullable(z.string()),
  ipPrefix: z.nullable(z.string()),
  amr: z.array(z.string()),
  current: z.boolean(),
});

export const SessionList = z.object({ items: z.array(Session) });
