import { operatorSessions } from '#shared/compose/sessions.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { refreshCookieValues, refuseBodyTokenInCookieMode, requireBodyToken, signedOut, wantsCookieMode } from '#shared/http/session-cookie.ts';
import { sessionRoutes } from '#shared/routes/sessions.ts';

/**
 * POST /v2/auth/logout — revokes the session the refresh token belongs to. Access tokens already
 * issued stay valid until they expire (15 min), as with any stateless JWT. Cookie mode: the token
 * comes from the cookie (each one, should a second have been planted), and the answer clears it
 * whether or not it named a live session.
 */
export const handler = defineHandler(sessionRoutes.logout, async ({ body, event }) => {
  const cookieMode = wantsCookieMode(event);
  if (cookieMode) refuseBodyTokenInCookieMode(body);
  const refreshTokens = cookieMode ? refreshCookieValues(event) : [requireBodyToken(body)];
  const sessions = operatorSessions();
  for (const refreshToken of refreshTokens) await sessions.logOut(refreshToken);
  return signedOut(cookieMode);
});
