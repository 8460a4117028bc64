import { userInfo } from '#shared/compose/oidc.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { json } from '#shared/http/responses.ts';
import { oidcRoutes } from '#shared/routes/oidc.ts';

/** POST /v2/organizations/{orgId}/oauth2/userinfo — as GET (OIDC Core §5.3.1); the token is read from the header only. */
export const handler = defineHandler(oidcRoutes.postUserInfo, async ({ params, event }) => json(200, await userInfo().claimsFor(params.orgId, event.headers.authorization)));
