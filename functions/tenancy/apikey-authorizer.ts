import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { apiKeyVerifier } from '#shared/compose/tenancy.ts';
import type { ApiKeyAuthorizerContext } from '#shared/http/auth-context.ts';

type Result = APIGatewaySimpleAuthorizerWithContextResult<ApiKeyAuthorizerContext>;

/**
 * `apikey` header authorizer (HTTP API, simple responses, cached per key up to 60 s, so a revoked key
 * stops working within a minute). One GetItem: the key id is embedded in the key. Like the bearer
 * authorizer it lets the request through with a verdict, so the route answers a 401 problem+json.
 */
export const handler = async (event: APIGatewayRequestAuthorizerEventV2): Promise<Result> => {
  const principal = await apiKeyVerifier().verify((event.identitySource[0] ?? '').trim());
  if (!principal) return { isAuthorized: true, context: { valid: false } };
  return {
    isAuthorized: true,
    context: {
      valid: true,
      keyId: principal.keyId,
      accountId: principal.accountId,
      permissions: principal.permissions.join(' '),
      organizations: principal.organizations === 'all' ? 'all' : principal.organizations.join(' '),
    },
  };
};
