import { groups } from '#shared/compose/tenancy.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { tenancyRoutes } from '#shared/routes/tenancy.ts';
import { noContent } from '#shared/http/responses.ts';

/** DELETE /v2/accounts/{accountId}/groups/{groupId} — members scoped to it lose its organizations at once. */
export const handler = defineHandler(tenancyRoutes.deleteGroup, async ({ params, principal, requestId, sourceIp }) => {
  await groups().deleteGroup({ principal, requestId, sourceIp }, params.accountId, params.groupId);
  return noContent();
});
