import { hostedLogin } from '#shared/compose/oidc.ts';
import { config } from '#shared/config.ts';
import { organizationIssuer } from '#shared/domain/sign-in/end-user-tokens.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { browserSecretOf, renderLogin } from '#shared/http/hosted-login-page.ts';
import { oidcRoutes } from '#shared/routes/oidc.ts';

/**
 * POST /v2/organizations/{orgId}/oauth2/link — the link page's button: completes the link's step
 * with its token. The waiting browser goes on by itself; this one goes on too when it is that browser.
 */
export const handler = defineHandler(oidcRoutes.confirmLinkPage, async ({ params, body, event, requestId, sourceIp, userAgent }) =>
  renderLogin(
    await hostedLogin().confirmLink(params.orgId, body, { browserSecret: browserSecretOf(event, body.login), requestId, sourceIp, userAgent }),
    organizationIssuer(config().apiBase, params.orgId),
  ),
);
