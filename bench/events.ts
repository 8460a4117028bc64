/**
 * API Gateway HTTP API (payload 2.0) events, as the deployed gateway hands them to a route function
 * after its authorizer: the benchmark calls handlers with these, in-process and in fresh processes.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { RouteDefinition } from '#shared/http/manifest.ts';

export interface Credentials {
  /** Operator access token (bearer routes, bearer-or-apikey routes). */
  accessToken?: string;
  userId?: string;
  /** An API key with `authenticate` and `manage` on the organization. */
  apiKey?: string;
  keyId?: string;
  accountId?: string;
  organizationId?: string;
}

export interface EventInput {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  /** Extra headers (e.g. a different Authorization). */
  headers?: Record<string, string>;
}

function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? `missing-${name}`));
}

/** The event of one request to `route`, with what the bearer and apikey authorizers would have said. */
export function gatewayEvent(route: RouteDefinition, credentials: Credentials, input: EventInput = {}): APIGatewayProxyEventV2 {
  const params = input.params ?? {};
  const rawPath = fillPath(route.path, params);
  const query = input.query ?? {};
  const rawQueryString = new URLSearchParams(query).toString();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'portcullis-bench',
    ...(credentials.accessToken ? { authorization: `Bearer ${credentials.accessToken}` } : {}),
    ...(credentials.apiKey && route.auth !== 'bearer' ? { apikey: credentials.apiKey } : {}),
    ...input.headers,
  };
  const now = new Date();
  const routeKey = `${route.method} ${route.path}`;
  const authorizer = {
    valid: true,
    ...(credentials.userId ? { userId: credentials.userId, expiresAt: Math.floor(now.getTime() / 1000) + 900, amr: 'pwd' } : {}),
    ...(credentials.keyId
      ? { keyId: credentials.keyId, accountId: credentials.accountId, permissions: 'authenticate manage', organizations: credentials.organizationId }
      : {}),
  };
  const parameterNames = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '');
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    headers,
    ...(rawQueryString ? { queryStringParameters: query } : {}),
    ...(parameterNames.length ? { pathParameters: Object.fromEntries(parameterNames.map((name) => [name, params[name] ?? ''])) } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'bench.local',
      domainPrefix: 'bench',
      http: { method: route.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'portcullis-bench' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
      ...(route.auth === 'bearer' || route.auth === 'apikey' ? { authorizer: { lambda: authorizer } } : {}),
    },
    ...(input.body === undefined ? {} : { body: typeof input.body === 'string' ? input.body : JSON.stringify(input.body) }),
    isBase64Encoded: false,
  };
}

/** The event API Gateway hands a Lambda authorizer (REQUEST type, payload 2.0) for one identity. */
export function authorizerEvent(route: RouteDefinition, identity: string, credentials: Credentials): Record<string, unknown> {
  const event = gatewayEvent(route, credentials);
  return {
    ...event,
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:us-east-1:000000000000:bench/$default/${route.method}${event.rawPath}`,
    identitySource: [identity],
    cookies: [],
    pathParameters: event.pathParameters ?? {},
    queryStringParameters: event.queryStringParameters ?? {},
    stageVariables: {},
  };
}
