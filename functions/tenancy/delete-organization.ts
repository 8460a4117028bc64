import { organizations } from '#shared/compose/tenancy.ts';
import { principalFromHeaders } from '#shared/compose/credentials.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { tenancyRoutes } from '#shared/routes/tenancy.ts';
import { noContent } from '#shared/http/responses.ts';

/**
 * DELETE /v2/organizations/{orgId} — tombstones it and takes it out of every group, in one
 * transaction with its audit event: nothing in it is reachable afterwards.
 */
export const handler = defineHandler(tenancyRoutes.deleteOrganization, async ({ params, principal, requestId, sourceIp }) => {
  await organizations().deleteOrganization({ principal, requestId, sourceIp }, params.orgId);
  return noContent();
},
  { credentials: principalFromHeaders },
);
