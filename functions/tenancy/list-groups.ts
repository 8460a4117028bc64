import { groups } from '#shared/compose/tenancy.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { tenancyRoutes } from '#shared/routes/tenancy.ts';
import { page } from '#shared/http/pagination.ts';
import { ok } from '#shared/http/responses.ts';

/** GET /v2/accounts/{accountId}/groups — the account's groups. */
export const handler = defineHandler(tenancyRoutes.listGroups, async ({ params, query, principal, requestId, sourceIp }) => {
  const result = await groups().listGroups({ principal, requestId, sourceIp }, params.accountId, query);
  return ok(page(result.items, result.lastKey));
});
