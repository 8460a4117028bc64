import { endUsers } from '#shared/container.ts';
import { principalFromHeaders } from '#shared/http/credentials.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { routes } from '#shared/http/manifest.ts';
import { ok } from '#shared/http/responses.ts';

/** GET /v2/organizations/{orgId}/users/{userId} — one end user. */
export const handler = defineHandler(routes.getEndUser, async ({ params, principal, requestId, sourceIp }) =>
  ok(await endUsers().getEndUser({ principal, requestId, sourceIp }, params.orgId, params.userId)),
  { credentials: principalFromHeaders },
);
