import { systems } from '#shared/compose/directory.ts';
import { principalFromHeaders } from '#shared/compose/credentials.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { directoryRoutes } from '#shared/routes/directory.ts';
import { created } from '#shared/http/responses.ts';

/** POST /v2/organizations/{orgId}/systems/{systemName}/secret — a new client secret, shown this once; audited. */
export const handler = defineHandler(directoryRoutes.rotateSystemSecret, async ({ params, principal, requestId, sourceIp }) =>
  created(await systems().rotateClientSecret({ principal, requestId, sourceIp }, params.orgId, params.systemName)),
  { credentials: principalFromHeaders },
);
