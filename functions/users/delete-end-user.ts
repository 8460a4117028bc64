import { endUsers } from '#shared/container.ts';
import { principalFromHeaders } from '#shared/http/credentials.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { routes } from '#shared/http/manifest.ts';
import { noContent } from '#shared/http/responses.ts';

/** DELETE /v2/organizations/{orgId}/users/{userId} — the user, its email reservation and its grants; audited. */
export const handler = defineHandler(routes.deleteEndUser, async ({ params, principal, requestId, sourceIp }) => {
  await endUsers().deleteEndUser({ principal, requestId, sourceIp }, params.orgId, params.userId);
  return noContent();
},
  { credentials: principalFromHeaders },
);
