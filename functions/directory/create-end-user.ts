import { endUsers } from '#shared/compose/directory.ts';
import { principalFromHeaders } from '#shared/compose/credentials.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { directoryRoutes } from '#shared/routes/directory.ts';
import { created } from '#shared/http/responses.ts';

/** POST /v2/organizations/{orgId}/users — a new end user (email unique in the organization); audited. */
export const handler = defineHandler(directoryRoutes.createEndUser, async ({ params, body, principal, requestId, sourceIp }) =>
  created(await endUsers().createEndUser({ principal, requestId, sourceIp }, params.orgId, body)),
  { credentials: principalFromHeaders },
);
