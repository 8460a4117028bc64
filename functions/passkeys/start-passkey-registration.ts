import { operatorPasskeys } from '#shared/compose/passkeys.ts';
import { ForbiddenError } from '#shared/domain/kernel/errors.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { json } from '#shared/http/responses.ts';
import { passkeyRoutes } from '#shared/routes/passkeys.ts';

/** POST /v2/me/passkeys/options — creation options for a new passkey of the caller, and the flow of its challenge. */
export const handler = defineHandler(passkeyRoutes.startMyPasskeyRegistration, async ({ principal }) => {
  if (principal.kind !== 'operator') throw new ForbiddenError();
  return json(200, await operatorPasskeys().registrationOptions(principal.userId));
});
