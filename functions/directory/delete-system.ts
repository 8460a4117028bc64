import { systems } from '#shared/compose/directory.ts';
import { principalFromHeaders } from '#shared/compose/credentials.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { directoryRoutes } from '#shared/routes/directory.ts';
import { noContent } from '#shared/http/responses.ts';

/** DELETE /v2/organizations/{orgId}/systems/{systemName} — the system and all grants to it; audited. */
export const handler = defineHandler(directoryRoutes.deleteSystem, async ({ params, principal, requestId, sourceIp }) => {
  await systems().deleteSystem({ principal, requestId, sourceIp }, params.orgId, params.systemName);
  return noContent();
},
  { credentials: principalFromHeaders },
);
