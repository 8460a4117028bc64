import { accessGrants } from '#shared/compose/directory.ts';
import { principalFromHeaders } from '#shared/compose/credentials.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { directoryRoutes } from '#shared/routes/directory.ts';
import { created, ok } from '#shared/http/responses.ts';

/** PUT /v2/organizations/{orgId}/systems/{systemName}/access/{userId} — idempotent: 201 new, 200 existing. */
export const handler = defineHandler(directoryRoutes.grantAccess, async ({ params, principal, requestId, sourceIp }) => {
  const result = await accessGrants().grantAccess({ principal, requestId, sourceIp }, params.orgId, params.systemName, params.userId);
  return result.created ? created(result.grant) : ok(result.grant);
},
  { credentials: principalFromHeaders },
);
