import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifest, routes, type RouteId } from '#shared/http/manifest.ts';
import { buildOpenApiDocument } from '#shared/http/openapi.ts';

interface Response {
  description: string;
  headers?: Record<string, unknown>;
  content?: Record<string, { schema: ErrorSchema }>;
}
/** A problem's codes (`code`), or an OAuth error's (`error`), alone or beside API Gateway's own body (`oneOf`). */
interface ErrorSchema {
  $ref?: string;
  allOf?: [{ $ref: string }, { properties: { code?: { enum: string[] }; error?: { enum: string[] } } }];
  oneOf?: ErrorSchema[];
}
interface Operation {
  operationId: string;
  security: Record<string, string[]>[];
  tags: string[];
  responses: Record<string, Response>;
}
interface Document {
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, Record<string, string>> };
}

const document = buildOpenApiDocument() as unknown as Document;
const operationOf = (id: RouteId): Operation => {
  const route = routes[id];
  const operation = document.paths[route.path]?.[route.method.toLowerCase()];
  if (!operation) throw new Error(`no operation for ${id}`);
  return operation;
};
const codesOf = (response: Response | undefined): string[] => response?.content?.['application/problem+json']?.schema.allOf?.[1].properties.code?.enum ?? [];
/** The RFC 6749 §5.2 `error` codes of an OAuth endpoint's answer. */
const oauthCodesOf = (response: Response | undefined): string[] => {
  const schema = response?.content?.['application/json']?.schema;
  const oauth = schema?.oneOf?.find((one) => one.allOf) ?? schema;
  return oauth?.allOf?.[0].$ref === '#/components/schemas/OAuthError' ? (oauth.allOf[1].properties.error?.enum ?? []) : [];
};

const ROOT = join(import.meta.dirname, '..', '..');
const sourceFiles = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));

/** 403 codes beyond the auth kind's: the step-up and identity checks of SPEC §4 (person-level factors, invitations). */
const EXTRA_403: Partial<Record<string, string[]>> = {
  acceptInvitation: ['invitation_email_mismatch', 'step_up_required'],
  resetMemberMfa: ['step_up_required'],
  createMfaEnrollmentLink: ['step_up_required'],
  changePassword: ['step_up_required'],
  signup: ['signup_closed'],
  verifySignup: ['signup_closed'],
};

describe('OpenAPI document content', () => {
  it('declares the apikey header and the bearer JWT schemes, and each route asks for the credential its auth kind takes', () => {
    expect(document.components.securitySchemes.apikey).toMatchObject({ type: 'apiKey', in: 'header', name: 'apikey' });
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    const expected = { public: [], bearer: [{ bearer: [] }], mfa: [{ bearer: [] }], apikey: [{ apikey: [] }], 'bearer-or-apikey': [{ bearer: [] }, { apikey: [] }], 'public-or-bearer': [{}, { bearer: [] }] };
    for (const route of manifest) expect(operationOf(route.id as RouteId).security, route.id).toEqual(expected[route.auth]);
  });

  it('documents the problem+json answers each kind of route can give, with their codes', () => {
    for (const route of manifest) {
      if (route.errorFormat === 'oauth') continue; // the OAuth endpoints: next test
      const { responses } = operationOf(route.id as RouteId);
      const hasInput = Boolean(route.request.body ?? route.request.query ?? route.request.params);
      expect(codesOf(responses['400']).includes('validation_failed'), route.id).toBe(hasInput);
      expect(codesOf(responses['400']).includes('invalid_json'), route.id).toBe(Boolean(route.request.body));
      expect(codesOf(responses['413']), route.id).toEqual(route.request.body ? ['payload_too_large'] : []);
      expect(codesOf(responses['500']), route.id).toEqual(['internal_error']);
      // An SMS route may answer sms_failed; a route that sends e-mail lists email_failed itself (not every sender voids and answers 502).
      expect(codesOf(responses['502']), route.id).toEqual([...(route.access.sms ? ['sms_failed'] : []), ...(route.errors?.[502] ?? [])]);
      if (route.errors?.[502]?.includes('email_failed')) expect(route.access.email, route.id).toBe(true);
      expect(codesOf(responses['503']), route.id).toEqual(route.access.table ? ['service_unavailable'] : []);
      if (route.access.table) expect(responses['503']?.headers, route.id).toHaveProperty('Retry-After');
      // API Gateway's throttle can answer any route; rate_limited answers carry Retry-After.
      expect(responses['429']?.headers, route.id).toHaveProperty('Retry-After');
      // API Gateway answers a missing header before the authorizer runs; the function answers a bad credential.
      expect(responses['401']?.content?.['application/json']?.schema.$ref, route.id).toBe(
        route.auth === 'bearer' || route.auth === 'apikey' ? '#/components/schemas/GatewayError' : undefined,
      );
      const credentialCodes = { public: [], bearer: ['invalid_token', 'token_expired'], apikey: ['invalid_api_key'], mfa: ['invalid_mfa_token'], 'bearer-or-apikey': ['invalid_token', 'invalid_api_key'], 'public-or-bearer': ['invalid_token'] };
      expect(codesOf(responses['401']), route.id).toEqual(expect.arrayContaining(credentialCodes[route.auth]));
      const noForbidden = route.auth === 'public' || route.auth === 'public-or-bearer';
      expect(codesOf(responses['403']), route.id).toEqual([...(noForbidden ? [] : ['forbidden']), ...(EXTRA_403[route.id] ?? [])]);
    }
    expect(codesOf(operationOf('startAuthentication').responses['429'])).toEqual(['rate_limited']);
    expect(codesOf(operationOf('startAuthentication').responses['502'])).toEqual(['sms_failed', 'email_failed']);
    expect(codesOf(operationOf('completeAuthentication').responses['401'])).toEqual(expect.arrayContaining(['invalid_credentials', 'too_many_attempts']));
    expect(codesOf(operationOf('login').responses['429'])).toEqual(['rate_limited']);
    // No code names a taken address any more (issue 17): an existing operator gets the 202 and an e-mail.
    expect(operationOf('signup').responses).not.toHaveProperty('409');
    expect(codesOf(operationOf('signup').responses['400'])).toContain('weak_password');
    expect(operationOf('signup').responses).toHaveProperty('202');
    expect(codesOf(operationOf('verifySignup').responses['400'])).toContain('invalid_signup_token');
    expect(codesOf(operationOf('acceptInvitation').responses['410'])).toEqual(['invitation_expired']);
  });

  it('documents the OAuth endpoints with RFC 6749 §5.2 error bodies, never problem+json', () => {
    const oauthRoutes = manifest.filter((route) => route.errorFormat === 'oauth');
    expect(oauthRoutes.map((route) => route.id).sort()).toEqual(['exchangeOAuthToken', 'getUserInfo', 'postUserInfo']);
    for (const route of oauthRoutes) {
      const { responses } = operationOf(route.id as RouteId);
      for (const [status, response] of Object.entries(responses)) {
        expect(response.content?.['application/problem+json'], `${route.id} ${status}`).toBeUndefined();
      }
      expect(oauthCodesOf(responses['400']), route.id).toEqual(expect.arrayContaining(['invalid_request']));
      expect(oauthCodesOf(responses['500']), route.id).toEqual(['server_error']);
      expect(oauthCodesOf(responses['503']), route.id).toEqual(['temporarily_unavailable']);
      expect(responses['503']?.headers, route.id).toHaveProperty('Retry-After');
      expect(responses).not.toHaveProperty('415'); // a non-form body is a 400 invalid_request (RFC 6749 §5.2)
    }
    const token = operationOf('exchangeOAuthToken').responses;
    expect(oauthCodesOf(token['400'])).toEqual(['invalid_request', 'invalid_grant', 'unsupported_grant_type']);
    expect(oauthCodesOf(token['401'])).toEqual(['invalid_client']);
    expect(oauthCodesOf(token['413'])).toEqual(['invalid_request']);
    expect(oauthCodesOf(operationOf('getUserInfo').responses['401'])).toEqual(['invalid_token']);
  });

  it('lists only codes the code base really answers with', () => {
    const source = [...sourceFiles('shared'), ...sourceFiles('functions')]
      // The route entries list the codes they document; the code that answers with them is elsewhere.
      .filter((file) => !file.endsWith(join('http', 'openapi.ts')) && !file.includes(join('shared', 'routes')))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const documented = new Set(
      Object.values(document.paths).flatMap((methods) => Object.values(methods).flatMap((operation) => Object.values(operation.responses).flatMap((response) => [...codesOf(response), ...oauthCodesOf(response)]))),
    );
    expect(documented.size).toBeGreaterThan(30);
    for (const code of documented) expect(source, code).toMatch(new RegExp(`['"\`]${code}['"\`]`));
  });

  it('has request examples for signup, login and the two sign-in calls, each accepted by the schema the handler validates with', () => {
    const withExamples = manifest.filter((route) => route.examples?.request);
    expect(withExamples.map((route) => route.id)).toEqual(expect.arrayContaining(['signup', 'login', 'startAuthentication', 'completeAuthentication']));
    for (const { id, examples, request } of withExamples) {
      const schema = request.body;
      if (!schema) throw new Error(`${id} has no body`);
      for (const [name, example] of Object.entries(examples?.request ?? {})) expect(schema.safeParse(example.value).error, `${id}/${name}`).toBeUndefined();
    }
  });

  it('has response examples that match the response schemas', () => {
    const withExamples = manifest.filter((route) => route.examples?.response);
    expect(withExamples.map((route) => route.id)).toEqual(expect.arrayContaining(['login', 'startAuthentication', 'completeAuthentication']));
    for (const { id, examples, response } of withExamples) {
      const schema = response.body;
      if (!schema) throw new Error(`${id} has no response body`);
      for (const [name, example] of Object.entries(examples?.response ?? {})) expect(schema.safeParse(example.value).error, `${id}/${name}`).toBeUndefined();
    }
  });

  it('is served from the deployment it describes and groups operations by resource', () => {
    expect(document.servers).toEqual([{ url: '/', description: 'This deployment' }]);
    expect(operationOf('startAuthentication').tags).toEqual(['Sign-in']);
    expect(operationOf('getDocsPage').tags).toEqual(['Reference']);
  });
});
