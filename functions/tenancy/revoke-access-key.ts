import { accessKeys } from '#shared/compose/tenancy.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { tenancyRoutes } from '#shared/routes/tenancy.ts';
import { noContent } from '#shared/http/responses.ts';

/**
 * DELETE /v2/accounts/{accountId}/keys/{keyId} — owner only. The key stays listed with `revokedAt`;
 * API Gateway's cached authorizer answers for it expire within 60 s.
 */
export const handler = defineHandler(tenancyRoutes.revokeAccessKey, async ({ params, principal, requestId, sourceIp }) => {
  await accessKeys().revokeKey(principal, params.accountId, params.keyId, { requestId, sourceIp });
  return noContent();
});
