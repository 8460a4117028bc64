import { organizations } from '#shared/compose/tenancy.ts';
import { principalFromHeaders } from '#shared/compose/credentials.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { tenancyRoutes } from '#shared/routes/tenancy.ts';
import { ok } from '#shared/http/responses.ts';

/** PATCH /v2/organizations/{orgId} — name and settings; only the fields sent change; audited. */
export const handler = defineHandler(tenancyRoutes.updateOrganization, async ({ params, body, principal, requestId, sourceIp }) =>
  ok(await organizations().updateOrganization({ principal, requestId, sourceIp }, params.orgId, body)),
  { credentials: principalFromHeaders },
);
