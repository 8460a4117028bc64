/**
 * The OpenAPI 3.1 document, generated from the route manifest and the very zod schemas the handlers
 * validate with: there is no second, hand-written copy to drift. Each route entry carries its own
 * error codes, examples and tag; what is kept here is what every route shares (what each code means,
 * the codes each auth kind implies, API Gateway's own answers).
 */
import { described, Problem } from '../schemas/common.ts';
import * as z from '../schemas/zod.ts';
import { authorizers, manifest, tags, type RouteDefinition } from './manifest.ts';
import { MAX_BODY_BYTES } from './handler.ts';
import { REFRESH_COOKIE, REFRESH_COOKIE_PATH } from './session-cookie.ts';

type JsonSchema = Record<string, unknown>;

const jsonSchema = (schema: z.core.$ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });
  return rest;
};

/** What each `code` means; every code a response lists must be here (the document build checks it). */
const CODE_MEANINGS: Record<string, string> = {
  validation_failed: 'a field is invalid; `errors` names each one (`body.email`, `query.limit`, `params.orgId`)',
  invalid_json: 'the body is not valid JSON',
  weak_password: 'the password is too common or contains the email address',
  unauthorized: 'no credential was sent',
  invalid_token: 'the access token is invalid',
  token_expired: 'the access token has expired',
  invalid_api_key: 'the API key is invalid or revoked',
  invalid_mfa_token: 'the MFA token is invalid, expired or already used',
  invalid_reset_token: 'the password-reset link is unknown, expired, replaced by a newer one or already used (one answer for all); ask for a new one',
  invalid_credentials: 'the email, password, code, link or challenge is wrong (one answer for all, so nothing leaks)',
  invalid_code: 'the TOTP or recovery code is wrong or expired',
  code_already_used: 'this TOTP code was already used; wait for the next one',
  too_many_attempts: 'too many wrong codes: the factor or challenge is locked for a while',
  expired: 'the challenge or refresh token has expired or was already used; on refresh, the session passed its absolute lifetime or its idle timeout (sign in again)',
  invalid_refresh_token: 'the refresh token is unknown or revoked',
  refresh_token_reused: 'a spent refresh token was presented again: its whole family is now revoked',
  mfa_enrollment_required: 'two-factor authentication became required: sign in again to set it up',
  mfa_required: 'the person now has a second factor this session never showed: sign in again with it',
  sign_in_required: 'the invited email already has a login: send its access token (`Authorization: Bearer`) to accept',
  step_up_required: 'the caller has two-factor authentication but this session did not show it (`amr` without `otp`): sign in again with the code',
  invitation_email_mismatch: 'the invitation is for another email than the signed-in operator',
  member_in_other_accounts: 'a second factor and the sessions belong to the person, who is a member of other accounts too: only they can change their factor or end their sessions',
  unsupported_media_type: 'the body’s `Content-Type` is not one this route takes (JSON everywhere; form bodies only on the HTML form routes)',
  forbidden: 'the caller may not do this (role, scope or key permission)',
  not_found: 'the resource does not exist or is outside the caller’s scope',
  system_not_found: 'the organization has no system of that name',
  email_taken: 'the email is already in use by another end user of the organization',
  signup_closed: 'sign-up is closed on this deployment: accounts come from invitations',
  invalid_signup_token: 'the sign-up link is unknown, expired or already used: sign up again',
  system_exists: 'a system with this name already exists',
  organization_quota_exceeded: 'the account has as many organizations as the deployment allows (`ORGANIZATIONS_PER_ACCOUNT`, 1,000 by default); delete one first',
  member_exists: 'this operator is already a member of the account',
  last_owner: 'an account must keep at least one owner',
  conflict: 'changed concurrently; reload and retry',
  key_revoked: 'the key is already revoked',
  invitation_used: 'the invitation has already been accepted',
  invitation_expired: 'the invitation has expired',
  no_pending_enrollment: 'no TOTP enrolment was started',
  enrollment_changed: 'the TOTP enrolment changed meanwhile; start again',
  mfa_not_enrolled: 'no two-factor authentication is set up',
  passkey_rejected: 'the passkey response did not verify (challenge, origin, RP ID, signature or counter), or names no passkey known here',
  invalid_passkey_flow: 'the flow is unknown, expired (5 minutes) or already used: ask for new options',
  passkey_exists: 'this credential is already registered',
  passkey_limit: 'the person has the most passkeys allowed (20): remove one first',
  passwordless_url_missing: 'the system has no `passwordlessUrl` for magic links',
  webauthn_not_configured: 'the system has no `webauthn` relying party for passkeys',
  payload_too_large: `the body is larger than ${MAX_BODY_BYTES / 1024} KiB`,
  rate_limited: 'too many attempts, SMS or sign-in e-mails; wait `Retry-After` seconds',
  internal_error: 'unexpected; the body says nothing internal',
  sms_failed: 'SNS refused or failed to send the SMS; the SMS budget was given back, start a new sign-in',
  email_failed: 'SES refused or failed to send the e-mail: a sign-in e-mail (its budget given back; start a new sign-in), an invitation (none was kept; invite again) or a sign-up e-mail (try again)',
  service_unavailable: 'DynamoDB is throttling or contended; retry after `Retry-After` seconds',
  // The OAuth endpoints' codes (RFC 6749 §5.2, RFC 6750 §3.1), in `{error, error_description}` bodies.
  invalid_request: 'a parameter is missing, malformed or repeated, or the body is not form-encoded (or too large: 413)',
  invalid_client: 'client authentication failed: unknown `client_id`, wrong or missing secret, a secret sent by a public client, or a malformed `Authorization: Basic` header (which then gets `WWW-Authenticate: Basic`)',
  invalid_grant: 'the code is unknown, expired, already used, of another organization or client, or `redirect_uri` or the PKCE `code_verifier` does not match; or the end user was disabled, deleted or lost access since the sign-in (one answer for all; the code is spent)',
  unsupported_grant_type: '`grant_type` is not `authorization_code`',
  insufficient_scope: 'the access token was not granted the `openid` scope',
  server_error: 'unexpected; the body says nothing internal',
  temporarily_unavailable: 'DynamoDB is throttling or contended, or the keys are not provisioned yet; retry after `Retry-After` seconds',
};

/** Codes the function itself answers with, by auth kind (the credential checks in shared/http/credentials.ts). */
const AUTH_CODES: Record<RouteDefinition['auth'], { 401: readonly string[]; 403: readonly string[] }> = {
  public: { 401: [], 403: [] },
  // The authorizers let every request that carries the header through and tell the function whether
  // the credential is valid, so that a bad one gets a 401 problem with a code (shared/http/auth-context.ts).
  bearer: { 401: ['invalid_token', 'token_expired'], 403: ['forbidden'] },
  apikey: { 401: ['invalid_api_key'], 403: ['forbidden'] },
  'bearer-or-apikey': { 401: ['unauthorized', 'invalid_token', 'token_expired', 'invalid_api_key'], 403: ['forbidden'] },
  mfa: { 401: ['unauthorized', 'invalid_mfa_token', 'invalid_token', 'token_expired'], 403: ['forbidden'] },
  'public-or-bearer': { 401: ['invalid_token', 'token_expired'], 403: [] },
};

/** API Gateway's own answers (not problem+json): `{"message": "…"}`. */
const GATEWAY_MESSAGES: Record<number, string> = {
  401: 'Unauthorized',
  413: 'Request Entity Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

const RETRY_AFTER = {
  'Retry-After': {
    description: 'Seconds to wait before retrying (on `rate_limited` and `service_unavailable`).',
    schema: { type: 'integer', minimum: 1 },
  },
};

interface ErrorAnswer {
  status: number;
  codes: string[];
  /** The codes' body: problem+json, or RFC 6749 §5.2 JSON on routes with `errorFormat: 'oauth'`. @default 'problem' */
  format?: 'oauth';
  /** When API Gateway itself may answer with this status, and why. */
  gateway?: string;
  html?: string;
}

/**
 * The error answers of an OAuth endpoint (`errorFormat: 'oauth'`): the wrapper's refusals are
 * `invalid_request` (a non-form body included: RFC 6749 asks for 400), then the codes it lists.
 */
function oauthErrorAnswers(route: RouteDefinition): ErrorAnswer[] {
  const extra = route.errors ?? {};
  const { body } = route.request;
  const answers: ErrorAnswer[] = [
    { status: 400, codes: ['invalid_request', ...(extra[400] ?? [])] },
    { status: 401, codes: [...(extra[401] ?? [])] },
    { status: 403, codes: [...(extra[403] ?? [])] },
    { status: 413, codes: body ? ['invalid_request'] : [], ...(body ? { gateway: 'API Gateway, for bodies over 10 MB' } : {}) },
    { status: 429, codes: [], gateway: 'API Gateway, when the stage throttle (requests per second) is exceeded' },
    { status: 500, codes: ['server_error'], gateway: 'API Gateway, when the function crashes or times out' },
    { status: 503, codes: route.access.table ? ['temporarily_unavailable'] : [] },
  ];
  return answers
    .map((answer) => ({ ...answer, codes: [...new Set(answer.codes)], format: 'oauth' as const }))
    .filter((answer) => answer.codes.length > 0 || answer.gateway !== undefined);
}

/** Every error answer of a route: what its entry implies, then the codes it lists (`errors`). */
function errorAnswers(route: RouteDefinition): ErrorAnswer[] {
  if (route.errorFormat === 'oauth') return oauthErrorAnswers(route);
  const extra = route.errors ?? {};
  const { body, query, params } = route.request;
  const behindAuthorizer = route.auth === 'bearer' || route.auth === 'apikey';
  const header = route.auth === 'apikey' ? '`apikey` header' : '`Authorization` header';
  const answers: ErrorAnswer[] = [
    { status: 400, codes: [...(body || query || params ? ['validation_failed'] : []), ...(body ? ['invalid_json'] : []), ...(extra[400] ?? [])] },
    {
      status: 401,
      codes: [...AUTH_CODES[route.auth][401], ...(extra[401] ?? [])],
      ...(behindAuthorizer ? { gateway: `API Gateway, when the ${header} is missing` } : {}),
    },
    { status: 403, codes: [...AUTH_CODES[route.auth][403], ...(extra[403] ?? [])] },
    route.notFoundPage
      ? { status: 404, codes: [], html: 'The link is unknown, expired or already used: an HTML page says so.' }
      : { status: 404, codes: [...(params && route.auth !== 'public' ? ['not_found'] : []), ...(extra[404] ?? [])] },
    { status: 409, codes: [...(extra[409] ?? [])] },
    { status: 410, codes: [...(extra[410] ?? [])] },
    { status: 413, codes: body ? ['payload_too_large'] : [], ...(body ? { gateway: 'API Gateway, for bodies over 10 MB' } : {}) },
    { status: 415, codes: body ? ['unsupported_media_type'] : [] },
    { status: 429, codes: [...(extra[429] ?? [])], gateway: 'API Gateway, when the stage throttle (requests per second) is exceeded' },
    { status: 500, codes: ['internal_error'], gateway: 'API Gateway, when the function crashes or times out' },
    { status: 502, codes: [...(route.access.sms ? ['sms_failed'] : []), ...(extra[502] ?? [])] },
    { status: 503, codes: route.access.table ? ['service_unavailable'] : [] },
  ];
  return answers
    .map((answer) => ({ ...answer, codes: [...new Set(answer.codes)] }))
    .filter((answer) => answer.codes.length > 0 || answer.gateway !== undefined || answer.html !== undefined);
}

const TITLES: Record<number, string> = {
  400: 'Invalid input',
  401: 'Not authenticated',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict',
  410: 'Gone',
  413: 'Body too large',
  415: 'Unsupported body type',
  429: 'Too many requests',
  500: 'Unexpected error',
  502: 'SMS or e-mail provider failed',
  503: 'Temporarily unavailable',
};

function errorResponse(answer: ErrorAnswer): Record<string, unknown> {
  const lines = [
    `${TITLES[answer.status] ?? 'Error'}.`,
    ...answer.codes.map((code) => {
      const meaning = CODE_MEANINGS[code];
      if (!meaning) throw new Error(`error code ${code} has no meaning in CODE_MEANINGS`);
      return `- \`${code}\`: ${meaning}`;
    }),
    ...(answer.gateway ? [`- \`{"message": "${GATEWAY_MESSAGES[answer.status] ?? ''}"}\` (application/json): ${answer.gateway}`] : []),
    ...(answer.html ? [answer.html] : []),
  ];
  const content: Record<string, unknown> = {};
  const gatewaySchema = { $ref: '#/components/schemas/GatewayError' };
  if (answer.format === 'oauth') {
    const oauth = { allOf: [{ $ref: '#/components/schemas/OAuthError' }, { type: 'object', properties: { error: { type: 'string', enum: answer.codes } } }] };
    const schemas = [...(answer.codes.length > 0 ? [oauth] : []), ...(answer.gateway ? [gatewaySchema] : [])];
    content['application/json'] = { schema: schemas.length === 1 ? schemas[0] : { oneOf: schemas } };
  } else if (answer.codes.length > 0) {
    content['application/problem+json'] = {
      schema: { allOf: [{ $ref: '#/components/schemas/Problem' }, { type: 'object', properties: { code: { type: 'string', enum: answer.codes } } }] },
    };
  }
  if (answer.gateway && answer.format !== 'oauth') content['application/json'] = { schema: gatewaySchema };
  if (answer.html) content['text/html'] = { schema: { type: 'string' } };
  return {
    description: lines.join('\n'),
    ...(answer.status === 429 || answer.status === 503 ? { headers: RETRY_AFTER } : {}),
    content,
  };
}

/** Alternatives are OR-ed in OpenAPI: `bearer-or-apikey` routes take either credential. */
const SECURITY: Record<RouteDefinition['auth'], Record<string, string[]>[]> = {
  public: [],
  bearer: [{ bearer: [] }],
  apikey: [{ apikey: [] }],
  'bearer-or-apikey': [{ bearer: [] }, { apikey: [] }],
  // The short-lived token from login (or an access token) is sent as a bearer token too.
  mfa: [{ bearer: [] }],
  // Anonymous or a bearer token: `{}` is OpenAPI's "no credential" alternative.
  'public-or-bearer': [{}, { bearer: [] }],
};

const SUCCESS_DESCRIPTIONS: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content' };

/** JSON answers carry their schema; other media types (HTML pages, `text/plain` downloads, assets) are strings. */
function successResponse(route: RouteDefinition): Record<string, unknown> {
  const types = route.response.mediaTypes ?? (route.response.body ? ['application/json'] : []);
  const description = SUCCESS_DESCRIPTIONS[route.response.status] ?? 'Success';
  const headers = setCookieHeader(route);
  if (types.length === 0) return { description, ...headers };
  const examples = route.examples?.response;
  const content = Object.fromEntries(
    types.map((type) => [
      type,
      type === 'application/json' && route.response.body
        ? { schema: jsonSchema(route.response.body, 'output'), ...(examples ? { examples } : {}) }
        : { schema: { type: 'string' } },
    ]),
  );
  return { description, ...headers, content };
}

/**
 * Cookie mode (shared/http/session-cookie.ts): the opt-in header on every route that answers operator
 * tokens or reads the cookie, and the cookie itself where it is read.
 */
function refreshCookieParameters(route: RouteDefinition): Record<string, unknown>[] {
  return [
    {
      name: 'X-Refresh-Token-Mode',
      in: 'header',
      required: false,
      description:
        '`cookie` (the console): the refresh token travels in an `HttpOnly; Secure; SameSite=Strict` cookie on `/v2/auth`, never in the JSON body; `body` (the default, for API clients): in the JSON body, and any cookie is ignored.',
      schema: { type: 'string', enum: ['cookie', 'body'] },
    },
    ...(route.readsRefreshCookie
      ? [{ name: REFRESH_COOKIE, in: 'cookie', required: false, description: 'The refresh token, in cookie mode only.', schema: { type: 'string' } }]
      : []),
  ];
}

/** The `Set-Cookie` an answer carries in cookie mode: the refresh token, or its removal (logout). */
function setCookieHeader(route: RouteDefinition): { headers?: Record<string, unknown> } {
  if (!route.issuesOperatorSession && !route.readsRefreshCookie) return {};
  const description = route.issuesOperatorSession
    ? `In cookie mode, when the answer carries tokens: \`${REFRESH_COOKIE}=<refresh token>; Path=${REFRESH_COOKIE_PATH}; HttpOnly; Secure; SameSite=Strict; Max-Age=<seconds until the session's absolute end>\`.`
    : `In cookie mode: \`${REFRESH_COOKIE}=; Path=${REFRESH_COOKIE_PATH}; HttpOnly; Secure; SameSite=Strict; Max-Age=0\`.`;
  return { headers: { 'Set-Cookie': { description, schema: { type: 'string' } } } };
}

/** The entry's tag, which must be one its area module exports (the manifest joins them into `tags`). */
function tagOf(route: RouteDefinition): string {
  if (!tags.includes(route.tag)) throw new Error(`route ${route.id}: tag "${route.tag.name}" is not one of an area module's tags`);
  return route.tag.name;
}

function operation(route: RouteDefinition): Record<string, unknown> {
  const { body, query, params } = route.request;
  const parameters: Record<string, unknown>[] = [
    ...Object.entries(params ? ((jsonSchema(params, 'input').properties as JsonSchema | undefined) ?? {}) : {}).map(([name, schema]) => ({
      name,
      in: 'path',
      required: true,
      schema,
    })),
    ...Object.entries(query ? ((jsonSchema(query, 'input').properties as JsonSchema | undefined) ?? {}) : {}).map(([name, schema]) => ({
      name,
      in: 'query',
      schema,
    })),
  ];
  if (route.issuesOperatorSession || route.readsRefreshCookie) parameters.push(...refreshCookieParameters(route));
  const requestExamples = route.examples?.request;
  return {
    operationId: route.id,
    summary: route.summary,
    tags: [tagOf(route)],
    security: SECURITY[route.auth],
    ...(parameters.length ? { parameters } : {}),
    ...(body
      ? {
          requestBody: {
            // Optional only where the schema takes no body at all (refresh and logout in cookie mode).
            required: !z.safeParse(body, undefined).success,
            content: Object.fromEntries(
              (route.request.bodyMediaTypes ?? ['application/json']).map((type) => [
                type,
                { schema: jsonSchema(body, 'input'), ...(requestExamples && type === 'application/json' ? { examples: requestExamples } : {}) },
              ]),
            ),
          },
        }
      : {}),
    responses: {
      [String(route.response.status)]: successResponse(route),
      ...Object.fromEntries(
        (route.response.alternatives ?? []).map((alternative) => [
          String(alternative.status),
          { description: alternative.description, content: { 'application/json': { schema: jsonSchema(alternative.body, 'output') } } },
        ]),
      ),
      ...Object.fromEntries(errorAnswers(route).map((answer) => [String(answer.status), errorResponse(answer)])),
    },
  };
}

/** The Problem body, with the extension member `rate_limited` answers carry (shared/domain/kernel/errors.ts). */
const DocumentedProblem = z.extend(Problem, {
  retryAfter: described(z.optional(z.number().check(z.int())), 'On `rate_limited`: the seconds in `Retry-After`.'),
});

export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of manifest) {
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  }
  const usedTags = new Set(manifest.map(tagOf));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Portcullis API',
      version: '2.0.0',
      summary: 'Multi-tenant authentication: SMS PIN, magic link and TOTP sign-in, with a management API.',
      description: [
        'Errors are RFC 9457 `application/problem+json` with a stable `code`; each response lists the codes it may carry.',
        'The OAuth endpoints (`/oauth2/token`, `/oauth2/userinfo`) answer RFC 6749 §5.2 JSON `{error, error_description}` instead, as relying-party libraries expect.',
        'Validation errors name every offending field in `errors` (`body.email`, `query.limit`, `params.orgId`).',
        'On bearer and `apikey` routes a missing header is answered by API Gateway itself with 401 `{"message":"Unauthorized"}`;',
        'a present but invalid, expired or revoked credential gets a 401 problem with its code.',
        'Lists answer `{items, nextCursor}`; pass `nextCursor` back as `?cursor=`.',
      ].join(' '),
    },
    // Relative: the document is served by the deployment it describes (and by `npm start` locally).
    servers: [{ url: '/', description: 'This deployment' }],
    tags: tags.filter((tag) => usedTags.has(tag.name)),
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            `Operator access token (ES256 JWT, 15 min) from signup, login or refresh; API Gateway caches the authorizer's answer ${authorizers.bearer.cacheTtlSeconds} s. ` +
            'Routes of the MFA enrolment (`/v2/me/mfa/totp…`) also take the 5-minute `mfaToken` from login here.',
        },
        apikey: {
          type: 'apiKey',
          in: 'header',
          name: 'apikey',
          description:
            `An access key created by an account owner (\`POST /v2/accounts/{accountId}/keys\`), with the \`authenticate\` and/or \`manage\` permission; revocation takes effect within ${authorizers.apikey.cacheTtlSeconds} s.`,
        },
      },
      schemas: {
        Problem: jsonSchema(DocumentedProblem, 'output'),
        OAuthError: {
          type: 'object',
          description: 'The error body of the OAuth endpoints (token, userinfo): RFC 6749 §5.2, not problem+json.',
          properties: {
            error: { type: 'string', description: 'The OAuth error code.' },
            error_description: { type: 'string', description: 'Human-readable, ASCII; says nothing a caller could probe with.' },
          },
          required: ['error'],
        },
        GatewayError: {
          type: 'object',
          description: "API Gateway's own error body (not problem+json).",
          properties: { message: { type: 'string' } },
          required: ['message'],
        },
      },
    },
  };
}
