import { endUsers } from '#shared/compose/directory.ts';
import { principalFromHeaders } from '#shared/compose/credentials.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { directoryRoutes } from '#shared/routes/directory.ts';
import { page } from '#shared/http/pagination.ts';
import { ok } from '#shared/http/responses.ts';

/** GET /v2/organizations/{orgId}/users — end users oldest first, or the one with `?email=`. */
export const handler = defineHandler(directoryRoutes.listEndUsers, async ({ params, query, principal, requestId, sourceIp }) => {
  const result = await endUsers().listEndUsers({ principal, requestId, sourceIp }, params.orgId, query);
  return ok(page(result.items, result.lastKey));
},
  { credentials: principalFromHeaders },
);
