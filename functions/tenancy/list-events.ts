import { auditLog } from '#shared/compose/tenancy.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { tenancyRoutes } from '#shared/routes/tenancy.ts';
import { page } from '#shared/http/pagination.ts';
import { ok } from '#shared/http/responses.ts';

/**
 * GET /v2/accounts/{accountId}/events — the audit log, newest first. Members scoped to organizations
 * read one of their organizations at a time (`organization`, defaulted when they reach just one).
 */
export const handler = defineHandler(tenancyRoutes.listEvents, async ({ query, params, principal }) => {
  const { cursor, ...filters } = query;
  const { items, lastKey } = await auditLog().listEvents(principal, params.accountId, { ...filters, startKey: cursor });
  return ok(page(items, lastKey));
});
