import { systems } from '#shared/compose/directory.ts';
import { principalFromHeaders } from '#shared/compose/credentials.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { directoryRoutes } from '#shared/routes/directory.ts';
import { noContent } from '#shared/http/responses.ts';

/** DELETE /v2/organizations/{orgId}/systems/{systemName}/secret — back to a public client (PKCE only); audited. */
export const handler = defineHandler(directoryRoutes.deleteSystemSecret, async ({ params, principal, requestId, sourceIp }) => {
  await systems().deleteClientSecret({ principal, requestId, sourceIp }, params.orgId, params.systemName);
  return noContent();
},
  { credentials: principalFromHeaders },
);
