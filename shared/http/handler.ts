/**
 * The one wrapper every route handler uses. In order: Powertools logger with per-request keys,
 * publishing of the invocation's metrics (Powertools EMF), problem+json and security headers (its
 * onError runs last), header normalization, JSON body parsing, schema validation, auth context; then
 * the handler with typed input.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type * as z from '../schemas/zod.ts';
import { AppError, InvalidJsonError, ValidationError } from '../domain/kernel/errors.ts';
import { principalFor, type CredentialResolver, type Principal } from './auth-context.ts';
import { endInvocation } from './invocation-end.ts';
import { logger } from './logger.ts';
import type { RouteDefinition } from './manifest.ts';
import { oauthErrorResponse } from './oauth-error.ts';
import { problemResponse } from './problem.ts';
import { SECURITY_HEADERS, type HandlerResult } from './responses.ts';
import { wantsCookieMode } from './session-cookie.ts';
import { validatePart } from './validation.ts';

/** Larger bodies are refused before parsing: nothing in this API needs more. */
export const MAX_BODY_BYTES = 64 * 1024;

type Output<S> = [Exclude<S, undefined>] extends [z.core.$ZodType] ? z.output<Exclude<S, undefined>> : undefined;

export interface RequestInput<R extends RouteDefinition> {
  body: Output<R['request']['body']>;
  query: Output<R['request']['query']>;
  params: Output<R['request']['params']>;
  principal: Principal;
  event: APIGatewayProxyEventV2;
  requestId: string;
  sourceIp: string;
  /** The request's User-Agent ('' when none): a session started by this request keeps it, truncated. */
  userAgent: string;
}

interface ApiContext extends Context {
  input?: RequestInput<RouteDefinition>;
}

type ApiMiddleware = MiddlewareObj<APIGatewayProxyEventV2, HandlerResult, Error, ApiContext>;

/**
 * Turns any error into problem+json (or, on the OAuth endpoints, an RFC 6749 §5.2 error body) and puts
 * the security headers on every response.
 */
const problemResponses = (route: RouteDefinition): ApiMiddleware => ({
  after: (request) => {
    if (request.response) request.response.headers = { ...SECURITY_HEADERS, ...request.response.headers };
  },
  onError: (request) => {
    if (route.errorFormat === 'oauth') {
      const { result, expected, error, reason } = oauthErrorResponse(request.error);
      if (expected) logger.info('request refused', { status: result.statusCode, error, ...(reason ? { reason } : {}) });
      else logger.error('request failed', request.error as Error);
      request.response = { ...result, headers: { ...SECURITY_HEADERS, ...result.headers } };
      return;
    }
    const { result, expected } = problemResponse(request.error, request.event.requestContext.requestId);
    if (expected) {
      logger.info('request refused', { status: result.statusCode, problem: (request.error as AppError).code });
    } else {
      logger.error('request failed', request.error as Error);
    }
    request.response = { ...result, headers: { ...SECURITY_HEADERS, ...result.headers } };
  },
});

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

function unsupportedMediaType(accepted: readonly string[]): AppError {
  return new AppError(415, 'unsupported_media_type', 'Unsupported Media Type', `Send the body as ${accepted.join(' or ')}.`);
}

/**
 * The body as the route takes it. JSON everywhere (a missing `Content-Type` is read as JSON, for
 * scripts); URL-encoded forms only where the manifest entry lists them (`bodyMediaTypes`: the HTML
 * form routes, SPEC §6). Any other type is a 415: a cross-site page can post a form or `text/plain`
 * without a CORS preflight, so the API routes must not read one as a request.
 */
function parseBody(event: APIGatewayProxyEventV2, route: RouteDefinition): unknown {
  if (event.body === undefined || event.body === '') return undefined;
  const accepted = route.request.bodyMediaTypes ?? [JSON_TYPE];
  const contentType = (event.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const isForm = contentType === FORM;
  const isJson = contentType === '' || contentType === JSON_TYPE || /^application\/[\w.+-]+\+json$/.test(contentType);
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    throw new AppError(413, 'payload_too_large', 'Payload Too Large', `The body must be at most ${MAX_BODY_BYTES} bytes.`);
  }
  if ((isForm && !accepted.includes(FORM)) || (isJson && !accepted.includes(JSON_TYPE)) || (!isForm && !isJson)) {
    throw unsupportedMediaType(accepted);
  }
  // HTML forms (the enrolment page works without JavaScript) post URL-encoded fields; last value wins,
  // except on the OAuth endpoints, whose parameters "MUST NOT be included more than once" (RFC 6749 §3.1).
  if (isForm) {
    const fields = new URLSearchParams(text);
    const repeated = route.errorFormat === 'oauth' ? [...new Set(fields.keys())].find((key) => fields.getAll(key).length > 1) : undefined;
    if (repeated !== undefined) throw new ValidationError([{ field: `body.${repeated}`, message: 'must not be repeated' }]);
    return Object.fromEntries(fields);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidJsonError();
  }
}

/** Parses and validates body, query and path parameters, then establishes the principal. */
const validateAndAuthenticate = (route: RouteDefinition, credentials: CredentialResolver | undefined): ApiMiddleware => ({
  before: async (request) => {
    const { event } = request;
    const { body, query, params } = route.request;
    const rawBody = parseBody(event, route);
    // A bad `X-Refresh-Token-Mode` is refused before any work: never a login spent on an answer that then fails.
    if (route.issuesOperatorSession || route.readsRefreshCookie) wantsCookieMode(event);
    request.context.input = {
      body: body ? validatePart(body, rawBody, 'body') : undefined,
      query: query ? validatePart(query, event.queryStringParameters ?? {}, 'query') : undefined,
      params: params ? validatePart(params, event.pathParameters ?? {}, 'params') : undefined,
      principal: await principalFor(route.auth, event, credentials),
      event,
      requestId: event.requestContext.requestId,
      sourceIp: event.requestContext.http.sourceIp,
      userAgent: event.requestContext.http.userAgent || event.headers['user-agent'] || '',
    };
  },
});

/** Appends the request id and route to every log line of this invocation. */
const requestLogKeys = (route: RouteDefinition): ApiMiddleware => ({
  before: (request) => {
    logger.appendKeys({ requestId: request.event.requestContext.requestId, route: route.id });
  },
});

/**
 * Publishes the business metrics the domain counted during the invocation (one EMF line), after the
 * response is built and also when it is an error: a refused sign-in is a metric too.
 */
const publishMetrics = (): ApiMiddleware => ({
  after: () => {
    endInvocation();
  },
  onError: () => {
    endInvocation();
  },
});

/** Routes that verify their credential in the function name how (credentials.ts); the others cannot. */
type CredentialOptions<R extends RouteDefinition> = R['auth'] extends 'bearer-or-apikey' | 'mfa' | 'public-or-bearer'
  ? [options: { credentials: CredentialResolver }]
  : [options?: { credentials?: never }];

/** Wraps a route's handler; `route` comes from the manifest, so schemas and types are the manifest's. */
export function defineHandler<R extends RouteDefinition>(route: R, handle: (input: RequestInput<R>) => Promise<HandlerResult>, ...[options]: CredentialOptions<R>) {
  return middy<APIGatewayProxyEventV2, HandlerResult, Error, ApiContext>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(publishMetrics())
    .use(requestLogKeys(route))
    .use(problemResponses(route))
    .use(httpHeaderNormalizer())
    .use(validateAndAuthenticate(route, options?.credentials))
    .handler((_event, context) => {
      if (!context.input) throw new Error('request input missing: validation middleware did not run');
      return handle(context.input);
    });
}
