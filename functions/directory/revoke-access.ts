import { accessGrants } from '#shared/compose/directory.ts';
import { principalFromHeaders } from '#shared/compose/credentials.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { directoryRoutes } from '#shared/routes/directory.ts';
import { noContent } from '#shared/http/responses.ts';

/** DELETE /v2/organizations/{orgId}/systems/{systemName}/access/{userId} — revokes the grant; audited. */
export const handler = defineHandler(directoryRoutes.revokeAccess, async ({ params, principal, requestId, sourceIp }) => {
  await accessGrants().revokeAccess({ principal, requestId, sourceIp }, params.orgId, params.systemName, params.userId);
  return noContent();
},
  { credentials: principalFromHeaders },
);
