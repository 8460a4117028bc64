import { groups } from '#shared/compose/tenancy.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { tenancyRoutes } from '#shared/routes/tenancy.ts';
import { ok } from '#shared/http/responses.ts';

/**
 * PATCH /v2/accounts/{accountId}/groups/{groupId} — name and/or the full list of organizations;
 * members scoped to the group reach an added organization from the next request on. Audited.
 */
export const handler = defineHandler(tenancyRoutes.updateGroup, async ({ params, body, principal, requestId, sourceIp }) =>
  ok(await groups().updateGroup({ principal, requestId, sourceIp }, params.accountId, params.groupId, body)),
);
