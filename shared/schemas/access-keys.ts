import { pageQuery } from '../http/pagination.ts';
import { body } from './common.ts';
import * as z from './zod.ts';

/** Ids as the API hands them out (`acc_…`, `org_…`): bounded, URL-safe, nothing else. */
export const OpaqueId = z.string({ error: 'must be a string' }).check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be an id' }));

export const KeyPermission = z.enum(['authenticate', 'manage'], { error: 'must be "authenticate" or "manage"' });

/** `"all"` or a non-empty list of distinct organization ids (each checked against the account in the domain). */
export const KeyOrganizations = z.union(
  [
    z.literal('all'),
    z
      .array(OpaqueId, { error: 'must be "all" or a list of organization ids' })
      .check(
        z.minLength(1, { error: 'must name at least one organization (or be "all")' }),
        z.maxLength(100, { error: 'must name at most 100 organizations' }),
        z.refine((ids: string[]) => new Set(ids).size === ids.length, { error: 'must not repeat an organization' }),
      ),
  ],
  { error: 'must be "all" or a list of organization ids' },
);

export const CreateKeyBody = body({
  name: z
    .string({ error: 'must be a string' })
    .check(z.trim(), z.minLength(1, { error: 'must not be empty' }), z.maxLength(100, { error: 'must be at most 100 characters' })),
  permissions: z
    .array(KeyPermission, { error: 'must be a list of permissions' })
    .check(
      z.minLength(1, { error: 'must grant at least one permission' }),
      z.refine((permissions: string[]) => new Set(permissions).size === permissions.length, { error: 'must not repeat a permission' }),
    ),
  organizations: KeyOrganizations,
});

export const KeysParams = z.object({ accountId: OpaqueId });

/** Key ids are the 16 hex digits embedded in the key itself. */
export const KeyParams = z.object({ accountId: OpaqueId, keyId: z.string().check(z.regex(/^[0-9a-f]{16}$/, { error: 'must be a key id' })) });

export const ListKeysQuery = z.object({ ...pageQuery });

/** An access key as the API shows it: never the secret nor its hash. */
export const ApiKeyResource = z.object({
  id: z.string(),
  name: z.string(),
  permissions: z.array(KeyPermission),
  organizations: z.union([z.literal('all'), z.array(z.string())]),
  createdAt: z.string(),
  createdBy: z.string(),
  lastUsedAt: z.nullable(z.string()),
  revokedAt: z.nullable(z.string()),
});

/** The create answer: the resource plus `key`, the secret, shown this once. */
export const CreatedApiKey = z.extend(ApiKeyResource, { key: z.string() });

export const ApiKeyList = z.object({ items: z.array(ApiKeyResource), nextCursor: z.nullable(z.string()) });
