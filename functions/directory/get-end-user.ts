import { endUsers } from '#shared/compose/directory.ts';
import { principalFromHeaders } from '#shared/compose/credentials.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { directoryRoutes } from '#shared/routes/directory.ts';
import { ok } from '#shared/http/responses.ts';

/** GET /v2/organizations/{orgId}/users/{userId} — one end user. */
export const handler = defineHandler(directoryRoutes.getEndUser, async ({ params, principal, requestId, sourceIp }) =>
  ok(await endUsers().getEndUser({ principal, requestId, sourceIp }, params.orgId, params.userId)),
  { credentials: principalFromHeaders },
);
