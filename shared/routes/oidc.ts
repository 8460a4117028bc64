/**
 * OpenID Connect and the hosted login (SPEC §9): every organization is an issuer, every system an
 * OAuth 2.0 client of it. Joined with the other areas by shared/http/manifest.ts.
 */
import { OrganizationParams } from '../schemas/organizations.ts';
import { OpenIdConfiguration, TokenRequest, TokenResponse, UserInfoResponse } from '../schemas/oidc.ts';
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
  exchangeOAuthToken: route({
    id: 'exchangeOAuthToken',
    method: 'POST',
    path: '/v2/organizations/{orgId}/oauth2/token',
    handler: 'functions/oidc/exchange-oauth-token.ts',
    area: 'oidc',
    tag: oidcTags.oidc,
    // The client authenticates in the function (client_secret_basic, client_secret_post or none + PKCE).
    auth: 'public',
    summary:
      'The token endpoint (RFC 6749 §4.1.3): exchanges an authorization code of the hosted login for an `id_token` and an access token (a JWT, `typ: at+jwt`). ' +
      'Form-encoded body only. A system with a client secret authenticates with `client_secret_basic` or `client_secret_post` (exactly one), a public client with `client_id` alone and PKCE. ' +
      'The code is single use (of concurrent exchanges one succeeds) and lives 60 seconds; it must come back with the same `redirect_uri` and the PKCE verifier. ' +
      'Errors are RFC 6749 §5.2 JSON `{error, error_description}`, not problem+json.',
    request: { params: OrganizationParams, body: TokenRequest, bodyMediaTypes: ['application/x-www-form-urlencoded'] },
    response: { status: 200, body: TokenResponse },
    errorFormat: 'oauth',
    errors: { 400: ['invalid_request', 'invalid_grant', 'unsupported_grant_type'], 401: ['invalid_client'] },
    examples: {
      response: {
        tokens: {
          summary: 'The tokens of an exchanged code',
          value: { access_token: 'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9…', id_token: 'eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9…', token_type: 'Bearer', expires_in: 3600, scope: 'openid email' },
        },
      },
    },
    access: { table: 'write', signingKey: true },
  }),
  getUserInfo: route({
    id: 'getUserInfo',
    method: 'GET',
    path: '/v2/organizations/{orgId}/oauth2/userinfo',
    handler: 'functions/oidc/get-user-info.ts',
    area: 'oidc',
    tag: oidcTags.oidc,
    // The access token of this issuer is verified in the function (RFC 6750 errors, not the operator authorizer).
    auth: 'public',
    summary:
      'The userinfo endpoint (OpenID Connect Core §5.3): with `Authorization: Bearer <access_token>` of this organization, the end user’s `sub`, plus `email` (scope `email`) and `phone_number` (scope `phone`), read afresh. ' +
      'A missing, invalid, expired or other-issuer token, or a deleted or disabled user: 401 `invalid_token` with `WWW-Authenticate: Bearer` (RFC 6750 §3).',
    request: { params: OrganizationParams },
    response: { status: 200, body: UserInfoResponse },
    errorFormat: 'oauth',
    errors: { 401: ['invalid_token'], 403: ['insufficient_scope'] },
    examples: { response: { user: { summary: 'Scopes openid email phone', value: { sub: 'usr_3c2b9f0e4d6a4b1c8e7f6a5b4c3d2e1f', email: 'ada@example.com', phone_number: '+33612345678' } } } },
    access: { table: 'read' },
  }),
  postUserInfo: route({
    id: 'postUserInfo',
    method: 'POST',
    path: '/v2/organizations/{orgId}/oauth2/userinfo',
    handler: 'functions/oidc/post-user-info.ts',
    area: 'oidc',
    tag: oidcTags.oidc,
    auth: 'public',
    summary: 'The userinfo endpoint by POST (OpenID Connect Core §5.3.1 asks for both): the same answer as GET; the token goes in the `Authorization` header only, a body is ignored.',
    request: { params: OrganizationParams, bodyMediaTypes: ['application/x-www-form-urlencoded', 'application/json'] },
    response: { status: 200, body: UserInfoResponse },
    errorFormat: 'oauth',
    errors: { 401: ['invalid_token'], 403: ['insufficient_scope'] },
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
      "The hosted login's forms (URL-encoded; `login` and `form_token` in each, checked with the transaction's cookie): `email` starts the system's policy through the sign-in engine (an unknown e-mail walks the same pages), `code` or `recovery_code` completes a factor, `passkey` (the JSON of a credential's `toJSON()`, posted by the passkey step's script) a passkey step, `action=restart` goes back to the e-mail. 303 to the next page, or to the client's redirect URI with `code`, `state` and `iss` once the chain is complete; a wrong code shows the form again (HTML).",
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
