/** A system of an organization's directory: its key, the item written, the item read (validated). */
import * as z from '#shared/schemas/zod.ts';
import { SYSTEM_SK_PREFIX, systemKey, type ItemKey } from '../../data/keys.ts';
import { FACTORS } from '../../domain/sign-in/policy.ts';
import { TOKEN_SIGNING_ALGS, type SignInSystem } from '../../domain/sign-in/model.ts';
import { parseItem } from '../dynamodb.ts';

export { systemKey };

/** The partition and sort-key prefix of an organization's systems (name order). */
export const systemsOfOrganization = (organizationId: string) => ({ pk: systemKey(organizationId, '').pk, prefix: SYSTEM_SK_PREFIX });

const Factor = z.enum(FACTORS);

/**
 * A stored policy as the challenge engine reads it. Loose objects: attributes the engine does not read
 * pass through unchanged, as they did before items were validated.
 */
const StoredPolicy = z.looseObject({
  factors: z.array(Factor),
  rules: z.array(
    z.looseObject({
      if: z.looseObject({ sensitivity: z.optional(z.array(z.string())), ipCidr: z.optional(z.array(z.string())), resource: z.optional(z.array(z.string())) }),
      factors: z.array(Factor),
    }),
  ),
  pin: z.looseObject({ length: z.number(), ttlSeconds: z.number(), maxAttempts: z.number() }),
  passwordless: z.looseObject({ ttlSeconds: z.number() }),
  tokenTtlSeconds: z.number(),
});

const SystemFields = z.object({
  organizationId: z.string(),
  name: z.string(),
  policy: StoredPolicy,
  passwordlessUrl: z.pipe(z.nullish(z.string()), z.transform((url) => url ?? null)),
  // Systems stored before OAuth clients (SPEC §9) read as public ES256 clients with no redirect URI.
  redirectUris: z._default(z.array(z.string()), []),
  tokenSigningAlg: z._default(z.enum(TOKEN_SIGNING_ALGS), 'ES256'),
  clientSecretHash: z.pipe(z.nullish(z.string()), z.transform((hash) => hash ?? null)),
  // Systems stored before end users' passkeys (SPEC §11) have none.
  webauthn: z.pipe(z.nullish(z.object({ rpId: z.string(), origins: z.array(z.string()) })), z.transform((config) => config ?? null)),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const SystemItem = z.extend(SystemFields, {
  /** Optimistic concurrency of PATCH. */
  version: z.number(),
  /** New for every system created under a name: a grant counts only for the incarnation it names. */
  incarnation: z.string(),
  /** Bumped by every grant to the system: a delete is conditional on the one it read. */
  grantVersion: z.optional(z.number()),
});

/** A system as read from its item, with the attributes its writes are conditional on. */
export interface StoredSystemItem {
  system: SignInSystem;
  version: number;
  incarnation: string;
  grantVersion: number | undefined;
}

/** The item of a new system (version 1, its own incarnation). */
export function toSystemItem(system: SignInSystem, incarnation: string): Record<string, unknown> & ItemKey {
  return { ...systemKey(system.organizationId, system.name), entity: 'System', ...system, version: 1, incarnation };
}

export function fromSystemItem(item: Record<string, unknown>): StoredSystemItem {
  const { version, incarnation, grantVersion, ...system } = parseItem('System', SystemItem, item);
  return { system, version, incarnation, grantVersion };
}

/** Just the system (the sign-in reads). */
export function toSystem(item: Record<string, unknown>): SignInSystem {
  return parseItem('System', SystemFields, item);
}
