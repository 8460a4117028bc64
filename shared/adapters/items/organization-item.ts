/** An organization (tombstoned on delete): key, GSI1 under its account, item written, item read (validated). */
import * as z from '#shared/schemas/zod.ts';
import { organizationByAccountGsi, organizationKey, organizationsOfAccountPartition, type ItemKey } from '../../data/keys.ts';
import type { Organization } from '../../domain/kernel/model.ts';
import { DEFAULT_EMAIL_DAILY_LIMIT } from '../../domain/tenancy/organizations.ts';
import { parseItem } from '../dynamodb.ts';

export { organizationByAccountGsi, organizationKey, organizationsOfAccountPartition };

const OrganizationItem = z.object({
  id: z.string(),
  accountId: z.string(),
  name: z.string(),
  // Loose: settings the service does not know yet pass through as they did.
  // An organization written before `emailDailyLimit` existed gets the default (the account's cap still applies above it).
  settings: z.looseObject({ requireMfa: z.boolean(), smsDailyLimit: z.number(), smsAllowedCountries: z.array(z.string()), emailDailyLimit: z._default(z.number(), DEFAULT_EMAIL_DAILY_LIMIT) }),
  status: z.enum(['active', 'deleted']),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Bumped by every group write that lists the organization: a delete is conditional on the one read. */
  groupVersion: z.optional(z.number()),
});

export function toOrganizationItem(organization: Organization): Record<string, unknown> & ItemKey {
  return {
    ...organizationKey(organization.id),
    ...organizationByAccountGsi(organization.accountId, organization.createdAt, organization.id),
    entity: 'Organization',
    ...organization,
  };
}

export function fromOrganizationItem(item: Record<string, unknown>): { organization: Organization; groupVersion: number | undefined } {
  const { groupVersion, ...organization } = parseItem('Organization', OrganizationItem, item);
  return { organization, groupVersion };
}

/** Just the organization (whatever its status). */
export function toOrganization(item: Record<string, unknown>): Organization {
  return fromOrganizationItem(item).organization;
}
