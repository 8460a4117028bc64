import { principalFromHeaders } from '#shared/compose/credentials.ts';
import { endUserPasskeys } from '#shared/compose/passkeys.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { noContent } from '#shared/http/responses.ts';
import { passkeyRoutes } from '#shared/routes/passkeys.ts';

/** DELETE /v2/organizations/{orgId}/users/{userId}/passkeys/{passkeyId} — removes one of an end user's passkeys. */
export const handler = defineHandler(
  passkeyRoutes.removeEndUserPasskey,
  async ({ params, principal, requestId, sourceIp }) => {
    await endUserPasskeys().remove({ principal, requestId, sourceIp }, params.orgId, params.userId, params.passkeyId);
    return noContent();
  },
  { credentials: principalFromHeaders },
);
