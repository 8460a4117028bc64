/**
 * The one route list. CDK builds one function, one route and the grants from each entry; the local
 * server mounts each entry; handlers take their schemas from here; tests check all of them agree.
 */
import type { z } from 'zod';
import {
  Jwks,
  LoginBody,
  LogoutBody,
  MeResponse,
  RefreshBody,
  SignupBody,
  SignupResponse,
  TokenPair,
} from '../schemas/sessions.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * How a route authenticates. `bearer` routes sit behind the bearer Lambda authorizer and `apikey`
 * routes behind the apikey authorizer (both cached 60 s by API Gateway). `bearer-or-apikey` routes
 * (organization-level management, which operators and `manage` keys share) verify whichever header
 * is present in the function itself, because an HTTP API authorizer caches only on identity sources
 * that every request carries. `mfa` takes the short-lived token from login.
 */
export type AuthKind = 'public' | 'bearer' | 'apikey' | 'bearer-or-apikey' | 'mfa';

/** What the route's function may touch. CDK turns each into exactly one environment variable + grant. */
export interface RouteAccess {
  /** Table access: `read` grants read-only data actions, `write` read and write. */
  table?: 'read' | 'write';
  /** May send SMS through SNS. */
  sms?: boolean;
  /** May unwrap (and on first use create) the token-signing private key. */
  signingKey?: boolean;
  /** May unwrap the data key that encrypts TOTP secrets. */
  encryptionKey?: boolean;
}

export interface RouteDefinition<
  B extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  P extends z.ZodType = z.ZodType,
> {
  /** Stable id: names the CDK construct and the OpenAPI operationId. Never rename. */
  id: string;
  method: HttpMethod;
  /** API Gateway path with `{param}` placeholders. */
  path: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  handler: string;
  auth: AuthKind;
  summary: string;
  request: { body?: B; query?: Q; params?: P };
  response: { status: number; body?: z.ZodType };
  access: RouteAccess;
  /** Lambda memory in MB. @default 256 */
  memoryMb?: number;
}

const route = <B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(
  definition: RouteDefinition<B, Q, P>,
): RouteDefinition<B, Q, P> => definition;

// scrypt at N=2^17, r=8 needs 128 MiB per hash; 1 GB buys the CPU share that keeps it near 100 ms.
const PASSWORD_HASHING_MEMORY_MB = 1024;

export const routes = {
  signup: route({
    id: 'signup',
    method: 'POST',
    path: '/v2/signup',
    handler: 'functions/sessions/sign-up.ts',
    auth: 'public',
    summary: 'Create an account and its owner; answers with a session.',
    request: { body: SignupBody },
    response: { status: 201, body: SignupResponse },
    access: { table: 'write', signingKey: true },
    memoryMb: PASSWORD_HASHING_MEMORY_MB,
  }),
  login: route({
    id: 'login',
    method: 'POST',
    path: '/v2/auth/login',
    handler: 'functions/sessions/log-in.ts',
    auth: 'public',
    summary: 'Sign an operator in with email and password.',
    request: { body: LoginBody },
    response: { status: 200, body: TokenPair },
    access: { table: 'write', signingKey: true },
    memoryMb: PASSWORD_HASHING_MEMORY_MB,
  }),
  refresh: route({
    id: 'refresh',
    method: 'POST',
    path: '/v2/auth/refresh',
    handler: 'functions/sessions/refresh-session.ts',
    auth: 'public',
    summary: 'Rotate a refresh token; reuse of a spent one revokes its whole family.',
    request: { body: RefreshBody },
    response: { status: 200, body: TokenPair },
    access: { table: 'write', signingKey: true },
  }),
  logout: route({
    id: 'logout',
    method: 'POST',
    path: '/v2/auth/logout',
    handler: 'functions/sessions/log-out.ts',
    auth: 'public',
    summary: 'Revoke the refresh token and every token rotated from the same login.',
    request: { body: LogoutBody },
    response: { status: 204 },
    access: { table: 'write' },
  }),
  getMe: route({
    id: 'getMe',
    method: 'GET',
    path: '/v2/me',
    handler: 'functions/me/get-me.ts',
    auth: 'bearer',
    summary: 'The signed-in operator: profile, memberships, MFA status.',
    request: {},
    response: { status: 200, body: MeResponse },
    access: { table: 'read' },
  }),
  getJwks: route({
    id: 'getJwks',
    method: 'GET',
    path: '/v2/.well-known/jwks.json',
    handler: 'functions/keys/get-jwks.ts',
    auth: 'public',
    summary: 'Public keys (ES256) that verify every token Portcullis issues.',
    request: {},
    response: { status: 200, body: Jwks },
    access: { table: 'read' },
  }),
} as const;

export type RouteId = keyof typeof routes;

/** The manifest as a list, in declaration order. */
export const manifest: readonly RouteDefinition[] = Object.values(routes);

export interface AuthorizerDefinition {
  /** Stable id: names the CDK construct. */
  id: string;
  handler: string;
  /** The header API Gateway passes to the authorizer and caches on. */
  identityHeader: string;
  cacheTtlSeconds: number;
  access: RouteAccess;
}

/** Lambda authorizers, one per auth kind that API Gateway checks before the route. */
export const authorizers: Record<'bearer' | 'apikey', AuthorizerDefinition> = {
  bearer: {
    id: 'bearerAuthorizer',
    handler: 'functions/authorizers/bearer-authorizer.ts',
    identityHeader: 'authorization',
    /** Result cache; tokens live 15 min, so 60 s keeps a revoked key or expired token short-lived. */
    cacheTtlSeconds: 60,
    access: { table: 'read' },
  },
  apikey: {
    id: 'apikeyAuthorizer',
    handler: 'functions/authorizers/apikey-authorizer.ts',
    identityHeader: 'apikey',
    /** Revocation takes effect when the cached answer expires: at most 60 s. */
    cacheTtlSeconds: 60,
    // Write: it records `lastUsedAt`, at most once a minute per key.
    access: { table: 'write' },
  },
};
