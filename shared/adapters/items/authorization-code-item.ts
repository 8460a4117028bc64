/** An authorization code: its key (by the code's SHA-256), the item written, the item read (validated). */
import * as z from '#shared/schemas/zod.ts';
import { authorizationCodeKey, type ItemKey } from '../../data/keys.ts';
import type { StoredAuthorizationCode } from '../../domain/oidc/authorization-codes.ts';
import { parseItem } from '../dynamodb.ts';

export { authorizationCodeKey };

export const AUTHORIZATION_CODE_ENTITY = 'AuthorizationCode';

const AuthorizationCodeItem = z.object({
  grant: z.object({
    organizationId: z.string(),
    accountId: z.string(),
    clientId: z.string(),
    redirectUri: z.string(),
    codeChallenge: z.string(),
    scope: z.array(z.string()),
    nonce: z.nullable(z.string()),
    userId: z.string(),
    email: z.string(),
    phone: z.string(),
    amr: z.array(z.string()),
    authTime: z.int(),
  }),
  expiresAt: z.int(),
});

export function toAuthorizationCodeItem(codeHash: string, code: StoredAuthorizationCode): Record<string, unknown> & ItemKey {
  // TTL (seconds) only cleans up: expiry is checked on redeem.
  return { ...authorizationCodeKey(codeHash), entity: AUTHORIZATION_CODE_ENTITY, ...code, ttl: Math.ceil(code.expiresAt / 1000) };
}

export function fromAuthorizationCodeItem(item: Record<string, unknown>): StoredAuthorizationCode {
  return parseItem(AUTHORIZATION_CODE_ENTITY, AuthorizationCodeItem, item);
}
