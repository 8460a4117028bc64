import { endUsers } from '#shared/compose/directory.ts';
import { principalFromHeaders } from '#shared/compose/credentials.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { directoryRoutes } from '#shared/routes/directory.ts';
import { ok } from '#shared/http/responses.ts';

/** PATCH /v2/organizations/{orgId}/users/{userId} — email, phone, name, status; audited. */
export const handler = defineHandler(directoryRoutes.updateEndUser, async ({ params, body, principal, requestId, sourceIp }) =>
  ok(await endUsers().updateEndUser({ principal, requestId, sourceIp }, params.orgId, params.userId, body)),
  { credentials: principalFromHeaders },
);
