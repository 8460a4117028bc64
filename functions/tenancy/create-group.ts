import { groups } from '#shared/compose/tenancy.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { tenancyRoutes } from '#shared/routes/tenancy.ts';
import { created } from '#shared/http/responses.ts';

/** POST /v2/accounts/{accountId}/groups — a named set of the account's organizations; audited. */
export const handler = defineHandler(tenancyRoutes.createGroup, async ({ params, body, principal, requestId, sourceIp }) =>
  created(await groups().createGroup({ principal, requestId, sourceIp }, params.accountId, body)),
);
