import { organizationIssuerKeys } from '#shared/compose/platform.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { platformRoutes } from '#shared/routes/platform.ts';
import { json } from '#shared/http/responses.ts';

/**
 * GET /v2/organizations/{orgId}/.well-known/jwks.json — the keys of the organization's issuer (its
 * tokens' `iss` + `/.well-known/jwks.json`): public keys only, cacheable five minutes like the
 * deployment's JWKS; an unknown or deleted organization is a 404.
 */
export const handler = defineHandler(platformRoutes.getOrganizationJwks, async ({ params }) =>
  json(200, { keys: await organizationIssuerKeys().keysOf(params.orgId) }, { 'cache-control': 'public, max-age=300' }),
);
