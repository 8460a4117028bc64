import { principalFromHeaders } from '#shared/compose/credentials.ts';
import { endUserPasskeyCeremonies } from '#shared/compose/passkeys.ts';
import type { RegistrationResponseJSON } from '#shared/domain/passkeys/options.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { created } from '#shared/http/responses.ts';
import { passkeyRoutes } from '#shared/routes/passkeys.ts';

/** POST /v2/organizations/{orgId}/users/{userId}/passkeys — verifies and stores an end user's new passkey. */
export const handler = defineHandler(
  passkeyRoutes.registerEndUserPasskey,
  async ({ params, body, principal, requestId, sourceIp }) => {
    // The schema checked the shape; the library checks every value.
    const response = body.response as unknown as RegistrationResponseJSON;
    return created(await endUserPasskeyCeremonies().register({ principal, requestId, sourceIp }, params.orgId, params.userId, { flowId: body.flowId, name: body.name, response }));
  },
  { credentials: principalFromHeaders },
);
