import { systems } from '#shared/compose/directory.ts';
import { principalFromHeaders } from '#shared/compose/credentials.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { directoryRoutes } from '#shared/routes/directory.ts';
import { created } from '#shared/http/responses.ts';

/** POST /v2/organizations/{orgId}/systems — a new system with its validated policy; audited. */
export const handler = defineHandler(directoryRoutes.createSystem, async ({ params, body, principal, requestId, sourceIp }) =>
  created(await systems().createSystem({ principal, requestId, sourceIp }, params.orgId, body)),
  { credentials: principalFromHeaders },
);
