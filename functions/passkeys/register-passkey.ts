import { operatorPasskeyCeremonies } from '#shared/compose/passkeys.ts';
import { ForbiddenError } from '#shared/domain/kernel/errors.ts';
import type { RegistrationResponseJSON } from '#shared/domain/passkeys/options.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { json } from '#shared/http/responses.ts';
import { passkeyRoutes } from '#shared/routes/passkeys.ts';

/** POST /v2/me/passkeys — verifies and stores the caller's new passkey. */
export const handler = defineHandler(passkeyRoutes.registerMyPasskey, async ({ body, principal, requestId, sourceIp }) => {
  if (principal.kind !== 'operator') throw new ForbiddenError();
  // The schema checked the shape; the library checks every value (transports it does not know are kept as strings).
  const response = body.response as unknown as RegistrationResponseJSON;
  return json(201, await operatorPasskeyCeremonies().register(principal.userId, { flowId: body.flowId, name: body.name, response }, { requestId, sourceIp }));
});
