/** A login transaction of the hosted login: its key (by id), the item written, the item read (validated). */
import * as z from '#shared/schemas/zod.ts';
import { loginTransactionKey, type ItemKey } from '../../data/keys.ts';
import type { LoginTransaction } from '../../domain/oidc/login-transactions.ts';
import { FACTORS } from '../../domain/sign-in/policy.ts';
import { parseItem } from '../dynamodb.ts';

export { loginTransactionKey };

export const LOGIN_TRANSACTION_ENTITY = 'LoginTransaction';

/**
 * A passkey step's request options, stored as the JSON text the engine's options make (a map would
 * carry the library's `undefined` fields into the marshaller); read back with the fields the engine
 * sets (no `hints` or `extensions`).
 */
const PasskeyOptions = z.object({
  challenge: z.string(),
  timeout: z.optional(z.number()),
  rpId: z.optional(z.string()),
  allowCredentials: z.optional(z.array(z.object({ id: z.string(), type: z.string(), transports: z.optional(z.array(z.string())) }))),
  userVerification: z.optional(z.enum(['discouraged', 'preferred', 'required'])),
});
const PasskeyOptionsText = z.pipe(
  z.string(),
  z.transform((text, context) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      context.issues.push({ code: 'custom', message: 'is not JSON', input: text });
      return z.NEVER;
    }
  }),
);

const LoginTransactionItem = z.object({
  id: z.string(),
  organizationId: z.string(),
  accountId: z.string(),
  organizationName: z.string(),
  request: z.object({
    clientId: z.string(),
    redirectUri: z.string(),
    codeChallenge: z.string(),
    scope: z.array(z.string()),
    state: z.nullable(z.string()),
    nonce: z.nullable(z.string()),
    loginHint: z.nullable(z.string()),
  }),
  browserHash: z.string(),
  formTokenHash: z.string(),
  phase: z.enum(['email', 'factor', 'authenticated', 'spent']),
  email: z.nullable(z.string()),
  challengeId: z.nullable(z.string()),
  factor: z.nullable(z.enum(FACTORS)),
  deliveredTo: z.nullable(z.string()),
  // Absent from the items written before passkeys.
  passkeyOptions: z.pipe(z.nullish(z.pipe(PasskeyOptionsText, PasskeyOptions)), z.transform((options) => options ?? null)),
  signedIn: z.nullable(
    z.object({ userId: z.string(), email: z.string(), phone: z.string(), amr: z.array(z.string()), authTime: z.int() }),
  ),
  requestedFrom: z.nullable(z.object({ ip: z.string(), userAgent: z.string(), at: z.string() })),
  expiresAt: z.int(),
  createdAt: z.string(),
});

export function toLoginTransactionItem(transaction: LoginTransaction): Record<string, unknown> & ItemKey {
  // TTL (seconds) only cleans up: expiry is checked on read.
  const passkeyOptions = transaction.passkeyOptions === null ? null : JSON.stringify(transaction.passkeyOptions);
  return { ...loginTransactionKey(transaction.id), entity: LOGIN_TRANSACTION_ENTITY, ...transaction, passkeyOptions, ttl: Math.ceil(transaction.expiresAt / 1000) };
}

export function fromLoginTransactionItem(item: Record<string, unknown>): LoginTransaction {
  return parseItem(LOGIN_TRANSACTION_ENTITY, LoginTransactionItem, item);
}
