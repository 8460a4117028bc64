import { systems } from '#shared/compose/directory.ts';
import { principalFromHeaders } from '#shared/compose/credentials.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { directoryRoutes } from '#shared/routes/directory.ts';
import { ok } from '#shared/http/responses.ts';

/** GET /v2/organizations/{orgId}/systems/{systemName} — a system and its policy. */
export const handler = defineHandler(directoryRoutes.getSystem, async ({ params, principal, requestId, sourceIp }) =>
  ok(await systems().getSystem({ principal, requestId, sourceIp }, params.orgId, params.systemName)),
  { credentials: principalFromHeaders },
);
