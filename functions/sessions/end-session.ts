import { operatorSessions } from '#shared/compose/sessions.ts';
import { ForbiddenError } from '#shared/domain/kernel/errors.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { sessionRoutes } from '#shared/routes/sessions.ts';
import { noContent } from '#shared/http/responses.ts';

/** DELETE /v2/me/sessions/{sessionId} — ends one of the caller's sessions; anyone else's is a 404. */
export const handler = defineHandler(sessionRoutes.endMySession, async ({ params, principal }) => {
  if (principal.kind !== 'operator') throw new ForbiddenError();
  await operatorSessions().endSession(principal.userId, params.sessionId);
  return noContent();
});
