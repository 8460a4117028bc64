import { systems } from '#shared/compose/directory.ts';
import { principalFromHeaders } from '#shared/compose/credentials.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { directoryRoutes } from '#shared/routes/directory.ts';
import { page } from '#shared/http/pagination.ts';
import { ok } from '#shared/http/responses.ts';

/** GET /v2/organizations/{orgId}/systems — the organization's systems, in name order. */
export const handler = defineHandler(directoryRoutes.listSystems, async ({ params, query, principal, requestId, sourceIp }) => {
  const result = await systems().listSystems({ principal, requestId, sourceIp }, params.orgId, query);
  return ok(page(result.items, result.lastKey));
},
  { credentials: principalFromHeaders },
);
