import { organizations } from '#shared/compose/tenancy.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { tenancyRoutes } from '#shared/routes/tenancy.ts';
import { created } from '#shared/http/responses.ts';

/** POST /v2/accounts/{accountId}/organizations — a new organization (one per end customer); audited. */
export const handler = defineHandler(tenancyRoutes.createOrganization, async ({ params, body, principal, requestId, sourceIp }) =>
  created(await organizations().createOrganization({ principal, requestId, sourceIp }, params.accountId, body)),
);
