/**
 * The OpenAPI 3.1 document, generated from the route manifest and the very zod schemas the handlers
 * validate with: there is no second, hand-written copy to drift. What the manifest cannot say (the
 * error codes a route's domain code throws, examples, tag names) is kept here, keyed by route id.
 */
import * as z from 'zod';
import { Problem } from '../schemas/common.ts';
import { authorizers, manifest, type RouteDefinition, type RouteId } from './manifest.ts';
import { MAX_BODY_BYTES } from './handler.ts';

type JsonSchema = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
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
  invalid_credentials: 'the email, password, code, link or challenge is wrong (one answer for all, so nothing leaks)',
  invalid_code: 'the TOTP or recovery code is wrong or expired',
  code_already_used: 'this TOTP code was already used; wait for the next one',
  too_many_attempts: 'too many wrong codes: the factor or challenge is locked for a while',
  expired: 'the challenge or refresh token has expired or was already used',
  invalid_refresh_token: 'the refresh token is unknown or revoked',
  refresh_token_reused: 'a spent refresh token was presented again: its whole family is now revoked',
  mfa_enrollment_required: 'two-factor authentication became required: sign in again to set it up',
  mfa_required: 'the person now has a second factor this session never showed: sign in again with it',
  sign_in_required: 'the invited email already has a login: send its access token (`Authorization: Bearer`) to accept',
  step_up_required: 'the caller has two-factor authentication but this session did not show it (`amr` without `otp`): sign in again with the code',
  invitation_email_mismatch: 'the invitation is for another email than the signed-in operator',
  member_in_other_accounts: 'a second factor belongs to the person, who is a member of other accounts too: only they can change it',
  unsupported_media_type: 'the body’s `Content-Type` is not one this route takes (JSON everywhere; form bodies only on the HTML form routes)',
  forbidden: 'the caller may not do this (role, scope or key permission)',
  not_found: 'the resource does not exist or is outside the caller’s scope',
  system_not_found: 'the organization has no system of that name',
  email_taken: 'the email is already in use',
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
  passwordless_url_missing: 'the system has no `passwordlessUrl` for magic links',
  payload_too_large: `the body is larger than ${MAX_BODY_BYTES / 1024} KiB`,
  rate_limited: 'too many attempts or SMS; wait `Retry-After` seconds',
  internal_error: 'unexpected; the body says nothing internal',
  sms_failed: 'SNS refused or failed to send the SMS; the SMS budget was given back, start a new sign-in',
  service_unavailable: 'DynamoDB is throttling or contended; retry after `Retry-After` seconds',
};

type StatusCodes = Partial<Record<400 | 401 | 403 | 404 | 409 | 410 | 429, readonly string[]>>;

const WRONG_CODE = ['invalid_code', 'code_already_used', 'too_many_attempts'] as const;

/**
 * Codes a route answers beyond those its manifest entry implies (input → 400, auth kind → 401/403,
 * path parameters → 404, SMS → 502, table → 503), read off the domain code it calls.
 */
const ROUTE_ERRORS: Partial<Record<RouteId, StatusCodes>> = {
  signup: { 400: ['weak_password'], 409: ['email_taken'] },
  login: { 401: ['invalid_credentials'], 429: ['rate_limited'] },
  refresh: { 401: ['invalid_refresh_token', 'refresh_token_reused', 'expired', 'mfa_enrollment_required', 'mfa_required'] },
  completeMfaLogin: { 401: ['invalid_mfa_token', ...WRONG_CODE] },
  acceptInvitation: {
    400: ['weak_password'],
    401: ['sign_in_required'],
    403: ['invitation_email_mismatch', 'step_up_required'],
    404: ['not_found'],
    409: ['invitation_used', 'member_exists'],
    410: ['invitation_expired'],
  },
  startOperatorTotp: { 401: ['invalid_credentials'], 429: ['rate_limited'] },
  confirmOperatorTotp: { 401: WRONG_CODE, 409: ['no_pending_enrollment', 'enrollment_changed'] },
  regenerateRecoveryCodes: { 401: WRONG_CODE, 409: ['mfa_not_enrolled', 'enrollment_changed'] },
  disableOperatorTotp: { 401: ['invalid_credentials', ...WRONG_CODE], 409: ['mfa_not_enrolled'], 429: ['rate_limited'] },
  resetMemberMfa: { 403: ['step_up_required'], 409: ['mfa_not_enrolled', 'member_in_other_accounts'] },
  createMfaEnrollmentLink: { 403: ['step_up_required'], 409: ['member_in_other_accounts'] },
  confirmEndUserTotp: { 401: WRONG_CODE, 409: ['no_pending_enrollment', 'enrollment_changed'] },
  createOrganization: { 409: ['organization_quota_exceeded'] },
  createSystem: { 409: ['system_exists'] },
  createEndUser: { 409: ['email_taken'] },
  updateEndUser: { 409: ['email_taken'] },
  createInvitation: { 409: ['member_exists'] },
  revokeInvitation: { 409: ['invitation_used'] },
  updateMember: { 409: ['last_owner', 'conflict'] },
  removeMember: { 409: ['last_owner', 'conflict'] },
  revokeAccessKey: { 409: ['key_revoked'] },
  startAuthentication: { 404: ['not_found', 'system_not_found'], 409: ['passwordless_url_missing'], 429: ['rate_limited'] },
  completeAuthentication: { 401: ['invalid_credentials', 'expired', 'too_many_attempts'], 404: ['not_found', 'system_not_found'], 429: ['rate_limited'] },
  getOrganizationJwks: { 404: ['not_found'] },
};

/** The enrolment page answers an unknown, expired or used link with an HTML page, not problem+json. */
const HTML_NOT_FOUND: readonly RouteId[] = ['showMfaEnrollmentPage', 'submitMfaEnrollmentPage'];

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
  /** When API Gateway itself may answer with this status, and why. */
  gateway?: string;
  html?: string;
}

/** Every error answer of a route: from its manifest entry, then the per-route codes. */
function errorAnswers(route: RouteDefinition): ErrorAnswer[] {
  const id = route.id as RouteId;
  const extra = ROUTE_ERRORS[id] ?? {};
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
    HTML_NOT_FOUND.includes(id)
      ? { status: 404, codes: [], html: 'The link is unknown, expired or already used: an HTML page says so.' }
      : { status: 404, codes: [...(params && route.auth !== 'public' ? ['not_found'] : []), ...(extra[404] ?? [])] },
    { status: 409, codes: [...(extra[409] ?? [])] },
    { status: 410, codes: [...(extra[410] ?? [])] },
    { status: 413, codes: body ? ['payload_too_large'] : [], ...(body ? { gateway: 'API Gateway, for bodies over 10 MB' } : {}) },
    { status: 415, codes: body ? ['unsupported_media_type'] : [] },
    { status: 429, codes: [...(extra[429] ?? [])], gateway: 'API Gateway, when the stage throttle (requests per second) is exceeded' },
    { status: 500, codes: ['internal_error'], gateway: 'API Gateway, when the function crashes or times out' },
    { status: 502, codes: route.access.sms ? ['sms_failed'] : [] },
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
  502: 'SMS provider failed',
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
  if (answer.codes.length > 0) {
    content['application/problem+json'] = {
      schema: { allOf: [{ $ref: '#/components/schemas/Problem' }, { type: 'object', properties: { code: { type: 'string', enum: answer.codes } } }] },
    };
  }
  if (answer.gateway) content['application/json'] = { schema: { $ref: '#/components/schemas/GatewayError' } };
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

interface Example {
  summary: string;
  value: unknown;
}

/** Examples of the main request bodies; test/unit/openapi-document.test.ts parses each with the route's schema. */
export const REQUEST_EXAMPLES: Partial<Record<RouteId, Record<string, Example>>> = {
  signup: {
    signup: { summary: 'A new account and its owner', value: { email: 'ada@example.com', password: 'correct horse battery staple', accountName: 'Example MSP' } },
  },
  login: {
    login: { summary: 'An operator signs in', value: { email: 'ada@example.com', password: 'correct horse battery staple' } },
  },
  completeMfaLogin: {
    totp: { summary: 'With the authenticator app', value: { mfaToken: 'mfa_3q2Yb0m1pXg6kQ9Vw8rTzA', code: '492039' } },
    recoveryCode: { summary: 'With a recovery code', value: { mfaToken: 'mfa_3q2Yb0m1pXg6kQ9Vw8rTzA', recoveryCode: 'k7f3-q2mx-d4ab' } },
  },
  startAuthentication: {
    minimal: { summary: 'A key that reaches one organization', value: { email: 'user@example.com', system: 'portal' } },
    withContext: {
      summary: 'Naming the organization, with context the policy rules match on',
      value: { email: 'user@example.com', system: 'portal', organization: 'org_8Yp2kM4qR7', context: { ip: '203.0.113.7', sensitivity: 'high' } },
    },
  },
  completeAuthentication: {
    pin: { summary: 'The PIN from the SMS', value: { email: 'user@example.com', system: 'portal', challengeId: 'ch_Q1w2E3r4T5y6U7i8', pin: '493817' } },
    passwordless: {
      summary: 'The magic link from the SMS (or just its token)',
      value: { email: 'user@example.com', system: 'portal', challengeId: 'ch_Q1w2E3r4T5y6U7i8', passwordless: 'https://portal.example.com/login?token=pl_b4Xk9sW2' },
    },
    totp: { summary: 'A TOTP code (step-up)', value: { email: 'user@example.com', system: 'portal', challengeId: 'ch_Q1w2E3r4T5y6U7i8', totp: '120384' } },
  },
};

/** Examples of the answers of the sign-in calls, whose shape depends on the outcome; also parsed by the test. */
export const RESPONSE_EXAMPLES: Partial<Record<RouteId, Record<string, Example>>> = {
  login: {
    tokens: { summary: 'Signed in', value: { accessToken: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c3JfMSJ9.c2lnbmF0dXJl', refreshToken: 'rt_Zx8Qm2Lp4Vn6', tokenType: 'Bearer', expiresIn: 900 } },
    mfaRequired: { summary: 'Two-factor authentication is on', value: { mfaRequired: true, mfaToken: 'mfa_3q2Yb0m1pXg6kQ9Vw8rTzA', methods: ['totp', 'recovery_code'] } },
    mfaEnrollmentRequired: { summary: 'Two-factor authentication is required and not set up yet', value: { mfaEnrollmentRequired: true, mfaToken: 'mfa_3q2Yb0m1pXg6kQ9Vw8rTzA' } },
  },
  startAuthentication: {
    pin: { summary: 'A PIN was sent by SMS', value: { challengeId: 'ch_Q1w2E3r4T5y6U7i8', method: 'pin', expiresAt: '2026-01-15T10:05:00.000Z', deliveredTo: '********78' } },
  },
  completeAuthentication: {
    done: {
      summary: 'The chain is complete: a token',
      value: { authenticated: true, token: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJldV8xIn0.c2lnbmF0dXJl', tokenType: 'Bearer', expiresIn: 900, user: { id: 'eu_7Hk2', email: 'user@example.com' }, amr: ['sms'] },
    },
    stepUp: { summary: 'Another factor is required', value: { authenticated: false, challengeId: 'ch_Q1w2E3r4T5y6U7i8', remaining: ['totp'] } },
  },
};

/** JSON answers carry their schema; other media types (HTML pages, `text/plain` downloads, assets) are strings. */
function successResponse(route: RouteDefinition): Record<string, unknown> {
  const types = route.response.mediaTypes ?? (route.response.body ? ['application/json'] : []);
  const description = SUCCESS_DESCRIPTIONS[route.response.status] ?? 'Success';
  if (types.length === 0) return { description };
  const examples = RESPONSE_EXAMPLES[route.id as RouteId];
  const content = Object.fromEntries(
    types.map((type) => [
      type,
      type === 'application/json' && route.response.body
        ? { schema: jsonSchema(route.response.body, 'output'), ...(examples ? { examples } : {}) }
        : { schema: { type: 'string' } },
    ]),
  );
  return { description, content };
}

/** Reference page sections, in order; each route entry names its `tag`. */
const TAGS: Record<string, { name: string; description: string }> = {
  sessions: { name: 'Operator sessions', description: 'Sign up, log in, refresh and log out (operators of the management API).' },
  me: { name: 'Me', description: 'The signed-in operator.' },
  keys: { name: 'Token keys', description: 'Public keys that verify the tokens Portcullis issues.' },
  accounts: { name: 'Accounts', description: 'The tenant root: profile and settings.' },
  organizations: { name: 'Organizations', description: 'Isolated namespaces inside an account, one per end customer.' },
  groups: { name: 'Groups', description: 'Named sets of organizations, used to scope members.' },
  'access-keys': { name: 'Access keys', description: 'API keys (`apikey` header) for the sign-in and management calls; the secret is shown once.' },
  events: { name: 'Audit events', description: 'What happened in an account, newest first.' },
  members: { name: 'Members', description: 'Operators of an account: role and scope.' },
  invitations: { name: 'Invitations', description: 'Invite operators to an account by email.' },
  mfa: { name: 'Two-factor authentication', description: 'TOTP and recovery codes for operators and end users, and the enrolment page.' },
  systems: { name: 'Systems', description: 'Applications that sign end users in, each with its factor policy.' },
  users: { name: 'End users', description: 'The people who sign in to systems.' },
  access: { name: 'Access grants', description: 'Which end users may sign in to which system.' },
  authentication: { name: 'Sign-in', description: 'The two FlexSecure-compatible calls that sign an end user in with an SMS PIN, a magic link or TOTP.' },
  docs: { name: 'Reference', description: 'This document and the reference page rendering it.' },
};

function tagOf(route: RouteDefinition): string {
  const tag = Object.values(TAGS).find((candidate) => candidate.name === route.tag);
  if (!tag) throw new Error(`route ${route.id}: unknown tag "${route.tag}"`);
  return tag.name;
}

function operation(route: RouteDefinition): Record<string, unknown> {
  const { body, query, params } = route.request;
  const parameters = [
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
  const requestExamples = REQUEST_EXAMPLES[route.id as RouteId];
  return {
    operationId: route.id,
    summary: route.summary,
    tags: [tagOf(route)],
    security: SECURITY[route.auth],
    ...(parameters.length ? { parameters } : {}),
    ...(body
      ? {
          requestBody: {
            required: true,
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
      ...Object.fromEntries(errorAnswers(route).map((answer) => [String(answer.status), errorResponse(answer)])),
    },
  };
}

/** The Problem body, with the extension member `rate_limited` answers carry (shared/domain/kernel/errors.ts). */
const DocumentedProblem = Problem.extend({
  retryAfter: z.number().int().optional().describe('On `rate_limited`: the seconds in `Retry-After`.'),
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
        'Validation errors name every offending field in `errors` (`body.email`, `query.limit`, `params.orgId`).',
        'On bearer and `apikey` routes a missing header is answered by API Gateway itself with 401 `{"message":"Unauthorized"}`;',
        'a present but invalid, expired or revoked credential gets a 401 problem with its code.',
        'Lists answer `{items, nextCursor}`; pass `nextCursor` back as `?cursor=`.',
      ].join(' '),
    },
    // Relative: the document is served by the deployment it describes (and by `npm start` locally).
    servers: [{ url: '/', description: 'This deployment' }],
    tags: Object.values(TAGS).filter((tag) => usedTags.has(tag.name)),
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
