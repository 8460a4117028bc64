/**
 * The one route list: an index that joins the areas' route modules (shared/routes/<area>.ts). CDK builds
 * one function, one route and the grants from each entry; the local server mounts each entry; the OpenAPI
 * document is generated from them; tests check all of them agree. A handler imports its own area's module,
 * not this one, so its bundle carries only that area's schemas.
 */
import { sessionRoutes, sessionTags } from '../routes/sessions.ts';
import { platformRoutes, platformTags } from '../routes/platform.ts';
import { tenancyRoutes, tenancyTags } from '../routes/tenancy.ts';
import { mfaRoutes, mfaTags } from '../routes/mfa.ts';
import { directoryRoutes, directoryTags } from '../routes/directory.ts';
import { signInRoutes, signInTags } from '../routes/sign-in.ts';
import { oidcRoutes, oidcTags } from '../routes/oidc.ts';
import { passkeyRoutes, passkeyTags } from '../routes/passkeys.ts';
import type { RouteAccess, RouteDefinition, Tag } from '../routes/definition.ts';

export type { AuthKind, DataKeyPurpose, Example, HttpMethod, RouteAccess, RouteDefinition, Tag } from '../routes/definition.ts';

export const routes = {
  ...sessionRoutes,
  ...tenancyRoutes,
  ...mfaRoutes,
  ...passkeyRoutes,
  ...directoryRoutes,
  ...signInRoutes,
  ...oidcRoutes,
  ...platformRoutes,
} as const;

export type RouteId = keyof typeof routes;

/** The reference page sections, area by area in the order of `routes`. */
export const tags: readonly Tag[] = [sessionTags, tenancyTags, mfaTags, passkeyTags, directoryTags, signInTags, oidcTags, platformTags].flatMap((area: Record<string, Tag>) => Object.values(area));

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

/** A function no route invokes, with what it may touch. */
export interface JobDefinition {
  id: string;
  handler: string;
  access: RouteAccess;
}

/**
 * The key function: runs at each deployment (creates missing keyrings) and on the deployment's
 * schedule (also rotates the signing key). The one function that may write keyrings.
 */
export const keyFunction: JobDefinition = {
  id: 'rotateKeys',
  handler: 'functions/platform/rotate-keys.ts',
  access: { writesKeyrings: true },
};

/**
 * The e-mail feedback function: SES publishes the bounces and complaints of the deployment's
 * configuration set to an SNS topic, which invokes it; it marks the addresses undeliverable. The one
 * function that may write e-mail suppressions.
 */
export const emailFeedbackFunction: JobDefinition = {
  id: 'handleEmailFeedback',
  handler: 'functions/platform/handle-email-feedback.ts',
  access: { writesEmailSuppressions: true },
};

/** The functions no route invokes: the key function and the e-mail feedback function. */
export const jobs: readonly JobDefinition[] = [keyFunction, emailFeedbackFunction];

/** Lambda authorizers, one per auth kind that API Gateway checks before the route. */
export const authorizers: Record<'bearer' | 'apikey', AuthorizerDefinition> = {
  bearer: {
    id: 'bearerAuthorizer',
    handler: 'functions/sessions/bearer-authorizer.ts',
    identityHeader: 'authorization',
    /** Result cache; tokens live 15 min, so 60 s keeps a revoked key or expired token short-lived. */
    cacheTtlSeconds: 60,
    access: { table: 'read' },
  },
  apikey: {
    id: 'apikeyAuthorizer',
    handler: 'functions/tenancy/apikey-authorizer.ts',
    identityHeader: 'apikey',
    /** Revocation takes effect when the cached answer expires: at most 60 s. */
    cacheTtlSeconds: 60,
    // Write: it records `lastUsedAt`, at most once a minute per key.
    access: { table: 'write' },
  },
};
