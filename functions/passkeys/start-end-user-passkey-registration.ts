import { principalFromHeaders } from '#shared/compose/credentials.ts';
import { endUserPasskeys } from '#shared/compose/passkeys.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { ok } from '#shared/http/responses.ts';
import { passkeyRoutes } from '#shared/routes/passkeys.ts';

/** POST /v2/organizations/{orgId}/users/{userId}/passkeys/options — creation options for an end user's passkey on a system's relying party. */
export const handler = defineHandler(
  passkeyRoutes.startEndUserPasskeyRegistration,
  async ({ params, body, principal, requestId, sourceIp }) => ok(await endUserPasskeys().registrationOptions({ principal, requestId, sourceIp }, params.orgId, params.userId, body.system)),
  { credentials: principalFromHeaders },
);
