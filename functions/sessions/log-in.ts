import { operatorSessions } from '#shared/compose/sessions.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { sessionRoutes } from '#shared/routes/sessions.ts';
import { sessionAnswer } from '#shared/http/session-cookie.ts';

/**
 * POST /v2/auth/login — email and password; throttled per email; one answer for every failure. With
 * 2FA on (or required) the answer is the second step's `mfaToken` instead of tokens.
 */
export const handler = defineHandler(sessionRoutes.login, async ({ body, event, requestId, sourceIp, userAgent }) =>
  sessionAnswer(event, 200, await operatorSessions().logIn(body, { requestId, sourceIp, userAgent })),
);
