import { issuerDiscovery } from '#shared/compose/oidc.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { oidcRoutes } from '#shared/routes/oidc.ts';
import { json } from '#shared/http/responses.ts';

/**
 * GET /v2/organizations/{orgId}/.well-known/openid-configuration — the issuer's discovery document:
 * public, cacheable five minutes like its JWKS; an unknown or deleted organization is a 404.
 */
export const handler = defineHandler(oidcRoutes.getOpenIdConfiguration, async ({ params }) =>
  json(200, await issuerDiscovery().configurationOf(params.orgId), { 'cache-control': 'public, max-age=300' }),
);
