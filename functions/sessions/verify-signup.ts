import { signup } from '#shared/compose/sessions.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { sessionRoutes } from '#shared/routes/sessions.ts';
import { sessionAnswer } from '#shared/http/session-cookie.ts';

/** POST /v2/signup/verify — the e-mailed token completes a `verify-email` sign-up: the account, its owner, signed in. */
export const handler = defineHandler(sessionRoutes.verifySignup, async ({ body, event, requestId, sourceIp, userAgent }) =>
  sessionAnswer(event, 201, await signup().verify(body.token, { requestId, sourceIp, userAgent })),
);
