/** A pending `verify-email` sign-up, by the SHA-256 of its token: key, item written, item read (validated). */
import * as z from '#shared/schemas/zod.ts';
import { pendingSignupKey, type ItemKey } from '../../data/keys.ts';
import type { PendingSignup } from '../../domain/sessions/signup.ts';
import { parseItem } from '../dynamodb.ts';

export { pendingSignupKey };

export const PENDING_SIGNUP_ENTITY = 'PendingSignup';

const PendingSignupItem = z.object({
  tokenHash: z.string(),
  email: z.string(),
  accountName: z.string(),
  passwordHash: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
});

/** The pending sign-up, removed by TTL at `ttl` (epoch seconds) if nobody verifies it. */
export function toPendingSignupItem(pending: PendingSignup, ttl: number): Record<string, unknown> & ItemKey {
  return { ...pendingSignupKey(pending.tokenHash), entity: PENDING_SIGNUP_ENTITY, ...pending, ttl };
}

export function fromPendingSignupItem(item: Record<string, unknown>): PendingSignup {
  return parseItem(PENDING_SIGNUP_ENTITY, PendingSignupItem, item);
}
