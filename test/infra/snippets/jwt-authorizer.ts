import type { Stack } from 'aws-cdk-lib';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpUrlIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';

/** Your Portcullis deployment's public URL (its `apiBase`) and the organization whose users call this API. */
export const PORTCULLIS_API_BASE = 'https://auth.example.com';
export const ORGANIZATION_ID = 'org_3f9c2d7a1b8e4f6a9c0d1e2f3a4b5c6d';
/** The system whose tokens this API accepts, created with "tokenSigningAlg": "RS256". */
export const SYSTEM_NAME = 'orders-api';

/** An HTTP API whose routes let only that system's valid tokens through. */
export function ordersApi(stack: Stack): HttpApi {
  const issuer = `${PORTCULLIS_API_BASE}/v2/organizations/${ORGANIZATION_ID}`;
  const authorizer = new HttpJwtAuthorizer('Portcullis', issuer, { jwtAudience: [SYSTEM_NAME] });
  const api = new HttpApi(stack, 'OrdersApi', { defaultAuthorizer: authorizer });
  api.addRoutes({
    path: '/orders',
    methods: [HttpMethod.GET, HttpMethod.POST],
    integration: new HttpUrlIntegration('Orders', 'https://orders.internal.example.com/orders'),
  });
  return api;
}
