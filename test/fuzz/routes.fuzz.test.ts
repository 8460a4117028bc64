/**
 * Route fuzzer: for every route of the manifest, fast-check generated bodies (from nothing, arbitrary
 * JSON, mutants of a valid example), path parameters, query strings and headers go through the local
 * server with a valid credential for the route's auth kind, plus garbage credentials, oversized bodies,
 * 10,000-level nesting and prototype-pollution keys. Oracle: no answer ≥ 500; every 4xx from a function
 * is problem+json with `code` and `status`, and a 400 names its fields — except on the OAuth endpoints
 * (`errorFormat: 'oauth'`), whose every 4xx is an RFC 6749 §5.2 JSON body `{error, error_description?}`
 * with a registered code, never problem+json. The API Gateway's own answers
 * (`{message}` for an unknown path, a missing identity header or an authorizer deny) cannot be shaped on
 * an HTTP API: they are counted apart and checked to be exactly those. The enrolment page, a page for
 * browsers, answers its refusals as HTML.
 *
 * Seeded and reproducible: `FUZZ_SEED=… npx vitest run test/fuzz` replays a run. `FUZZ_ROUTES=id,id…`
 * fuzzes only those routes (a change's own routes, on a shared machine); the 10,000-request floor
 * then does not apply.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAUTH_ERROR_CODES } from '#shared/domain/oidc/oauth-errors.ts';
import { manifest, type RouteDefinition } from '#shared/http/manifest.ts';
import { createGroup } from '#test/support/organizations.ts';
import { createKey } from '#test/support/keys-events.ts';
import { useLocalApi } from '#test/support/local-api.ts';
import { signInFixture, type SignInFixture } from '#test/support/sign-in.ts';
import { uniqueEmail } from '#test/support/factories.ts';
import {
  FUZZ_SEED,
  encodeSegment,
  extraHeaders,
  garbageCredential,
  pathParameter,
  queryString,
  wireBody,
  type Json,
  type WireBody,
} from './fuzz-support.ts';

const api = useLocalApi();

/** Runs per route; routes that hash passwords (scrypt, 128 MiB each) get fewer. */
const RUNS = Number.parseInt(process.env.FUZZ_RUNS ?? '', 10) || 185;
const PASSWORD_ROUTE_RUNS = Math.ceil(RUNS / 4);
const PASSWORD_ROUTES = new Set(['signup', 'login', 'acceptInvitation', 'startOperatorTotp', 'disableOperatorTotp', 'removeMyPasskey']);
const CONCURRENCY = 16;
/** Route ids to fuzz alone (comma-separated); all of them when unset. */
const ONLY_ROUTES = (process.env.FUZZ_ROUTES ?? '').split(',').map((id) => id.trim()).filter((id) => id !== '');

interface Example {
  params: Record<string, string>;
  query: Record<string, string>;
  body?: Json;
}

interface Fixture extends SignInFixture {
  manageKey: string;
  manageKeyId: string;
  groupId: string;
  invitationId: string;
}

let fixture: Fixture;

interface Outcome {
  route: string;
  status: number;
  kind: 'function' | 'gateway';
}
const outcomes: Outcome[] = [];
const failures: string[] = [];

beforeAll(async () => {
  const base = await signInFixture(api);
  const token = base.account.owner.accessToken;
  const manage = await createKey(api, base.account.accountId, token, { permissions: ['manage'], organizations: 'all' });
  const group = await createGroup(api, base.account.accountId, token, [base.orgId]);
  const invitation = await api.request<{ id: string }>('POST', `/v2/accounts/${base.account.accountId}/invitations`, {
    token,
    body: { email: uniqueEmail('fuzz'), role: 'viewer', scope: 'all' },
  });
  fixture = { ...base, manageKey: manage.key, manageKeyId: manage.id, groupId: group.id, invitationId: invitation.body.id };
});

afterAll(() => {
  const gateway = outcomes.filter((outcome) => outcome.kind === 'gateway').length;
  const serverErrors = outcomes.filter((outcome) => outcome.status >= 500).length;
  const classes = new Map<string, number>();
  for (const { status } of outcomes) classes.set(`${Math.floor(status / 100)}xx`, (classes.get(`${Math.floor(status / 100)}xx`) ?? 0) + 1);
  const byClass = [...classes].sort().map(([name, count]) => `${name}: ${count}`);
  console.info(`fuzz: ${outcomes.length} requests, seed ${FUZZ_SEED}, ${serverErrors} server errors (${byClass.join(', ')}; ${gateway} answered by the gateway layer)`);
});

/** A valid request of each route, with the fixture's ids. */
function exampleOf(route: RouteDefinition): Example {
  const f = fixture;
  const accountId = f.account.accountId;
  const params: Record<string, string> = {
    accountId,
    orgId: f.orgId,
    groupId: f.groupId,
    keyId: f.manageKeyId,
    userId: /\/organizations\//.test(route.path) ? f.user.id : f.account.owner.userId,
    invitationId: f.invitationId,
    systemName: f.system.name,
    token: 'pme_00000000000000000000000000000000',
    sessionId: 'fam_00000000000000000000000000000000',
    passkeyId: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  };
  const used = Object.fromEntries([...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => [name ?? '', params[name ?? ''] ?? '']));
  const bodies: Record<string, Json> = {
    signup: { email: uniqueEmail('fuzz'), password: 'Fuzz-password-4711', accountName: 'Fuzz' },
    verifySignup: { token: 'psv_0000000000000000000000' },
    login: { email: 'nobody-fuzz@example.test', password: 'Fuzz-password-4711' },
    refresh: { refreshToken: 'prt_0000000000000000000000' },
    logout: { refreshToken: 'prt_0000000000000000000000' },
    updateAccount: { name: 'Fuzzed account', billingContact: { name: 'B', email: 'b@example.test' }, settings: { requireMfa: false } },
    createOrganization: { name: 'Fuzz org', settings: { requireMfa: false, smsDailyLimit: 10, smsAllowedCountries: ['FR'] } },
    updateOrganization: { name: 'Fuzz org 2', settings: { smsDailyLimit: 1000 } },
    createGroup: { name: 'Fuzz group', organizations: [f.orgId] },
    updateGroup: { name: 'Fuzz group 2', organizations: [f.orgId] },
    createAccessKey: { name: 'fuzz', permissions: ['authenticate'], organizations: [f.orgId] },
    updateMember: { role: 'viewer', scope: { organizations: [f.orgId], groups: [] } },
    createInvitation: { email: 'invitee-fuzz@example.test', role: 'manager', scope: 'all' },
    acceptInvitation: { token: 'pci_0000000000000000000000', password: 'Fuzz-password-4711' },
    completeMfaLogin: { mfaToken: 'pmt_0000000000000000000000', code: '123456' },
    startOperatorTotp: { password: 'wrong-password-4711' },
    confirmOperatorTotp: { code: '123456' },
    regenerateRecoveryCodes: { code: '123456' },
    disableOperatorTotp: { code: '123456' },
    registerMyPasskey: {
      flowId: 'pkf_00000000000000000000000000000000',
      name: 'Fuzz key',
      response: { id: 'AAAA', rawId: 'AAAA', type: 'public-key', clientExtensionResults: {}, response: { clientDataJSON: 'e30', attestationObject: 'oA', transports: ['internal'] } },
    },
    renameMyPasskey: { name: 'Fuzz key 2' },
    startEndUserPasskeyRegistration: { system: f.system.name },
    registerEndUserPasskey: {
      flowId: 'pkf_00000000000000000000000000000000',
      name: 'Fuzz key',
      response: { id: 'AAAA', rawId: 'AAAA', type: 'public-key', clientExtensionResults: {}, response: { clientDataJSON: 'e30', attestationObject: 'oA', transports: ['internal'] } },
    },
    removeMyPasskey: { password: 'wrong-password-4711' },
    passkeySignIn: {
      flowId: 'pkf_00000000000000000000000000000000',
      response: { id: 'AAAA', rawId: 'AAAA', type: 'public-key', clientExtensionResults: {}, response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA' } },
    },
    submitMfaEnrollmentPage: { code: '123456' },
    createSystem: {
      name: 'fuzz-app',
      policy: { factors: ['pin'], rules: [{ if: { sensitivity: ['high'] }, factors: ['pin', 'totp'] }] },
      redirectUris: ['https://fuzz.example.com/cb', 'http://localhost:3000/cb'],
      tokenSigningAlg: 'RS256',
      webauthn: { rpId: 'example.com', origins: ['https://example.com', 'https://login.example.com:8443'] },
    },
    updateSystem: { policy: { factors: ['pin'] }, passwordlessUrl: null, redirectUris: ['http://127.0.0.1:8080/cb?x=1'], tokenSigningAlg: 'ES256' },
    createEndUser: { email: 'end-fuzz@example.test', phone: '+33612345678', name: 'Fuzz' },
    updateEndUser: { name: 'Fuzz 2', status: 'active' },
    startEndUserTotp: {},
    confirmEndUserTotp: { code: '123456' },
    startAuthentication: { email: f.user.email, system: f.system.name, context: { ip: '10.0.0.1', sensitivity: 'high' } },
    completeAuthentication: { email: f.user.email, system: f.system.name, challengeId: 'chl_0000000000000000', pin: '123456' },
    exchangeOAuthToken: {
      grant_type: 'authorization_code',
      code: 'poc_0000000000000000000000000000000000000000000',
      redirect_uri: 'https://app.example/callback',
      code_verifier: 'v'.repeat(43),
      client_id: f.system.name,
    },
  };
  const queries: Record<string, Record<string, string>> = {
    listEvents: { type: 'key.created', from: '2026-01-01T00:00:00Z' },
    listEndUsers: { email: f.user.email },
  };
  const body = route.request.body ? (bodies[route.id] ?? {}) : undefined;
  return { params: used, query: queries[route.id] ?? (route.request.query ? { limit: '10' } : {}), ...(body !== undefined ? { body } : {}) };
}

/** The valid credential of the route's auth kind; `bearer-or-apikey` alternates operator and manage key. */
function credentialOf(route: RouteDefinition, alternate: boolean): Record<string, string> {
  const bearer = { authorization: `Bearer ${fixture.account.owner.accessToken}` };
  switch (route.auth) {
    case 'public':
    case 'public-or-bearer':
      return {};
    case 'bearer':
    case 'mfa':
      return bearer;
    case 'apikey':
      return { apikey: fixture.apikey };
    case 'bearer-or-apikey':
      return alternate ? { apikey: fixture.manageKey } : bearer;
  }
}

interface Case {
  params: Record<string, string>;
  query: string;
  body: WireBody;
  headers: Record<string, string>;
  garbage: boolean;
}

function caseArbitrary(route: RouteDefinition, example: Example): fc.Arbitrary<Case> {
  const params = fc.record(Object.fromEntries(Object.entries(example.params).map(([name, value]) => [name, pathParameter(value)])));
  return fc.record({
    params,
    query: queryString(example.query),
    body: wireBody(example.body, route.request.bodyMediaTypes?.includes('application/json') === false ? 'form' : 'json'),
    headers: extraHeaders(),
    garbage: fc.boolean().chain((coin) => (coin ? fc.boolean() : fc.constant(false))).chain((maybe) => (maybe ? fc.boolean() : fc.constant(false))),
  });
}

function pathOf(route: RouteDefinition, params: Record<string, string>): string {
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeSegment(params[name] ?? ''));
}

/** Sends one request, checks the answer against the oracle (a miss goes to `failures`) and answers its status. */
async function send(route: RouteDefinition, path: string, query: string, body: WireBody, headers: Record<string, string>): Promise<number> {
  const requestHeaders: Record<string, string> = { ...headers };
  if (body.contentType !== undefined) requestHeaders['content-type'] = body.contentType;
  const response = await fetch(`${api.url()}${path}${query ? `?${query}` : ''}`, {
    method: route.method,
    headers: requestHeaders,
    ...(body.text !== undefined && route.method !== 'GET' ? { body: body.text } : {}),
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  const replay = `${route.method} ${path}${query ? `?${query}` : ''} headers=${JSON.stringify(Object.keys(requestHeaders))} body=${JSON.stringify((body.text ?? '').slice(0, 300))}`;
  const fail = (why: string): void => {
    failures.push(`${route.id}: ${why} — ${response.status} ${text.slice(0, 300)} — ${replay}`);
  };
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    parsed = undefined;
  }
  const gatewayAnswer =
    contentType === 'application/json' &&
    parsed !== undefined &&
    Object.keys(parsed).join() === 'message' &&
    ((response.status === 404 && parsed.message === 'Not Found') ||
      (response.status === 401 && parsed.message === 'Unauthorized' && (route.auth === 'bearer' || route.auth === 'apikey')) ||
      (response.status === 403 && parsed.message === 'Forbidden' && (route.auth === 'bearer' || route.auth === 'apikey')));
  outcomes.push({ route: route.id, status: response.status, kind: gatewayAnswer ? 'gateway' : 'function' });
  if (response.status >= 500) fail('server error');
  else if (response.status >= 400 && route.errorFormat === 'oauth' && !gatewayAnswer) checkOAuthError(contentType, parsed, fail);
  // The enrolment page is for browsers: its refusals are HTML pages, by design (SPEC §4, 2FA enrolment).
  else if (response.status >= 400 && htmlOnly(route) && contentType.startsWith('text/html')) return response.status;
  else if (response.status >= 400 && !gatewayAnswer) {
    if (!contentType.startsWith('application/problem+json')) fail(`4xx is ${contentType}, not problem+json`);
    else if (!parsed || typeof parsed.code !== 'string' || parsed.status !== response.status) fail('problem without code or matching status');
    else if (response.status === 400) checkFields(parsed, fail);
  }
  return response.status;
}

const OAUTH_CODES: ReadonlySet<string> = new Set(OAUTH_ERROR_CODES);

/** RFC 6749 §5.2: JSON with a registered `error`, an optional printable-ASCII `error_description`, nothing else. */
function checkOAuthError(contentType: string, parsed: Record<string, unknown> | undefined, fail: (why: string) => void): void {
  if (!contentType.startsWith('application/json')) fail(`OAuth 4xx is ${contentType}, not application/json`);
  else if (!parsed || typeof parsed.error !== 'string' || !OAUTH_CODES.has(parsed.error)) fail('OAuth 4xx without a registered error code');
  else if (Object.keys(parsed).some((key) => key !== 'error' && key !== 'error_description')) fail('OAuth 4xx with members beyond error and error_description');
  else if (parsed.error_description !== undefined && (typeof parsed.error_description !== 'string' || !/^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/.test(parsed.error_description))) {
    fail('OAuth error_description outside printable ASCII');
  }
}

const htmlOnly = (route: RouteDefinition): boolean => route.response.mediaTypes?.join() === 'text/html';

function checkFields(parsed: Record<string, unknown>, fail: (why: string) => void): void {
  const errors = parsed.errors;
  if (!Array.isArray(errors) || errors.length === 0 || !errors.every((error: { field?: unknown }) => typeof error.field === 'string' && /^(body|query|params)\b/.test(error.field))) {
    fail('400 without field names');
  }
}

/** Runs `tasks` with at most `CONCURRENCY` in flight. */
async function pool(tasks: (() => Promise<void>)[], concurrency = CONCURRENCY): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tasks.length) {
        const task = tasks[next++];
        await task?.();
      }
    }),
  );
}

/** Destructive routes last, so the fixture lives through the rest. */
const ordered = [...manifest].filter((route) => ONLY_ROUTES.length === 0 || ONLY_ROUTES.includes(route.id)).sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));

/** A stable per-route seed derived from the run's seed. */
const seedOf = (routeId: string): number => Array.from(routeId, (char) => char.charCodeAt(0)).reduce((hash, code) => (Math.imul(hash, 31) + code) | 0, FUZZ_SEED);

describe('fuzzing every route of the manifest', () => {
  it('answers generated bodies, parameters, queries and headers with no 5xx and problem+json 4xx', async () => {
    console.info(`fuzz: seed ${FUZZ_SEED} (FUZZ_SEED overrides), ${RUNS} runs per route`);
    for (const route of ordered) {
      const example = exampleOf(route);
      const runs = PASSWORD_ROUTES.has(route.id) ? PASSWORD_ROUTE_RUNS : RUNS;
      const cases = fc.sample(caseArbitrary(route, example), { seed: seedOf(route.id), numRuns: runs });
      await pool(
        cases.map((generated, index) => async () => {
          const credential = generated.garbage ? fc.sample(garbageCredential(), { seed: seedOf(route.id) + index, numRuns: 1 })[0] ?? {} : credentialOf(route, index % 2 === 1);
          await send(route, pathOf(route, generated.params), generated.query, generated.body, { ...generated.headers, ...credential });
        }),
        PASSWORD_ROUTES.has(route.id) ? 2 : CONCURRENCY,
      );
    }
    expect(failures.slice(0, 20), `replay with FUZZ_SEED=${FUZZ_SEED}`).toEqual([]);
    // ≈ 16,000 requests through every route: about 40 s alone, longer beside another test file on a
    // 2-core machine. A ceiling against a hang, not a speed target.
  }, 300_000);

  it('refuses oversized bodies, 10,000-level nesting, unicode edge cases and pollution keys without harm', async () => {
    const deepArray = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const deepObject = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const oversized = JSON.stringify({ name: 'x'.repeat(64 * 1024 + 1) });
    const specials = [
      deepArray,
      deepObject,
      oversized,
      '{"__proto__":{"polluted":"yes"}}',
      '{"constructor":{"prototype":{"polluted":"yes"}}}',
      '{"prototype":{"polluted":"yes"},"name":{"__proto__":{"polluted":"yes"}}}',
      '{"name":"\\ud800\\u202e\\u200b\\u0000"}',
      '{"email":"\\u0000@example.test","password":"\\udfff\\udfff\\udfff\\udfff\\udfff\\udfff"}',
      '{"limit":"10","smsDailyLimit":"100","code":123456,"pin":123456}',
    ];
    const oversizedAnswers: number[] = [];
    for (const route of ordered) {
      const example = exampleOf(route);
      const path = pathOf(route, example.params);
      const query = new URLSearchParams(example.query).toString();
      await pool(
        specials.map((text) => async () => {
          const status = await send(route, path, query, { text, contentType: 'application/json' }, credentialOf(route, false));
          // Every body route refuses an oversized body before parsing it (or authenticating: 401s come first only on the gateway).
          if (text === oversized && route.request.body && route.method !== 'GET') oversizedAnswers.push(status);
        }),
        PASSWORD_ROUTES.has(route.id) ? 2 : CONCURRENCY,
      );
      if (route.request.query?.safeParse({ cursor: 'e30' }).success === false) {
        // Forged cursors: right key names, wrong types, other partitions, other indexes.
        const partition = `ACCOUNT#${fixture.account.accountId}`;
        const forged = [
          { pk: partition, sk: 123 },
          { pk: 123, sk: 'x' },
          { pk: 'ACCOUNT#acc_other', sk: 'ORG#org_other' },
          { pk: partition, sk: 'x', gsi1pk: partition, gsi1sk: 'x' },
          { gsi1pk: `USER#${fixture.account.owner.userId}#MEMBERSHIPS`, gsi1sk: 'x', pk: partition, sk: 'MEMBER#x' },
          { gsi2pk: 'x', gsi2sk: 1, pk: '', sk: '' },
          { pk: 'x'.repeat(2000), sk: 'y' },
        ].map((key) => Buffer.from(JSON.stringify(key)).toString('base64url'));
        await pool(forged.map((cursor) => async () => {
          await send(route, path, new URLSearchParams({ ...example.query, cursor }).toString(), {}, credentialOf(route, false));
          await send(route, path, new URLSearchParams({ ...example.query, cursor }).toString(), {}, credentialOf(route, true));
        }));
      }
      if (route.request.body) {
        // Pollution keys inside the valid example: the body is refused or used, never merged into prototypes.
        const polluted = `{"__proto__":{"polluted":"yes"},${JSON.stringify(example.body ?? {}).slice(1)}`;
        await send(route, path, query, { text: polluted.replace(/,}$/, '}'), contentType: 'application/json' }, credentialOf(route, true));
      }
    }
    expect(oversizedAnswers.length).toBeGreaterThan(ONLY_ROUTES.length > 0 ? 0 : 20);
    expect(new Set(oversizedAnswers)).toEqual(new Set([413]));
    expect(failures.slice(0, 20), `replay with FUZZ_SEED=${FUZZ_SEED}`).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  it('sends at least 10,000 requests with a seeded generator', () => {
    expect(outcomes.length).toBeGreaterThanOrEqual(ONLY_ROUTES.length > 0 ? ordered.length : 10_000);
    expect(outcomes.filter((outcome) => outcome.status >= 500)).toEqual([]);
  });
});
