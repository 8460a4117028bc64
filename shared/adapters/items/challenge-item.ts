/**
 * The Challenge item: keyed by `challengeKey`, the challenge's attributes as they are, and a TTL an
 * hour past its expiry (DynamoDB TTL only cleans up: expiry is checked on every read and in every
 * condition, in ms). Written by challenge-repository.ts, read by sign-in-reads.ts.
 */
import * as z from '#shared/schemas/zod.ts';
import { challengeKey, type ItemKey } from '../../data/keys.ts';
import type { Challenge } from '../../domain/sign-in/model.ts';
import { FACTORS } from '../../domain/sign-in/policy.ts';
import { parseItem } from '../dynamodb.ts';

export const ENTITY = 'Challenge';

/** Challenges are read only while live; DynamoDB TTL removes them an hour after they expire. */
export const CLEANUP_AFTER_SECONDS = 3600;

/** The TTL (epoch seconds) of a challenge that expires at `expiresAtMs`. */
export const ttlOf = (expiresAtMs: number): number => Math.floor(expiresAtMs / 1000) + CLEANUP_AFTER_SECONDS;

export const key = (challengeId: string): ItemKey => challengeKey(challengeId);

const Factor = z.enum(FACTORS);

const ChallengeItem = z.object({
  id: z.string(),
  organizationId: z.string(),
  accountId: z.string(),
  systemName: z.string(),
  userId: z.string(),
  decoy: z.optional(z.literal(true)),
  chain: z.array(Factor),
  step: z.int().check(z.nonnegative()),
  status: z.enum(['open', 'consumed', 'void']),
  secretHash: z.nullable(z.string()),
  passkeyChallenge: z.optional(z.nullable(z.string())),
  attempts: z.int(),
  maxAttempts: z.int(),
  expiresAt: z.number(),
  satisfied: z.array(z.enum([...FACTORS, 'recoveryCode', 'passkeyUserVerified'])),
  createdAt: z.string(),
}) satisfies z.ZodMiniType<Challenge>;

export function toItem(challenge: Challenge): Record<string, unknown> {
  return { ...key(challenge.id), entity: ENTITY, ...challenge, ttl: ttlOf(challenge.expiresAt) };
}

/** The challenge of a stored item, without its key and bookkeeping attributes (`ttl`, `exhaustedNotice`). */
export function fromItem(item: Record<string, unknown>): Challenge {
  return parseItem(ENTITY, ChallengeItem, item);
}
