import type { CfnStage, HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { IConstruct } from 'constructs';

/** A token bucket of API Gateway: steady requests per second and the burst it absorbs above them. */
export interface Throttle {
  /** Steady-state requests per second. */
  readonly rateLimit: number;
  /** Requests absorbed at once above the rate (the bucket size). */
  readonly burstLimit: number;
}

/** What a route without a setting of its own gets (the stage's default route settings). */
export const DEFAULT_STAGE_THROTTLE: Throttle = { rateLimit: 50, burstLimit: 100 };

/**
 * Budgets of their own for the routes that must keep working while another one is flooded, keyed by
 * route key (`METHOD /path`, as in the manifest). The end-user sign-in pair gets the most: the table
 * is warmed for 1,000 sign-ins/s (DataTable), and a tenant's users signing in must not wait behind
 * anonymous traffic on signup or the docs. Operator sign-in (login, second factor, refresh) gets its
 * own buckets too. Signup hashes a password at 1 GB of Lambda memory and creates an account: nobody
 * legitimately signs up hundreds of times a second, so it gets a small bucket and cannot drain the
 * stage default either. The JWKS is fetched by every verifier, cached 5 minutes.
 */
export const DEFAULT_ROUTE_THROTTLES: Readonly<Record<string, Throttle>> = {
  'POST /v2/user/authenticate': { rateLimit: 500, burstLimit: 1000 },
  'POST /v2/system/authenticate/user': { rateLimit: 500, burstLimit: 1000 },
  'POST /v2/auth/login': { rateLimit: 50, burstLimit: 100 },
  'POST /v2/auth/mfa': { rateLimit: 50, burstLimit: 100 },
  'POST /v2/auth/refresh': { rateLimit: 100, burstLimit: 200 },
  'POST /v2/signup': { rateLimit: 5, burstLimit: 10 },
  'GET /v2/.well-known/jwks.json': { rateLimit: 50, burstLimit: 100 },
  'GET /v2/organizations/{orgId}/.well-known/jwks.json': { rateLimit: 50, burstLimit: 100 },
};

/** Refuses a throttle API Gateway would refuse at deployment time, or one that names no route. */
export function validateThrottle(name: string, throttle: Throttle | undefined): void {
  if (throttle === undefined) return;
  for (const [field, value] of Object.entries({ rateLimit: throttle.rateLimit, burstLimit: throttle.burstLimit })) {
    if (!(Number.isInteger(value) && value > 0)) throw new Error(`${name}.${field} must be a whole number ≥ 1, not ${String(value)}`);
  }
}

/**
 * The per-route settings of the stage: the defaults for the routes this API has, overridden (or
 * extended) by `overrides`. A key that names no route of the API is an error here, since
 * CloudFormation would fail the deployment on it ("Unable to find Route by key").
 */
export function routeThrottles(
  routeKeys: readonly string[],
  overrides: Readonly<Record<string, Throttle>> = {},
): Record<string, Throttle> {
  const known = new Set(routeKeys);
  for (const [key, throttle] of Object.entries(overrides)) {
    if (!known.has(key)) throw new Error(`routeThrottles: "${key}" is not a route key of this API (e.g. "POST /v2/auth/login")`);
    validateThrottle(`routeThrottles["${key}"]`, throttle);
  }
  const defaults = Object.entries(DEFAULT_ROUTE_THROTTLES).filter(([key]) => known.has(key));
  return { ...Object.fromEntries(defaults), ...overrides };
}

/**
 * Writes the route settings into the stage. HttpStage has no prop for them, so they go on the L1
 * resource. The stage then depends on every route: CloudFormation refuses route settings for a route
 * key that does not exist yet.
 */
export function applyRouteThrottles(stage: HttpStage, throttles: Record<string, Throttle>, routes: readonly IConstruct[]): void {
  const cfnStage = stage.node.defaultChild as CfnStage;
  // A Json property: CloudFormation's own (PascalCase) names, passed through as written.
  cfnStage.routeSettings = Object.fromEntries(
    Object.entries(throttles).map(([key, { rateLimit, burstLimit }]) => [key, { ThrottlingRateLimit: rateLimit, ThrottlingBurstLimit: burstLimit }]),
  );
  for (const route of routes) stage.node.addDependency(route);
}
