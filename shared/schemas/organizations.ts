/**
 * Schemas of the account profile, organizations and groups: request validation and, through the
 * manifest, the OpenAPI document.
 */
import { pageQuery } from '../http/pagination.ts';
import { ISO_COUNTRIES } from '../domain/kernel/countries.ts';
import { DEFAULT_EMAIL_DAILY_LIMIT, DEFAULT_SMS_DAILY_LIMIT } from '../domain/tenancy/organizations.ts';
import { Email, ResourceId, body, described, uniqueItems } from './common.ts';
import * as z from './zod.ts';

export { ResourceId } from './common.ts';


const Name = z
  .string({ error: 'must be a string' })
  .check(z.trim(), z.minLength(1, { error: 'must not be empty' }), z.maxLength(100, { error: 'must be at most 100 characters' }));

// ---- Accounts --------------------------------------------------------------------------------

export const AccountParams = z.object({ accountId: ResourceId });

export const BillingContact = z.strictObject({
  name: z.optional(Name),
  email: Email,
});

export const UpdateAccountBody = body({
  name: z.optional(Name),
  /** `null` clears it. Owner only (`account:billing`). */
  billingContact: z.optional(z.nullable(BillingContact)),
  settings: z.optional(z.strictObject({ requireMfa: z.optional(z.boolean({ error: 'must be a boolean' })) })),
});

export const AccountResponse = z.object({
  id: z.string(),
  name: z.string(),
  /** Present for owners only. */
  billingContact: z.optional(z.nullable(z.object({ name: z.optional(z.string()), email: z.string() }))),
  settings: z.object({ requireMfa: z.boolean() }),
  createdAt: z.string(),
  updatedAt: z.string(),
});

// ---- Organizations ---------------------------------------------------------------------------

export const COUNTRY_CODE_COUNT = ISO_COUNTRIES.size;

const CountryCode = z
  .string({ error: 'must be a string' })
  .check(z.refine((code: string) => ISO_COUNTRIES.has(code), { error: 'must be an ISO 3166-1 alpha-2 country code in upper case' }));

const settingFields = {
  requireMfa: z.boolean({ error: 'must be a boolean' }),
  smsDailyLimit: z
    .number({ error: 'must be a number' })
    .check(
      z.int({ error: 'must be a whole number' }),
      z.minimum(0, { error: 'must be at least 0' }),
      z.maximum(1_000_000, { error: 'must be at most 1000000' }),
    ),
  smsAllowedCountries: z.array(CountryCode, { error: 'must be an array' }).check(z.maxLength(250, { error: 'must have at most 250 entries' }), uniqueItems),
  emailDailyLimit: z
    .number({ error: 'must be a number' })
    .check(
      z.int({ error: 'must be a whole number' }),
      z.minimum(0, { error: 'must be at least 0' }),
      z.maximum(1_000_000, { error: 'must be at most 1000000' }),
    ),
};

/**
 * The deployment's limits apply on top (shared/domain/tenancy/organizations.ts): `smsDailyLimit` at most the
 * per-account cap, `smsAllowedCountries` among the deployment's countries. They are the deployment's
 * settings, not the document's, so the domain checks them (400 naming the field).
 */
const DEPLOYMENT_BOUNDS =
  "Within the deployment's limits: smsDailyLimit at most its daily SMS cap per account (SMS_ACCOUNT_DAILY_LIMIT, 1,000 by default), " +
  "smsAllowedCountries among its SMS countries (an empty list means the deployment's list, never every country), " +
  'emailDailyLimit (sign-in e-mails, `email_pin` and `email_link`) at most its daily e-mail cap per account (EMAIL_ACCOUNT_DAILY_LIMIT, 1,000 by default); beyond them, 400 naming the field.';

/** On create: every field optional, defaults filled in (`smsDailyLimit` by the domain: it depends on the deployment). */
const NewOrganizationSettings = described(
  z.strictObject({
    requireMfa: z._default(settingFields.requireMfa, false),
    smsDailyLimit: described(
      z.optional(settingFields.smsDailyLimit),
      `SMS per UTC day. Default ${String(DEFAULT_SMS_DAILY_LIMIT)}, or the deployment's per-account cap when that is lower.`,
    ),
    smsAllowedCountries: z._default(settingFields.smsAllowedCountries, []),
    emailDailyLimit: described(
      z.optional(settingFields.emailDailyLimit),
      `Sign-in e-mails (\`email_pin\`, \`email_link\`) per UTC day. Default ${String(DEFAULT_EMAIL_DAILY_LIMIT)}, or the deployment's per-account cap when that is lower.`,
    ),
  }),
  DEPLOYMENT_BOUNDS,
);

/** On update: only what is sent changes. */
const OrganizationSettingsPatch = described(
  z.strictObject({
    requireMfa: z.optional(settingFields.requireMfa),
    smsDailyLimit: z.optional(settingFields.smsDailyLimit),
    smsAllowedCountries: z.optional(settingFields.smsAllowedCountries),
    emailDailyLimit: z.optional(settingFields.emailDailyLimit),
  }),
  DEPLOYMENT_BOUNDS,
);

export const CreateOrganizationBody = body({
  name: Name,
  settings: z._default(NewOrganizationSettings, { requireMfa: false, smsAllowedCountries: [] }),
});

export const UpdateOrganizationBody = body({
  name: z.optional(Name),
  settings: z.optional(OrganizationSettingsPatch),
});

export const OrganizationParams = z.object({ orgId: ResourceId });

export const ListQuery = z.object(pageQuery);

export const OrganizationResponse = z.object({
  id: z.string(),
  accountId: z.string(),
  name: z.string(),
  settings: z.object({ requireMfa: z.boolean(), smsDailyLimit: z.number().check(z.int()), smsAllowedCountries: z.array(z.string()), emailDailyLimit: z.number().check(z.int()) }),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const OrganizationList = z.object({ items: z.array(OrganizationResponse), nextCursor: z.nullable(z.string()) });

// ---- Groups ----------------------------------------------------------------------------------

/**
 * A group's organizations. 98 = what fits in one DynamoDB transaction (100 items) beside the group
 * itself and its audit event, so every listed organization is checked in the same commit.
 */
export const MAX_GROUP_ORGANIZATIONS = 98;

const GroupOrganizations = z
  .array(ResourceId, { error: 'must be an array' })
  .check(z.maxLength(MAX_GROUP_ORGANIZATIONS, { error: `must have at most ${MAX_GROUP_ORGANIZATIONS} entries` }), uniqueItems);

export const CreateGroupBody = body({ name: Name, organizations: z._default(GroupOrganizations, []) });

export const UpdateGroupBody = body({ name: z.optional(Name), organizations: z.optional(GroupOrganizations) });

export const GroupParams = z.object({ accountId: ResourceId, groupId: ResourceId });

export const GroupResponse = z.object({
  id: z.string(),
  accountId: z.string(),
  name: z.string(),
  organizations: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const GroupList = z.object({ items: z.array(GroupResponse), nextCursor: z.nullable(z.string()) });
