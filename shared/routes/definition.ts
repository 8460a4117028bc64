/**
 * What a route entry is. Each area's routes live in shared/routes/<area>.ts; shared/http/manifest.ts joins them.
 */
import type * as z from '../schemas/zod.ts';

/**
 * The business areas (docs/architecture.md). Each owns one slice of every layer: functions/<area>/,
 * shared/routes/<area>.ts, shared/domain/<area>/, shared/compose/<area>.ts and one nested stack.
 */
export const AREAS = ['sessions', 'tenancy', 'directory', 'sign-in', 'oidc', 'mfa', 'passkeys', 'platform'] as const;
export type Area = (typeof AREAS)[number];

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * How a route authenticates. `bearer` routes sit behind the bearer Lambda authorizer and `apikey`
 * routes behind the apikey authorizer (both cached 60 s by API Gateway). `bearer-or-apikey` routes
 * (organization-level management, which operators and `manage` keys share) verify whichever header
 * is present in the function itself, because an HTTP API authorizer caches only on identity sources
 * that every request carries. `mfa` takes the short-lived token from login. `public-or-bearer` is
 * public, but an `Authorization: Bearer` access token, when sent, is verified in the function and
 * names the caller (accepting an invitation: a new person needs none, an existing operator must send it).
 */
export type AuthKind = 'public' | 'bearer' | 'apikey' | 'bearer-or-apikey' | 'mfa' | 'public-or-bearer';

/** What the route's function may touch. CDK turns each into exactly one environment variable + grant. */
export interface RouteAccess {
  /** Table access: `read` grants read-only data actions, `write` read and write. */
  table?: 'read' | 'write';
  /** May send SMS through SNS. */
  sms?: boolean;
  /** May send e-mail through SES (the deployment's sender identity and configuration set only). */
  email?: boolean;
  /** May unwrap (and on first use create) the token-signing private key. */
  signingKey?: boolean;
  /**
   * The data keys (under the data KMS key) the function may unwrap, by purpose: the KMS grant is
   * conditioned on the encryption context naming one of them, so a function that may unwrap TOTP
   * secrets cannot unwrap the PIN HMAC key. Never empty.
   */
  encryptionKey?: readonly DataKeyPurpose[];
  /**
   * Creates and rotates the keyrings: may read and put keyring items (and no other item of the
   * table) and generate data keys under both KMS keys, for their purposes only. Every other function
   * is denied writes to keyring items. Only the key function has it; exclusive with the others.
   */
  writesKeyrings?: boolean;
  /**
   * Records the addresses SES reports undeliverable: may put e-mail suppression items
   * (`emailSuppressionKey`) and no other item of the table. Only the e-mail feedback function has it;
   * exclusive with the others.
   */
  writesEmailSuppressions?: boolean;
}

/**
 * What a data key under the data KMS key is for: its keyring purpose and its KMS encryption context
 * (`purpose`). Literals here, the same strings as `TOTP_SECRETS_PURPOSE` and `PIN_HMAC_PURPOSE` of
 * the domain (a test keeps them equal): the handlers import this module, and the domain's would
 * bring jose and otplib into every bundle.
 */
export type DataKeyPurpose = 'totp-secrets' | 'pin-hmac';

/** A section of the reference page (an OpenAPI tag). Each area module exports its own; the manifest joins them in area order. */
export interface Tag {
  name: string;
  description: string;
}

/** The error statuses whose codes depend on what the route's domain code throws. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 410 | 429 | 502;

/** An OpenAPI example: test/unit/openapi-document.test.ts parses each with the route's schema. */
export interface Example {
  summary: string;
  value: unknown;
}

export interface RouteDefinition<
  B extends z.ZodMiniType = z.ZodMiniType,
  Q extends z.ZodMiniType = z.ZodMiniType,
  P extends z.ZodMiniType = z.ZodMiniType,
> {
  /** Stable id: names the CDK construct and the OpenAPI operationId. Never rename. */
  id: string;
  method: HttpMethod;
  /** API Gateway path with `{param}` placeholders. */
  path: string;
  /** Handler module, relative to the repository root (`functions/<area>/…`); it exports `handler`. */
  handler: string;
  /** The business area the route belongs to: its nested stack and its composition module. */
  area: Area;
  /** The reference page section the operation is listed under: one of its area module's `tags`. */
  tag: Tag;
  auth: AuthKind;
  summary: string;
  /** `bodyMediaTypes`: what the body may be sent as. @default ['application/json'] */
  request: { body?: B; query?: Q; params?: P; bodyMediaTypes?: string[] };
  /**
   * `mediaTypes`: what the success answer may be (chosen by `Accept` where several); non-JSON ones
   * are plain strings. @default ['application/json']
   */
  response: {
    status: number;
    body?: z.ZodMiniType;
    mediaTypes?: string[];
    /**
     * Other success answers the route gives instead, depending on the deployment's settings (signup
     * answers 202 under `verify-email`), each with its own JSON body. @default - none
     */
    alternatives?: readonly { status: number; body: z.ZodMiniType; description: string }[];
  };
  /**
   * The answer can carry operator tokens (`accessToken`/`refreshToken`). Such a route's function gets
   * them from `OperatorSessions.admit` (or `refresh`) only, behind the session gate (SPEC §6). Must
   * be set exactly where the response schema carries tokens: test/unit/session-gate.test.ts walks the
   * schemas, and test/e2e/session-gate.test.ts attacks every route that sets it. @default false
   */
  issuesOperatorSession?: true;
  /**
   * The route takes the refresh token from the cookie of cookie mode (`X-Refresh-Token-Mode: cookie`,
   * shared/http/session-cookie.ts) instead of the body: refresh and logout. Every route that sets
   * `issuesOperatorSession` takes the header too and then answers the refresh token as a cookie.
   * @default false
   */
  readsRefreshCookie?: true;
  /**
   * Error codes the route answers beyond those the entry implies (input → 400, auth kind → 401/403,
   * path parameters → 404, SMS → 502, table → 503), read off the domain code it calls. Every code
   * needs a meaning in shared/http/openapi.ts `CODE_MEANINGS`. @default - none
   */
  errors?: Partial<Record<ErrorStatus, readonly string[]>>;
  /**
   * `oauth`: the route answers its errors as OAuth does (RFC 6749 §5.2, RFC 6750 §3): an
   * `application/json` body `{error, error_description}` with an OAuth error code, the wrapper's own
   * refusals included (a malformed, repeated or missing parameter, a non-form body: `invalid_request`),
   * because relying-party libraries parse that and not problem+json. The token and userinfo
   * endpoints. @default - problem+json
   */
  errorFormat?: 'oauth';
  /**
   * The route answers an unknown, expired or used link with an HTML page (404), not problem+json:
   * the enrolment page's routes. @default false
   */
  notFoundPage?: true;
  /**
   * Named examples of the JSON request body and of the success answer (whose shape may depend on the
   * outcome), shown on the reference page. @default - none
   */
  examples?: { request?: Record<string, Example>; response?: Record<string, Example> };
  access: RouteAccess;
  /** Lambda memory in MB. @default 256 */
  memoryMb?: number;
  /**
   * Files from node_modules (module specifiers) the function reads at run time: CDK copies each next to
   * the bundle's index.mjs, the local server reads them from node_modules. @default - none
   */
  bundleFiles?: readonly string[];
}

// The auth kind stays a literal: defineHandler requires a credential resolver exactly where it is used.
export const route = <B extends z.ZodMiniType, Q extends z.ZodMiniType, P extends z.ZodMiniType, A extends AuthKind>(
  definition: RouteDefinition<B, Q, P> & { auth: A },
): RouteDefinition<B, Q, P> & { auth: A } => definition;

// scrypt at N=2^17, r=8 needs 128 MiB per hash; 1 GB buys the CPU share that keeps it near 100 ms.
export const PASSWORD_HASHING_MEMORY_MB = 1024;
