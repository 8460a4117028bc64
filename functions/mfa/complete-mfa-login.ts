import { operatorSessions } from '#shared/compose/sessions.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { mfaRoutes } from '#shared/routes/mfa.ts';
import { sessionAnswer } from '#shared/http/session-cookie.ts';

/** POST /v2/auth/mfa — the mfaToken from login plus a TOTP code or a recovery code → tokens. */
export const handler = defineHandler(mfaRoutes.completeMfaLogin, async ({ body, event, requestId, sourceIp, userAgent }) =>
  sessionAnswer(event, 200, await operatorSessions().completeMfaLogin(body, { requestId, sourceIp, userAgent })),
);
