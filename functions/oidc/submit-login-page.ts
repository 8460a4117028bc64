import { hostedLogin } from '#shared/compose/oidc.ts';
import { config } from '#shared/config.ts';
import { organizationIssuer } from '#shared/domain/sign-in/end-user-tokens.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { browserSecretOf, passkeyFieldOf, renderLogin } from '#shared/http/hosted-login-page.ts';
import { oidcRoutes } from '#shared/routes/oidc.ts';

/**
 * POST /v2/organizations/{orgId}/oauth2/login — the hosted login's forms: the e-mail, a code, a
 * recovery code, a passkey's credential, or starting again; each checked against the transaction's
 * cookie and form token.
 */
export const handler = defineHandler(oidcRoutes.submitLoginPage, async ({ params, body, event, requestId, sourceIp, userAgent }) =>
  renderLogin(
    await hostedLogin().submit(params.orgId, { ...body, passkey: passkeyFieldOf(body.passkey) }, { browserSecret: browserSecretOf(event, body.login), requestId, sourceIp, userAgent }),
    organizationIssuer(config().apiBase, params.orgId),
  ),
);
