import { signup } from '#shared/compose/sessions.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { sessionRoutes } from '#shared/routes/sessions.ts';
import { created } from '#shared/http/responses.ts';

/** POST /v2/signup/verify — the e-mailed token completes a `verify-email` sign-up: the account, its owner, signed in. */
export const handler = defineHandler(sessionRoutes.verifySignup, async ({ body, requestId, sourceIp, userAgent }) =>
  created(await signup().verify(body.token, { requestId, sourceIp, userAgent })),
);
