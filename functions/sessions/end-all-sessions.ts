import { operatorSessions } from '#shared/compose/sessions.ts';
import { ForbiddenError } from '#shared/domain/kernel/errors.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { sessionRoutes } from '#shared/routes/sessions.ts';
import { noContent } from '#shared/http/responses.ts';

/** DELETE /v2/me/sessions — sign out everywhere, this session included. */
export const handler = defineHandler(sessionRoutes.endMySessions, async ({ principal }) => {
  if (principal.kind !== 'operator') throw new ForbiddenError();
  await operatorSessions().endSessions(principal.userId);
  return noContent();
});
