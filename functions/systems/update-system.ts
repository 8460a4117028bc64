import { systems } from '#shared/container.ts';
import { principalFromHeaders } from '#shared/http/credentials.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { routes } from '#shared/http/manifest.ts';
import { ok } from '#shared/http/responses.ts';

/** PATCH /v2/organizations/{orgId}/systems/{systemName} — a new policy and/or passwordless URL; audited. */
export const handler = defineHandler(routes.updateSystem, async ({ params, body, principal, requestId, sourceIp }) =>
  ok(await systems().updateSystem({ principal, requestId, sourceIp }, params.orgId, params.systemName, body)),
  { credentials: principalFromHeaders },
);
