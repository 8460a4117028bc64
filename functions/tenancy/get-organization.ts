import { organizations } from '#shared/compose/tenancy.ts';
import { principalFromHeaders } from '#shared/compose/credentials.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { tenancyRoutes } from '#shared/routes/tenancy.ts';
import { ok } from '#shared/http/responses.ts';

/** GET /v2/organizations/{orgId} — operators in scope or `manage` keys reaching it. */
export const handler = defineHandler(tenancyRoutes.getOrganization, async ({ params, principal, requestId, sourceIp }) =>
  ok(await organizations().getOrganization({ principal, requestId, sourceIp }, params.orgId)),
  { credentials: principalFromHeaders },
);
