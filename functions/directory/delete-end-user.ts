import { endUsers } from '#shared/compose/directory.ts';
import { principalFromHeaders } from '#shared/compose/credentials.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { directoryRoutes } from '#shared/routes/directory.ts';
import { noContent } from '#shared/http/responses.ts';

/** DELETE /v2/organizations/{orgId}/users/{userId} — the user, its email reservation and its grants; audited. */
export const handler = defineHandler(directoryRoutes.deleteEndUser, async ({ params, principal, requestId, sourceIp }) => {
  await endUsers().deleteEndUser({ principal, requestId, sourceIp }, params.orgId, params.userId);
  return noContent();
},
  { credentials: principalFromHeaders },
);
