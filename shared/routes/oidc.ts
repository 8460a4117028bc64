/**
 * OpenID Connect and the hosted login (SPEC §9): every organization is an issuer, every system an
 * OAuth 2.0 client of it. Joined with the other areas by shared/http/manifest.ts.
 */
import { OrganizationParams } from '../schemas/organizations.ts';
import { OpenIdConfiguration } from '../schemas/oidc.ts';
import { AuthorizeQuery, LinkFormBody, LinkPageQuery, LoginFormBody, LoginPageQuery } from '../schemas/hosted-login.ts';
import { route, type Tag } from './definition.ts';

/** The reference page sections of the area's routes, in page order. */
export const oidcTags = {
  oidc: {
    name: 'OpenID Connect',
    description:
      "Each organization is an OpenID Connect issuer (`{apiBase}/v2/organizations/{orgId}`) and each of its systems an OAuth 2.0 client (`client_id` = the system's name): discovery, the hosted login page, the token and userinfo endpoints.",
  },
} as const satisfies Record<string, Tag>;

export const oidcRoutes = {
  getOpenIdConfiguration: route({
    id: 'getOpenIdConfiguration',
    method: 'GET',
    path: '/v2/organizations/{orgId}/.well-known/openid-configuration',
    handler: 'functions/oidc/get-openid-configuration.ts',
    area: 'oidc',
    tag: oidcTags.oidc,
    auth: 'public',
    summary:
      "The organization's OpenID Connect discovery document: its issuer, the hosted login (`authorization_endpoint`), token and userinfo endpoints and its JWKS. Cacheable five minutes; an unknown or deleted organization is a 404.",
    request: { params: OrganizationParams },
    response: { status: 200, body: OpenIdConfiguration },
    errors: { 404: ['not_found'] },
    access: { table: 'read' },
  }),
  // ---- The hosted login (SPEC §9): HTML pages, no JavaScript -------------------------------------
  startAuthorization: route({
    id: 'startAuthorization',
    method: 'GET',
    path: '/v2/organizations/{orgId}/oauth2/authorize',
    handler: 'functions/oidc/start-authorization.ts',
    area: 'oidc',
    tag: oidcTags.oidc,
    auth: 'public',
    summary:
      "The hosted login's entry (OAuth 2.0 authorization endpoint, code flow): `response_type=code`, `client_id` (a system of this organization), `redirect_uri` (exactly one of the system's `redirectUris`), `code_challenge` with `code_challenge_method=S256` (required), `scope` with `openid` (and `email`, `phone`), `state`, `nonce`, optional `login_hint`. An unknown client or unregistered redirect URI shows an HTML error page and never redirects; the request's other errors redirect to the client with `error`, `error_description`, `state` and `iss` (RFC 6749 §4.1.2.1). A good request opens a login transaction (15 minutes), binds it to the browser with a cookie and answers 303 to its page.",
    request: { params: OrganizationParams, query: AuthorizeQuery },
    response: { status: 303, mediaTypes: ['text/html'] },
    access: { table: 'write' },
  }),
  showLoginPage: route({
    id: 'showLoginPage',
    method: 'GET',
    path: '/v2/organizations/{orgId}/oauth2/login',
    handler: 'functions/oidc/show-login-page.ts',
    area: 'oidc',
    tag: oidcTags.oidc,
    auth: 'public',
    summary:
      "A login transaction's current page, for the browser that holds its cookie (HTML): the e-mail form, the code form (PIN, e-mailed PIN, TOTP or recovery code), or the page that waits for a link (it reloads itself every 3 seconds). When the chain was completed on another device, 303 to the client's redirect URI with `code`, `state` and `iss`.",
    request: { params: OrganizationParams, query: LoginPageQuery },
    response: { status: 200, mediaTypes: ['text/html'] },
    access: { table: 'write' },
  }),
  submitLoginPage: route({
    id: 'submitLoginPage',
    method: 'POST',
    path: '/v2/organizations/{orgId}/oauth2/login',
    handler: 'functions/oidc/submit-login-page.ts',
    area: 'oidc',
    tag: oidcTags.oidc,
    auth: 'public',
    summary:
      "The hosted login's forms (URL-encoded; `login` and `form_token` in each, checked with the transaction's cookie): `email` starts the system's policy through the sign-in engine (an unknown e-mail walks the same pages), `code` or `recovery_code` completes a factor, `action=restart` goes back to the e-mail. 303 to the next page, or to the client's redirect URI with `code`, `state` and `iss` once the chain is complete; a wrong code shows the form again (HTML).",
    request: { params: OrganizationParams, body: LoginFormBody, bodyMediaTypes: ['application/x-www-form-urlencoded'] },
    response: { status: 303, mediaTypes: ['text/html'] },
    access: { table: 'write', sms: true, email: true, encryptionKey: ['pin-hmac', 'totp-secrets'] },
  }),
  showLinkPage: route({
    id: 'showLinkPage',
    method: 'GET',
    path: '/v2/organizations/{orgId}/oauth2/link',
    handler: 'functions/oidc/show-link-page.ts',
    area: 'oidc',
    tag: oidcTags.oidc,
    auth: 'public',
    summary:
      "Where a hosted login's sign-in link (SMS or e-mail) leads, on whichever device got it: a button to confirm the sign-in, with where it was asked from. Opening it writes nothing (mail scanners open links too).",
    request: { params: OrganizationParams, query: LinkPageQuery },
    response: { status: 200, mediaTypes: ['text/html'] },
    notFoundPage: true,
    access: { table: 'read' },
  }),
  confirmLinkPage: route({
    id: 'confirmLinkPage',
    method: 'POST',
    path: '/v2/organizations/{orgId}/oauth2/link',
    handler: 'functions/oidc/confirm-link-page.ts',
    area: 'oidc',
    tag: oidcTags.oidc,
    auth: 'public',
    summary:
      "The link page's button (URL-encoded `login` and `token`): completes the link's step. The browser that waits goes on by itself; this one says so, or goes on itself when it is that browser.",
    request: { params: OrganizationParams, body: LinkFormBody, bodyMediaTypes: ['application/x-www-form-urlencoded'] },
    response: { status: 200, mediaTypes: ['text/html'] },
    notFoundPage: true,
    access: { table: 'write', sms: true, email: true, encryptionKey: ['pin-hmac', 'totp-secrets'] },
  }),
} as const;
