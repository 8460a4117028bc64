import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AuthError } from '../domain/kernel/errors.ts';
import type { KeyPermission } from '../domain/kernel/model.ts';
import type { Principal } from '../domain/kernel/principal.ts';
import type { AuthKind } from './manifest.ts';

export type { Principal };

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
  /** The session (refresh family) of the token: its `sid` claim. */
  sid?: string;
}

/** What the apikey authorizer hands to routes; lists are space-separated (context values are scalars). */
export interface ApiKeyAuthorizerContext {
  valid: boolean;
  keyId?: string;
  accountId?: string;
  permissions?: string;
  /** `all`, or space-separated organization ids. */
  organizations?: string;
}

type EventWithAuthorizer<C> = APIGatewayProxyEventV2 & { requestContext: { authorizer?: { lambda?: Partial<C> } } };

const authorizerContext = <C>(event: APIGatewayProxyEventV2): Partial<C> | undefined =>
  (event as EventWithAuthorizer<C>).requestContext.authorizer?.lambda;

function tokenExpired(): AuthError {
  return new AuthError('token_expired', 'The access token has expired.');
}

/**
 * Verifies a credential in the function itself (`bearer-or-apikey` and `mfa` routes: see
 * credentials.ts). Passed in by those routes' handlers rather than imported here, so that the other
 * functions' bundles carry neither token verification nor the MFA code it would pull in.
 */
export type CredentialResolver = (event: APIGatewayProxyEventV2) => Promise<Principal>;

/** Builds the principal for a route from its auth kind and the credential (never from the body). */
export async function principalFor(auth: AuthKind, event: APIGatewayProxyEventV2, resolve?: CredentialResolver, nowSeconds = Date.now() / 1000): Promise<Principal> {
  switch (auth) {
    case 'public':
      return { kind: 'anonymous' };
    case 'bearer': {
      const context = authorizerContext<BearerAuthorizerContext>(event);
      if (context?.valid !== true || !context.userId || !context.expiresAt) {
        throw context?.reason === 'expired' ? tokenExpired() : new AuthError('invalid_token', 'The access token is invalid.');
      }
      if (context.expiresAt <= nowSeconds) throw tokenExpired();
      return {
        kind: 'operator',
        userId: context.userId,
        amr: context.amr ? context.amr.split(' ') : [],
        ...(context.sid ? { sessionId: context.sid } : {}),
      };
    }
    case 'apikey': {
      const context = authorizerContext<ApiKeyAuthorizerContext>(event);
      if (context?.valid !== true || !context.keyId || !context.accountId) {
        throw new AuthError('invalid_api_key', 'The API key is invalid or revoked.');
      }
      const organizations = context.organizations ?? '';
      return {
        kind: 'key',
        keyId: context.keyId,
        accountId: context.accountId,
        permissions: (context.permissions ?? '').split(' ').filter(Boolean) as KeyPermission[],
        organizations: organizations === 'all' ? 'all' : organizations.split(' ').filter(Boolean),
      };
    }
    case 'bearer-or-apikey':
    case 'mfa':
    case 'public-or-bearer':
      if (!resolve) throw new Error(`a ${auth} route needs its credential resolver (defineHandler's third argument)`);
      return resolve(event);
  }
}
