/** The failed-login counter of one operator email: key, item written, item read (validated). */
import * as z from '#shared/schemas/zod.ts';
import { loginThrottleKey, type ItemKey } from '../../data/keys.ts';
import type { LoginAttempts } from '../../domain/sessions/login-throttle-store.ts';
import { parseItem } from '../dynamodb.ts';

export { loginThrottleKey };

/** The `entity` attribute, also set by the append (an Update that may create the item). */
export const LOGIN_THROTTLE_ENTITY = 'LoginThrottle';

const LoginThrottleItem = z.object({ attempts: z.array(z.number()), version: z.number() });

/** The attempts at `version`, removed by TTL at `ttl` (epoch seconds). */
export function toLoginThrottleItem(email: string, attempts: LoginAttempts, ttl: number): Record<string, unknown> & ItemKey {
  return { ...loginThrottleKey(email), entity: LOGIN_THROTTLE_ENTITY, attempts: attempts.attempts, version: attempts.version, ttl };
}

export function fromLoginThrottleItem(item: Record<string, unknown>): LoginAttempts {
  return parseItem(LOGIN_THROTTLE_ENTITY, LoginThrottleItem, item);
}
