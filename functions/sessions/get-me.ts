import { operatorMfa } from '#shared/compose/mfa.ts';
import { operatorStore } from '#shared/compose/shared.ts';
import { describeOperator } from '#shared/domain/sessions/profile.ts';
import { ForbiddenError } from '#shared/domain/kernel/errors.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { sessionRoutes } from '#shared/routes/sessions.ts';
import { ok } from '#shared/http/responses.ts';

/** GET /v2/me — the signed-in operator. */
export const handler = defineHandler(sessionRoutes.getMe, async ({ principal }) => {
  if (principal.kind !== 'operator') throw new ForbiddenError();
  return ok(await describeOperator(operatorStore(), principal.userId, operatorMfa()));
});
