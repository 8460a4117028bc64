import { operatorSessions } from '#shared/compose/sessions.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { refreshTokenFromCookie, refuseBodyTokenInCookieMode, requireBodyToken, sessionAnswer, wantsCookieMode } from '#shared/http/session-cookie.ts';
import { sessionRoutes } from '#shared/routes/sessions.ts';

/**
 * POST /v2/auth/refresh — spends the refresh token and answers a new pair. Cookie mode: the token
 * comes from the cookie (never from the body too) and the new one goes back in it.
 */
export const handler = defineHandler(sessionRoutes.refresh, async ({ body, event }) => {
  if (wantsCookieMode(event)) refuseBodyTokenInCookieMode(body);
  const refreshToken = wantsCookieMode(event) ? refreshTokenFromCookie(event) : requireBodyToken(body);
  return sessionAnswer(event, 200, await operatorSessions().refresh(refreshToken));
});
