import { accessControl } from '#shared/compose/shared.ts';
import { members } from '#shared/compose/tenancy.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { tenancyRoutes } from '#shared/routes/tenancy.ts';
import { page } from '#shared/http/pagination.ts';
import { ok } from '#shared/http/responses.ts';

/** GET /v2/accounts/{accountId}/members — any member of the account may read the member list. */
export const handler = defineHandler(tenancyRoutes.listMembers, async ({ params, query, principal }) => {
  const actor = await accessControl().actorForAccount(principal, params.accountId);
  await accessControl().require(actor, 'member:read', { accountId: params.accountId });
  const result = await members().list(params.accountId, query);
  return ok(page(result.items, result.lastKey));
});
