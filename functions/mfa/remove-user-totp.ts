import { endUserTotpAdmin } from '#shared/compose/mfa.ts';
import { principalFromHeaders } from '#shared/compose/credentials.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { mfaRoutes } from '#shared/routes/mfa.ts';
import { noContent } from '#shared/http/responses.ts';

/** DELETE /v2/organizations/{orgId}/users/{userId}/totp — removes an end user's TOTP and recovery codes. */
export const handler = defineHandler(mfaRoutes.removeEndUserTotp, async ({ params, principal, requestId, sourceIp }) => {
  await endUserTotpAdmin().remove({ principal, requestId, sourceIp }, params.orgId, params.userId);
  return noContent();
},
  { credentials: principalFromHeaders },
);
