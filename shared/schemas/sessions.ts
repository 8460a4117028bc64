import * as z from 'zod';
import { AnyPassword, Email, NewPassword, body } from './common.ts';

export const SignupBody = body({
  email: Email,
  password: NewPassword,
  accountName: z.string().trim().min(1, { error: 'must not be empty' }).max(100),
});

export const LoginBody = body({ email: Email, password: AnyPassword });

/** Refresh tokens are opaque; the length bound only keeps garbage out of the hash. */
const RefreshToken = z.string().min(1).max(200);
export const RefreshBody = body({ refreshToken: RefreshToken });
export const LogoutBody = body({ refreshToken: RefreshToken });

export const TokenPair = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int(),
});

export const SignupResponse = TokenPair.extend({ accountId: z.string(), userId: z.string() });

export const Membership = z.object({
  accountId: z.string(),
  accountName: z.string().nullable(),
  role: z.enum(['owner', 'manager', 'viewer']),
  scope: z.union([z.literal('all'), z.object({ organizations: z.array(z.string()), groups: z.array(z.string()) })]),
});

export const MeResponse = z.object({
  id: z.string(),
  email: z.string(),
  createdAt: z.string(),
  mfa: z.object({ totp: z.boolean(), recoveryCodesRemaining: z.number().int() }),
  memberships: z.array(Membership),
});

export const Jwks = z.object({
  keys: z.array(z.object({ kty: z.string(), crv: z.string(), x: z.string(), y: z.string(), kid: z.string(), alg: z.string(), use: z.string() })),
});
