/**
 * Schemas of the account profile, organizations and groups: request validation and, through the
 * manifest, the OpenAPI document.
 */
import * as z from 'zod';
import { pageQuery } from '../http/pagination.ts';
import { ISO_COUNTRIES } from '../domain/kernel/countries.ts';
import { DEFAULT_SMS_DAILY_LIMIT } from '../domain/tenancy/organizations.ts';
import { Email, body } from './common.ts';

/** Opaque ids as they appear in paths and bodies; anything else is a 400 naming the field. */
export const ResourceId = z
  .string({ error: 'must be a string' })
  .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'is not a valid id' });

const Name = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(100, { error: 'must be at most 100 characters' });

/** Lists report each duplicate by its index (`body.organizations.3: is listed twice`). */
const uniqueItems = (values: string[], context: z.RefinementCtx) => {
  const seen = new Set<string>();
  values.forEach((value, index) => {
    if (seen.has(value)) context.addIssue({ code: 'custom', path: [index], message: 'is listed twice' });
    seen.add(value);
  });
};

// ---- Accounts --------------------------------------------------------------------------------

export const AccountParams = z.object({ accountId: ResourceId });

export const BillingContact = z.strictObject({
  name: Name.optional(),
  email: Email,
});

export const UpdateAccountBody = body({
  name: Name.optional(),
  /** `null` clears it. Owner only (`account:billing`). */
  billingContact: BillingContact.nullable().optional(),
  settings: z.strictObject({ requireMfa: z.boolean({ error: 'must be a boolean' }).optional() }).optional(),
});

export const AccountResponse = z.object({
  id: z.string(),
  name: z.string(),
  /** Present for owners only. */
  billingContact: z.object({ name: z.string().optional(), email: z.string() }).nullable().optional(),
  settings: z.object({ requireMfa: z.boolean() }),
  createdAt: z.string(),
  updatedAt: z.string(),
});

// ---- Organizations ---------------------------------------------------------------------------

export const COUNTRY_CODE_COUNT = ISO_COUNTRIES.size;

const CountryCode = z
  .string({ error: 'must be a string' })
  .refine((code) => ISO_COUNTRIES.has(code), { error: 'must be an ISO 3166-1 alpha-2 country code in upper case' });


const settingFields = {
  requireMfa: z.boolean({ error: 'must be a boolean' }),
  smsDailyLimit: z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(0, { error: 'must be at least 0' })
    .max(1_000_000, { error: 'must be at most 1000000' }),
  smsAllowedCountries: z
    .array(CountryCode, { error: 'must be an array' })
    .max(250, { error: 'must have at most 250 entries' })
    .superRefine(uniqueItems),
};

/**
 * The deployment's limits apply on top (shared/domain/tenancy/organizations.ts): `smsDailyLimit` at most the
 * per-account cap, `smsAllowedCountries` among the deployment's countries. They are the deployment's
 * settings, not the document's, so the domain checks them (400 naming the field).
 */
const DEPLOYMENT_BOUNDS =
  "Within the deployment's limits: smsDailyLimit at most its daily SMS cap per account (SMS_ACCOUNT_DAILY_LIMIT, 1,000 by default), " +
  "smsAllowedCountries among its SMS countries (an empty list means the deployment's list, never every country); beyond them, 400 naming the field.";

/** On create: every field optional, defaults filled in (`smsDailyLimit` by the domain: it depends on the deployment). */
const NewOrganizationSettings = z
  .strictObject({
    requireMfa: settingFields.requireMfa.default(false),
    smsDailyLimit: settingFields.smsDailyLimit
      .optional()
      .describe(`SMS per UTC day. Default ${String(DEFAULT_SMS_DAILY_LIMIT)}, or the deployment's per-account cap when that is lower.`),
    smsAllowedCountries: settingFields.smsAllowedCountries.default([]),
  })
  .describe(DEPLOYMENT_BOUNDS);

/** On update: only what is sent changes. */
const OrganizationSettingsPatch = z
  .strictObject({
    requireMfa: settingFields.requireMfa.optional(),
    smsDailyLimit: settingFields.smsDailyLimit.optional(),
    smsAllowedCountries: settingFields.smsAllowedCountries.optional(),
  })
  .describe(DEPLOYMENT_BOUNDS);

export const CreateOrganizationBody = body({
  name: Name,
  settings: NewOrganizationSettings.default({ requireMfa: false, smsAllowedCountries: [] }),
});

export const UpdateOrganizationBody = body({
  name: Name.optional(),
  settings: OrganizationSettingsPatch.optional(),
});

export const OrganizationParams = z.object({ orgId: ResourceId });

export const ListQuery = z.object(pageQuery);

export const OrganizationResponse = z.object({
  id: z.string(),
  accountId: z.string(),
  name: z.string(),
  settings: z.object({ requireMfa: z.boolean(), smsDailyLimit: z.number().int(), smsAllowedCountries: z.array(z.string()) }),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const OrganizationList = z.object({ items: z.array(OrganizationResponse), nextCursor: z.string().nullable() });

// ---- Groups ----------------------------------------------------------------------------------

/**
 * A group's organizations. 98 = what fits in one DynamoDB transaction (100 items) beside the group
 * itself and its audit event, so every listed organization is checked in the same commit.
 */
export const MAX_GROUP_ORGANIZATIONS = 98;

const GroupOrganizations = z
  .array(ResourceId, { error: 'must be an array' })
  .max(MAX_GROUP_ORGANIZATIONS, { error: `must have at most ${MAX_GROUP_ORGANIZATIONS} entries` })
  .superRefine(uniqueItems);

export const CreateGroupBody = body({ name: Name, organizations: GroupOrganizations.default([]) });

export const UpdateGroupBody = body({ name: Name.optional(), organizations: GroupOrganizations.optional() });

export const GroupParams = z.object({ accountId: ResourceId, groupId: ResourceId });

export const GroupResponse = z.object({
  id: z.string(),
  accountId: z.string(),
  name: z.string(),
  organizations: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const GroupList = z.object({ items: z.array(GroupResponse), nextCursor: z.string().nullable() });
