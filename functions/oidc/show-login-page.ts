import { hostedLoginPages } from '#shared/compose/oidc.ts';
import { config } from '#shared/config.ts';
import { organizationIssuer } from '#shared/domain/sign-in/end-user-tokens.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { browserSecretOf, renderLogin } from '#shared/http/hosted-login-page.ts';
import { oidcRoutes } from '#shared/routes/oidc.ts';

/**
 * GET /v2/organizations/{orgId}/oauth2/login — the transaction's current page for the browser that
 * holds its cookie; the waiting page reloads it, and collects here a chain completed on another device.
 */
export const handler = defineHandler(oidcRoutes.showLoginPage, async ({ params, query, event, requestId, sourceIp, userAgent }) =>
  renderLogin(
    await hostedLoginPages().view(params.orgId, query.login, { browserSecret: browserSecretOf(event, query.login), requestId, sourceIp, userAgent }),
    organizationIssuer(config().apiBase, params.orgId),
  ),
);
