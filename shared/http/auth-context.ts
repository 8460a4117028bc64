import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AuthError } from '../domain/errors.ts';
import type { AuthKind } from './manifest.ts';

/** Who is calling, as established by the route's authorizer. */
export type Principal = { kind: 'anonymous' } | { kind: 'operator'; userId: string; amr: string[] };

/**
 * What the bearer authorizer hands to routes (API Gateway `requestContext.authorizer.lambda`). The
 * authorizer lets every request with an Authorization header through and says here whether the
 * token was valid, so the route can answer a proper 401 problem (API Gateway's own deny is a bare 403).
 */
export interface BearerAuthorizerContext {
  valid: boolean;
  reason?: 'expired' | 'invalid';
  userId?: string;
  /** Epoch seconds; re-checked here because the authorizer's answer is cached up to 60 s. */
  expiresAt?: number;
  amr?: string;
}

type EventWithAuthorizer = APIGatewayProxyEventV2 & {
  requestContext: { authorizer?: { lambda?: Partial<BearerAuthorizerContext> } };
};

/** Builds the principal for a route from its auth kind and the authorizer's context. */
export function principalFor(auth: AuthKind, event: APIGatewayProxyEventV2, nowSeconds = Date.now() / 1000): Principal {
  if (auth === 'public') return { kind: 'anonymous' };
  if (auth !== 'bearer') throw new Error(`auth kind ${auth} is not wired yet`);
  const context = (event as EventWithAuthorizer).requestContext.authorizer?.lambda;
  if (context?.valid !== true || !context.userId || !context.expiresAt) {
    throw context?.reason === 'expired' ? tokenExpired() : new AuthError('invalid_token', 'The access token is invalid.');
  }
  if (context.expiresAt <= nowSeconds) throw tokenExpired();
  return { kind: 'operator', userId: context.userId, amr: context.amr ? context.amr.split(' ') : [] };
}

function tokenExpired(): AuthError {
  return new AuthError('token_expired', 'The access token has expired.');
}
