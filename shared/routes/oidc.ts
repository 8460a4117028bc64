/**
 * OpenID Connect and the hosted login (SPEC §9): every organization is an issuer, every system an
 * OAuth 2.0 client of it. Joined with the other areas by shared/http/manifest.ts.
 */
import { OrganizationParams } from '../schemas/organizations.ts';
import { OpenIdConfiguration } from '../schemas/oidc.ts';
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
} as const;
