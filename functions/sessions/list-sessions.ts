import { operatorSessions } from '#shared/compose/sessions.ts';
import { ForbiddenError } from '#shared/domain/kernel/errors.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { sessionRoutes } from '#shared/routes/sessions.ts';
import { ok } from '#shared/http/responses.ts';

/** GET /v2/me/sessions — the caller's live sessions; `current` is the one the access token names (`sid`). */
export const handler = defineHandler(sessionRoutes.listMySessions, async ({ principal }) => {
  if (principal.kind !== 'operator') throw new ForbiddenError();
  return ok({ items: await operatorSessions().listSessions(principal.userId, principal.sessionId) });
});
