import { tokenExchange } from '#shared/compose/oidc.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { json } from '#shared/http/responses.ts';
import { oidcRoutes } from '#shared/routes/oidc.ts';

/**
 * POST /v2/organizations/{orgId}/oauth2/token — an authorization code for tokens (RFC 6749 §4.1.3).
 * The client authenticates here (Authorization: Basic, or the body); errors are RFC 6749 §5.2 JSON.
 */
export const handler = defineHandler(oidcRoutes.exchangeOAuthToken, async ({ params, body, event }) =>
  // RFC 6749 §5.1: tokens are never cached (`cache-control: no-store` is on every answer already).
  json(200, await tokenExchange().exchange(params.orgId, event.headers.authorization, body), { pragma: 'no-cache' }),
);
