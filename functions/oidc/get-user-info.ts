import { userInfo } from '#shared/compose/oidc.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { json } from '#shared/http/responses.ts';
import { oidcRoutes } from '#shared/routes/oidc.ts';

/** GET /v2/organizations/{orgId}/oauth2/userinfo — the claims of the end user the access token names (OIDC Core §5.3). */
export const handler = defineHandler(oidcRoutes.getUserInfo, async ({ params, event }) => json(200, await userInfo().claimsFor(params.orgId, event.headers.authorization)));
