import { accessGrants } from '#shared/compose/directory.ts';
import { principalFromHeaders } from '#shared/compose/credentials.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { directoryRoutes } from '#shared/routes/directory.ts';
import { page } from '#shared/http/pagination.ts';
import { ok } from '#shared/http/responses.ts';

/** GET /v2/organizations/{orgId}/systems/{systemName}/access — who may sign in to the system. */
export const handler = defineHandler(directoryRoutes.listAccess, async ({ params, query, principal, requestId, sourceIp }) => {
  const result = await accessGrants().listAccess({ principal, requestId, sourceIp }, params.orgId, params.systemName, query);
  return ok(page(result.items, result.lastKey));
},
  { credentials: principalFromHeaders },
);
