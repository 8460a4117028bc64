import { accessKeys } from '#shared/compose/tenancy.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { tenancyRoutes } from '#shared/routes/tenancy.ts';
import { created } from '#shared/http/responses.ts';

/** POST /v2/accounts/{accountId}/keys — owner only; the answer carries the secret, this once. */
export const handler = defineHandler(tenancyRoutes.createAccessKey, async ({ body, params, principal, requestId, sourceIp }) =>
  created(await accessKeys().createKey(principal, params.accountId, body, { requestId, sourceIp })),
);
