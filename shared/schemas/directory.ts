/**
 * Schemas of the sign-in directory (systems, end users, access grants): request validation and,
 * through the manifest, the OpenAPI document.
 */
import { looksLikeInternationalPhone, PHONE_FORMAT_MESSAGE } from '../domain/kernel/phone-format.ts';
import { pageQuery } from '../http/pagination.ts';
import { FACTORS } from '../domain/sign-in/policy.ts';
import { body, EndUserEmail, ResourceId, SystemName } from './common.ts';
import { PasswordlessUrl, PolicySchema } from './policy.ts';
import * as z from './zod.ts';

export { EndUserEmail, SystemName } from './common.ts';

/**
 * A mobile number in international form (`+` and the country code; spaces, dashes and brackets are
 * tolerated). The schema checks the shape; the directory then checks it is a valid mobile number by
 * libphonenumber's mobile metadata and stores it as E.164, answering a 400 naming `body.phone` too
 * (shared/domain/kernel/phone-format.ts says why the check is split, phone-numbers.ts why mobile only).
 */
export const Phone = z.pipe(
  z
    .string({ error: 'must be a string' })
    .check(z.maxLength(32, { error: 'must be at most 32 characters' }), z.refine(looksLikeInternationalPhone, { error: PHONE_FORMAT_MESSAGE })),
  z.transform((value: string) => value.trim()),
);

const EndUserName = z
  .string({ error: 'must be a string' })
  .check(z.trim(), z.minLength(1, { error: 'must not be empty' }), z.maxLength(200, { error: 'must be at most 200 characters' }));

const Status = z.enum(['active', 'disabled'], { error: 'must be active or disabled' });

// ---- Systems ---------------------------------------------------------------------------------

export const SystemsParams = z.object({ orgId: ResourceId });
export const SystemParams = z.object({ orgId: ResourceId, systemName: SystemName });

export const CreateSystemBody = body({
  name: SystemName,
  policy: PolicySchema,
  /** Required when the policy uses `passwordless`. */
  passwordlessUrl: z.optional(z.nullable(PasswordlessUrl)),
});

/** `policy` replaces the whole policy; `passwordlessUrl: null` removes the URL. The name is immutable. */
export const UpdateSystemBody = body({
  policy: z.optional(PolicySchema),
  passwordlessUrl: z.optional(z.nullable(PasswordlessUrl)),
});

const FactorOut = z.enum(FACTORS);

const int = () => z.number().check(z.int());

export const PolicyResponse = z.object({
  factors: z.array(FactorOut),
  rules: z.array(
    z.object({
      if: z.object({ sensitivity: z.optional(z.array(z.string())), ipCidr: z.optional(z.array(z.string())), resource: z.optional(z.array(z.string())) }),
      factors: z.array(FactorOut),
    }),
  ),
  pin: z.object({ length: int(), ttlSeconds: int(), maxAttempts: int() }),
  passwordless: z.object({ ttlSeconds: int() }),
  tokenTtlSeconds: int(),
});

export const SystemResponse = z.object({
  name: z.string(),
  policy: PolicyResponse,
  passwordlessUrl: z.nullable(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const SystemList = z.object({ items: z.array(SystemResponse), nextCursor: z.nullable(z.string()) });

export const ListSystemsQuery = z.object(pageQuery);

// ---- End users -------------------------------------------------------------------------------

export const EndUsersParams = z.object({ orgId: ResourceId });
export const EndUserParams = z.object({ orgId: ResourceId, userId: ResourceId });

export const CreateEndUserBody = body({
  email: EndUserEmail,
  phone: Phone,
  name: z.optional(z.nullable(EndUserName)),
});

export const UpdateEndUserBody = body({
  email: z.optional(EndUserEmail),
  phone: z.optional(Phone),
  /** `null` clears it. */
  name: z.optional(z.nullable(EndUserName)),
  status: z.optional(Status),
});

export const ListEndUsersQuery = z.object({
  /** Exact, case-insensitive lookup: a list of zero or one user. */
  email: z.optional(EndUserEmail),
  ...pageQuery,
});

export const EndUserResponse = z.object({
  id: z.string(),
  email: z.string(),
  phone: z.string(),
  name: z.nullable(z.string()),
  status: Status,
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const EndUserList = z.object({ items: z.array(EndUserResponse), nextCursor: z.nullable(z.string()) });

// ---- Access grants ---------------------------------------------------------------------------

export const AccessParams = z.object({ orgId: ResourceId, systemName: SystemName, userId: ResourceId });

export const AccessGrantResponse = z.object({ systemName: z.string(), userId: z.string(), createdAt: z.string() });

export const AccessList = z.object({
  items: z.array(z.extend(AccessGrantResponse, { email: z.string() })),
  nextCursor: z.nullable(z.string()),
});

export const ListAccessQuery = z.object(pageQuery);
