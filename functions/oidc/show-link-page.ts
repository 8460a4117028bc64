import { hostedLoginPages } from '#shared/compose/oidc.ts';
import { config } from '#shared/config.ts';
import { organizationIssuer } from '#shared/domain/sign-in/end-user-tokens.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { renderLogin } from '#shared/http/hosted-login-page.ts';
import { oidcRoutes } from '#shared/routes/oidc.ts';

/**
 * GET /v2/organizations/{orgId}/oauth2/link — where a hosted login's sign-in link leads: a button to
 * confirm. It writes nothing: mail scanners and link previews open links too.
 */
export const handler = defineHandler(oidcRoutes.showLinkPage, async ({ params, query }) =>
  renderLogin(await hostedLoginPages().showLink(params.orgId, query.login, query.token), organizationIssuer(config().apiBase, params.orgId)),
);
