import { operatorSessions } from '#shared/compose/sessions.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { sessionRoutes } from '#shared/routes/sessions.ts';
import { noContent } from '#shared/http/responses.ts';

/**
 * POST /v2/auth/logout — revokes the session the refresh token belongs to. Access tokens already
 * issued stay valid until they expire (15 min), as with any stateless JWT.
 */
export const handler = defineHandler(sessionRoutes.logout, async ({ body }) => {
  await operatorSessions().logOut(body.refreshToken);
  return noContent();
});
