import { operatorPasskeys } from '#shared/compose/passkeys.ts';
import { ForbiddenError } from '#shared/domain/kernel/errors.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { json } from '#shared/http/responses.ts';
import { passkeyRoutes } from '#shared/routes/passkeys.ts';

/** GET /v2/me/passkeys — the caller's passkeys. */
export const handler = defineHandler(passkeyRoutes.listMyPasskeys, async ({ principal }) => {
  if (principal.kind !== 'operator') throw new ForbiddenError();
  return json(200, { items: await operatorPasskeys().list(principal.userId) });
});
