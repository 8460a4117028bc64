import { accessKeys } from '#shared/compose/tenancy.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { tenancyRoutes } from '#shared/routes/tenancy.ts';
import { page } from '#shared/http/pagination.ts';
import { ok } from '#shared/http/responses.ts';

/** GET /v2/accounts/{accountId}/keys — owner only; oldest first, revoked keys included, never a secret. */
export const handler = defineHandler(tenancyRoutes.listAccessKeys, async ({ query, params, principal }) => {
  const { items, lastKey } = await accessKeys().listKeys(principal, params.accountId, { limit: query.limit, startKey: query.cursor });
  return ok(page(items, lastKey));
});
