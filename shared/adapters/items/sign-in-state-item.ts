/**
 * The SignInState item of one (organization, end user, system), keyed by `signInStateKey`: the
 * live `challengeId`, the user's attempt `window` (slot id → epoch ms), its `version` and a
 * `lockNotice`. Only ever written by update expressions (challenge-repository.ts), never put whole;
 * read by sign-in-reads.ts.
 */
import * as z from '#shared/schemas/zod.ts';
import { signInStateKey, type ItemKey } from '../../data/keys.ts';
import type { SignInState } from '../../domain/sign-in/model.ts';
import { parseItem } from '../dynamodb.ts';

export const ENTITY = 'SignInState';

// The sign-in state outlives its challenges: it carries the 15-minute failure window.
const RETENTION_SECONDS = 24 * 3600;

/** The TTL (epoch seconds) a write of the state sets: a day from now. */
export const ttlFromNow = (): number => Math.floor(Date.now() / 1000) + RETENTION_SECONDS;

export const key = (orgId: string, userId: string, systemName: string): ItemKey => signInStateKey(orgId, userId, systemName);

const SignInStateItem = z.object({
  challengeId: z.optional(z.string()),
  window: z.optional(z.record(z.string(), z.number())),
  version: z.optional(z.int()),
});

/** The sign-in state of a stored item; a missing attribute reads as its empty value. */
export function fromItem(item: Record<string, unknown>): SignInState {
  const state = parseItem(ENTITY, SignInStateItem, item);
  return { challengeId: state.challengeId ?? null, window: state.window ?? {}, version: state.version ?? 0 };
}
