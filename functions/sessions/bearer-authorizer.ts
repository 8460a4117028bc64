import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { config } from '#shared/config.ts';
import { tokenSigningKeys } from '#shared/compose/platform.ts';
import { OPERATOR_AUDIENCE, verifyAccessToken } from '#shared/domain/sessions/access-tokens.ts';
import type { BearerAuthorizerContext } from '#shared/http/auth-context.ts';

type Result = APIGatewaySimpleAuthorizerWithContextResult<BearerAuthorizerContext>;

/**
 * Bearer authorizer (HTTP API, simple responses, cached per token up to 60 s). It verifies the ES256
 * access token with the public keys only and lets the request through either way, telling the route
 * in the context whether the token held: the route then answers a 401 problem+json with
 * `token_expired` or `invalid_token`, where API Gateway's own deny would be a bare 403.
 */
export const handler = async (event: APIGatewayRequestAuthorizerEventV2): Promise<Result> => {
  const header = event.identitySource[0] ?? '';
  const match = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/i.exec(header.trim());
  if (!match?.[1]) return { isAuthorized: true, context: { valid: false, reason: 'invalid' } };
  const verified = await verifyAccessToken(match[1], await tokenSigningKeys().verificationKeys(['ES256']), {
    issuer: config().tokenIssuer,
    audience: OPERATOR_AUDIENCE,
  });
  if (!verified.valid) return { isAuthorized: true, context: { valid: false, reason: verified.reason } };
  return {
    isAuthorized: true,
    context: {
      valid: true,
      userId: verified.subject,
      expiresAt: verified.expiresAt,
      amr: verified.amr.join(' '),
      ...(verified.sessionId ? { sid: verified.sessionId } : {}),
    },
  };
};
