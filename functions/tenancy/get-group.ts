import { groups } from '#shared/compose/tenancy.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { tenancyRoutes } from '#shared/routes/tenancy.ts';
import { ok } from '#shared/http/responses.ts';

/** GET /v2/accounts/{accountId}/groups/{groupId} */
export const handler = defineHandler(tenancyRoutes.getGroup, async ({ params, principal, requestId, sourceIp }) =>
  ok(await groups().getGroup({ principal, requestId, sourceIp }, params.accountId, params.groupId)),
);
