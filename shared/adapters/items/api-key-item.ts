/** An access key: key (by id), GSI1 under its account, item written, item read (validated). */
import * as z from '#shared/schemas/zod.ts';
import { apiKeyByAccountGsi, apiKeyKey, apiKeysOfAccountPartition, type ItemKey } from '../../data/keys.ts';
import type { ApiKey } from '../../domain/kernel/model.ts';
import type { StoredApiKey } from '../../domain/tenancy/access-key-verifier.ts';
import { parseItem } from '../dynamodb.ts';

export { apiKeyKey, apiKeysOfAccountPartition };

const ApiKeyFields = z.object({
  id: z.string(),
  accountId: z.string(),
  name: z.string(),
  permissions: z.array(z.enum(['authenticate', 'manage'])),
  organizations: z.union([z.literal('all'), z.array(z.string())]),
  createdAt: z.string(),
  createdBy: z.string(),
  revokedAt: z.pipe(z.nullish(z.string()), z.transform((at) => at ?? null)),
  lastUsedAt: z.pipe(z.nullish(z.string()), z.transform((at) => at ?? null)),
});
const ApiKeyItem = z.extend(ApiKeyFields, { secretHash: z.string() });

/** The stored key: the hash of its secret, never the secret; `revokedAt`/`lastUsedAt` only once set. */
export function toApiKeyItem(key: StoredApiKey): Record<string, unknown> & ItemKey {
  return {
    ...apiKeyKey(key.id),
    ...apiKeyByAccountGsi(key.accountId, key.createdAt, key.id),
    entity: 'ApiKey',
    id: key.id,
    accountId: key.accountId,
    name: key.name,
    permissions: key.permissions,
    organizations: key.organizations,
    createdAt: key.createdAt,
    createdBy: key.createdBy,
    secretHash: key.secretHash,
    ...(key.revokedAt ? { revokedAt: key.revokedAt } : {}),
    ...(key.lastUsedAt ? { lastUsedAt: key.lastUsedAt } : {}),
  };
}

/** The key with the hash of its secret (the authorizer compares it). */
export function fromApiKeyItem(item: Record<string, unknown>): StoredApiKey {
  return parseItem('ApiKey', ApiKeyItem, item);
}

/** The public form of a stored key: never the secret hash. */
export function toApiKey(item: Record<string, unknown>): ApiKey {
  return parseItem('ApiKey', ApiKeyFields, item);
}
