import { principalFromHeaders } from '#shared/compose/credentials.ts';
import { endUserPasskeys } from '#shared/compose/passkeys.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { ok } from '#shared/http/responses.ts';
import { passkeyRoutes } from '#shared/routes/passkeys.ts';

/** GET /v2/organizations/{orgId}/users/{userId}/passkeys — an end user's passkeys. */
export const handler = defineHandler(
  passkeyRoutes.listEndUserPasskeys,
  async ({ params, principal, requestId, sourceIp }) => ok({ items: await endUserPasskeys().list({ principal, requestId, sourceIp }, params.orgId, params.userId) }),
  { credentials: principalFromHeaders },
);
