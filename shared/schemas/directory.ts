/**
 * Schemas of the sign-in directory (systems, end users, access grants): request validation and,
 * through the manifest, the OpenAPI document.
 */
import { looksLikeInternationalPhone, PHONE_FORMAT_MESSAGE } from '../domain/kernel/phone-format.ts';
import * as z from 'zod';
import { pageQuery } from '../http/pagination.ts';
import { FACTORS, PasswordlessUrl, PolicySchema } from '../domain/sign-in/policy.ts';
import { body } from './common.ts';
import { ResourceId } from './organizations.ts';

/** A system name becomes the token's `aud`: letters, digits, `.`, `_`, `-`; case-sensitive. */
export const SystemName = z
  .string({ error: 'must be a string' })
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/, { error: 'must start with a letter or digit and use only letters, digits, ".", "_" and "-"' })
  .max(64, { error: 'must be at most 64 characters' });

/** End-user emails are stored as given and compared case-insensitively (through a guard item). */
export const EndUserEmail = z
  .string({ error: 'must be a string' })
  .trim()
  .max(254, { error: 'must be at most 254 characters' })
  .pipe(z.email({ error: 'must be a valid email address' }));

/**
 * A mobile number in international form (`+` and the country code; spaces, dashes and brackets are
 * tolerated). The schema checks the shape; the directory then checks it is a valid mobile number by
 * libphonenumber's mobile metadata and stores it as E.164, answering a 400 naming `body.phone` too
 * (shared/domain/kernel/phone-format.ts says why the check is split, phone-numbers.ts why mobile only).
 */
export const Phone = z
  .string({ error: 'must be a string' })
  .max(32, { error: 'must be at most 32 characters' })
  .refine(looksLikeInternationalPhone, { error: PHONE_FORMAT_MESSAGE })
  .transform((value) => value.trim());

const EndUserName = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(200, { error: 'must be at most 200 characters' });

const Status = z.enum(['active', 'disabled'], { error: 'must be active or disabled' });

// ---- Systems ---------------------------------------------------------------------------------

export const SystemsParams = z.object({ orgId: ResourceId });
export const SystemParams = z.object({ orgId: ResourceId, systemName: SystemName });

export const CreateSystemBody = body({
  name: SystemName,
  policy: PolicySchema,
  /** Required when the policy uses `passwordless`. */
  passwordlessUrl: PasswordlessUrl.nullable().optional(),
});

/** `policy` replaces the whole policy; `passwordlessUrl: null` removes the URL. The name is immutable. */
export const UpdateSystemBody = body({
  policy: PolicySchema.optional(),
  passwordlessUrl: PasswordlessUrl.nullable().optional(),
});

const FactorOut = z.enum(FACTORS);

export const PolicyResponse = z.object({
  factors: z.array(FactorOut),
  rules: z.array(
    z.object({
      if: z.object({ sensitivity: z.array(z.string()).optional(), ipCidr: z.array(z.string()).optional(), resource: z.array(z.string()).optional() }),
      factors: z.array(FactorOut),
    }),
  ),
  pin: z.object({ length: z.number().int(), ttlSeconds: z.number().int(), maxAttempts: z.number().int() }),
  passwordless: z.object({ ttlSeconds: z.number().int() }),
  tokenTtlSeconds: z.number().int(),
});

export const SystemResponse = z.object({
  name: z.string(),
  policy: PolicyResponse,
  passwordlessUrl: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const SystemList = z.object({ items: z.array(SystemResponse), nextCursor: z.string().nullable() });

export const ListSystemsQuery = z.object(pageQuery);

// ---- End users -------------------------------------------------------------------------------

export const EndUsersParams = z.object({ orgId: ResourceId });
export const EndUserParams = z.object({ orgId: ResourceId, userId: ResourceId });

export const CreateEndUserBody = body({
  email: EndUserEmail,
  phone: Phone,
  name: EndUserName.nullable().optional(),
});

export const UpdateEndUserBody = body({
  email: EndUserEmail.optional(),
  phone: Phone.optional(),
  /** `null` clears it. */
  name: EndUserName.nullable().optional(),
  status: Status.optional(),
});

export const ListEndUsersQuery = z.object({
  /** Exact, case-insensitive lookup: a list of zero or one user. */
  email: EndUserEmail.optional(),
  ...pageQuery,
});

export const EndUserResponse = z.object({
  id: z.string(),
  email: z.string(),
  phone: z.string(),
  name: z.string().nullable(),
  status: Status,
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const EndUserList = z.object({ items: z.array(EndUserResponse), nextCursor: z.string().nullable() });

// ---- Access grants ---------------------------------------------------------------------------

export const AccessParams = z.object({ orgId: ResourceId, systemName: SystemName, userId: ResourceId });

export const AccessGrantResponse = z.object({ systemName: z.string(), userId: z.string(), createdAt: z.string() });

export const AccessList = z.object({
  items: z.array(AccessGrantResponse.extend({ email: z.string() })),
  nextCursor: z.string().nullable(),
});

export const ListAccessQuery = z.object(pageQuery);
