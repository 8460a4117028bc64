import { accessKeys } from '#shared/container.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { routes } from '#shared/http/manifest.ts';
import { created } from '#shared/http/responses.ts';

/** POST /v2/accounts/{accountId}/keys — owner only; the answer carries the secret, this once. */
export const handler = defineHandler(routes.createAccessKey, async ({ body, params, principal, requestId, sourceIp }) =>
  created(await accessKeys().createKey(principal, params.accountId, body, { requestId, sourceIp })),
);
