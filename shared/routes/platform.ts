/** Platform: the API reference, and the public keys that verify issued tokens. Joined with the other areas by shared/http/manifest.ts. */
import { DOCS_ASSETS, DocsAssetParams, OpenApiDocument } from '../schemas/docs.ts';
import { OrganizationParams } from '../schemas/organizations.ts';
import { Jwks } from '../schemas/sessions.ts';
import { route, type Tag } from './definition.ts';

/** The reference page sections of the area's routes, in page order. */
export const platformTags = {
  keys: { name: 'Token keys', description: 'Public keys that verify the tokens Portcullis issues.' },
  docs: { name: 'Reference', description: 'This document and the reference page rendering it.' },
} as const satisfies Record<string, Tag>;

export const platformRoutes = {
  getJwks: route({
    id: 'getJwks',
    method: 'GET',
    path: '/v2/.well-known/jwks.json',
    handler: 'functions/platform/get-jwks.ts',
    area: 'platform',
    tag: platformTags.keys,
    auth: 'public',
    summary:
      "Public keys (ES256) that verify every token Portcullis issues: operator tokens (`iss` = the deployment's issuer) and every organization's end-user tokens (`iss` = `{apiBase}/v2/organizations/{orgId}`, whose own JWKS lists the same keys).",
    request: {},
    response: { status: 200, body: Jwks },
    access: { table: 'read' },
  }),
  getOrganizationJwks: route({
    id: 'getOrganizationJwks',
    method: 'GET',
    path: '/v2/organizations/{orgId}/.well-known/jwks.json',
    handler: 'functions/platform/get-organization-jwks.ts',
    area: 'platform',
    tag: platformTags.keys,
    auth: 'public',
    summary:
      "The organization's issuer keys: its end-user tokens carry `iss` = `{apiBase}/v2/organizations/{orgId}` and verify with the keys at `{iss}/.well-known/jwks.json` (public keys only, the same as the deployment's JWKS).",
    request: { params: OrganizationParams },
    response: { status: 200, body: Jwks },
    errors: { 404: ['not_found'] },
    access: { table: 'read' },
  }),

  // API reference (the OpenAPI document and a page rendering it)
  getOpenApiDocument: route({
    id: 'getOpenApiDocument',
    method: 'GET',
    path: '/v2/openapi.json',
    handler: 'functions/platform/get-openapi-document.ts',
    area: 'platform',
    tag: platformTags.docs,
    auth: 'public',
    summary: 'This OpenAPI 3.1 document, generated from the route manifest and the schemas the handlers validate with.',
    request: {},
    response: { status: 200, body: OpenApiDocument },
    access: {},
  }),
  getDocsPage: route({
    id: 'getDocsPage',
    method: 'GET',
    path: '/v2/docs',
    handler: 'functions/platform/get-docs-page.ts',
    area: 'platform',
    tag: platformTags.docs,
    auth: 'public',
    summary: 'The API reference page (Swagger UI, served from this deployment) rendering `/v2/openapi.json`.',
    request: {},
    response: { status: 200, mediaTypes: ['text/html'] },
    access: {},
  }),
  getDocsAsset: route({
    id: 'getDocsAsset',
    method: 'GET',
    path: '/v2/docs/{asset}',
    handler: 'functions/platform/get-docs-asset.ts',
    area: 'platform',
    tag: platformTags.docs,
    auth: 'public',
    summary: 'A script or style sheet of the reference page, from a fixed list; gzip-encoded when the client accepts it.',
    request: { params: DocsAssetParams },
    response: { status: 200, mediaTypes: ['text/javascript', 'text/css'] },
    access: {},
    bundleFiles: Object.values(DOCS_ASSETS).map((asset) => asset.module),
  }),
} as const;
