import { operatorPasskeys } from '#shared/compose/passkeys.ts';
import { ForbiddenError } from '#shared/domain/kernel/errors.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { noContent } from '#shared/http/responses.ts';
import { passkeyRoutes } from '#shared/routes/passkeys.ts';

/** DELETE /v2/me/passkeys/{passkeyId} — removes one of the caller's passkeys after a TOTP code or the password. */
export const handler = defineHandler(passkeyRoutes.removeMyPasskey, async ({ body, params, principal, requestId, sourceIp }) => {
  if (principal.kind !== 'operator') throw new ForbiddenError();
  await operatorPasskeys().remove(principal.userId, params.passkeyId, body, { requestId, sourceIp });
  return noContent();
});
