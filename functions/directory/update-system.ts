import { systems } from '#shared/compose/directory.ts';
import { principalFromHeaders } from '#shared/compose/credentials.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { directoryRoutes } from '#shared/routes/directory.ts';
import { ok } from '#shared/http/responses.ts';

/** PATCH /v2/organizations/{orgId}/systems/{systemName} — a new policy and/or passwordless URL; audited. */
export const handler = defineHandler(directoryRoutes.updateSystem, async ({ params, body, principal, requestId, sourceIp }) =>
  ok(await systems().updateSystem({ principal, requestId, sourceIp }, params.orgId, params.systemName, body)),
  { credentials: principalFromHeaders },
);
