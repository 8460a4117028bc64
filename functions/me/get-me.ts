import { operatorMfa, operatorStore } from '#shared/container.ts';
import { describeOperator } from '#shared/domain/profile.ts';
import { ForbiddenError } from '#shared/domain/errors.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { routes } from '#shared/http/manifest.ts';
import { ok } from '#shared/http/responses.ts';

/** GET /v2/me — the signed-in operator. */
export const handler = defineHandler(routes.getMe, async ({ principal }) => {
  if (principal.kind !== 'operator') throw new ForbiddenError();
  return ok(await describeOperator(operatorStore(), principal.userId, operatorMfa()));
});
