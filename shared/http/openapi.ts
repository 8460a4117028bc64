/**
 * The OpenAPI 3.1 document, generated from the route manifest and the very zod schemas the handlers
 * validate with: there is no second, hand-written copy to drift.
 */
import * as z from 'zod';
import { Problem } from '../schemas/common.ts';
import { authorizers, manifest, type RouteDefinition } from './manifest.ts';

type JsonSchema = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });
  return rest;
};

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** Error answers every route may give, besides its own success. */
function errorResponses(route: RouteDefinition): Record<string, unknown> {
  return {
    ...(route.request.body || route.request.query || route.request.params
      ? { '400': problemResponse('Invalid input: `invalid_json`, `validation_failed` (each field named in `errors`)') }
      : {}),
    ...(route.auth !== 'public' ? { '401': problemResponse('Missing, invalid or expired credentials') } : {}),
    '500': problemResponse('Unexpected error; the body says nothing internal'),
    '503': problemResponse('A dependency is throttling; retry after `Retry-After`'),
  };
}

/** Alternatives are OR-ed in OpenAPI: `bearer-or-apikey` routes take either credential. */
const SECURITY: Record<RouteDefinition['auth'], Record<string, string[]>[]> = {
  public: [],
  bearer: [{ bearer: [] }],
  apikey: [{ apikey: [] }],
  'bearer-or-apikey': [{ bearer: [] }, { apikey: [] }],
  // The short-lived token from login is a bearer token too.
  mfa: [{ bearer: [] }],
};

/** JSON answers carry their schema; other media types (HTML pages, `text/plain` downloads) are strings. */
function successResponse(route: RouteDefinition): Record<string, unknown> {
  const types = route.response.mediaTypes ?? (route.response.body ? ['application/json'] : []);
  if (types.length === 0) return { description: 'Success, no content' };
  const content = Object.fromEntries(
    types.map((type) => [
      type,
      { schema: type === 'application/json' && route.response.body ? jsonSchema(route.response.body, 'output') : { type: 'string' } },
    ]),
  );
  return { description: 'Success', content };
}

function operation(route: RouteDefinition): Record<string, unknown> {
  const { body, query, params } = route.request;
  const parameters = [
    ...Object.keys(params ? ((jsonSchema(params, 'input').properties as JsonSchema | undefined) ?? {}) : {}).map((name) => ({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string' },
    })),
    ...Object.entries(query ? ((jsonSchema(query, 'input').properties as JsonSchema | undefined) ?? {}) : {}).map(([name, schema]) => ({
      name,
      in: 'query',
      schema,
    })),
  ];
  return {
    operationId: route.id,
    summary: route.summary,
    security: SECURITY[route.auth],
    ...(parameters.length ? { parameters } : {}),
    ...(body
      ? {
          requestBody: {
            required: true,
            content: Object.fromEntries((route.request.bodyMediaTypes ?? ['application/json']).map((type) => [type, { schema: jsonSchema(body, 'input') }])),
          },
        }
      : {}),
    responses: {
      [String(route.response.status)]: successResponse(route),
      ...errorResponses(route),
    },
  };
}

export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of manifest) {
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Portcullis API',
      version: '2.0.0',
      description:
        'Multi-tenant authentication. Errors are RFC 9457 problem+json with a stable `code`. Bearer routes without an ' +
        'Authorization header are refused by API Gateway itself with 401 `{"message":"Unauthorized"}`.',
    },
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: `Operator access token (ES256, 15 min); authorizer cache ${authorizers.bearer.cacheTtlSeconds} s` },
        apikey: { type: 'apiKey', in: 'header', name: 'apikey' },
      },
      schemas: { Problem: jsonSchema(Problem, 'output') },
    },
  };
}
