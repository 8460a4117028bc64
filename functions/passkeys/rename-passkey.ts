import { operatorPasskeys } from '#shared/compose/passkeys.ts';
import { ForbiddenError } from '#shared/domain/kernel/errors.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { json } from '#shared/http/responses.ts';
import { passkeyRoutes } from '#shared/routes/passkeys.ts';

/** PATCH /v2/me/passkeys/{passkeyId} — renames one of the caller's passkeys; anyone else's is a 404. */
export const handler = defineHandler(passkeyRoutes.renameMyPasskey, async ({ body, params, principal }) => {
  if (principal.kind !== 'operator') throw new ForbiddenError();
  return json(200, await operatorPasskeys().rename(principal.userId, params.passkeyId, body.name));
});
