import { hostedLoginPages } from '#shared/compose/oidc.ts';
import { config } from '#shared/config.ts';
import { organizationIssuer } from '#shared/domain/sign-in/end-user-tokens.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { renderLogin } from '#shared/http/hosted-login-page.ts';
import { oidcRoutes } from '#shared/routes/oidc.ts';

/**
 * GET /v2/organizations/{orgId}/oauth2/authorize — the hosted login's entry: an unknown client or
 * redirect URI is a page (never a redirect), other request errors go back to the client, a good
 * request opens a login transaction bound to this browser and goes to its page.
 */
export const handler = defineHandler(oidcRoutes.startAuthorization, async ({ params, query }) =>
  renderLogin(await hostedLoginPages().authorize(params.orgId, query), organizationIssuer(config().apiBase, params.orgId)),
);
