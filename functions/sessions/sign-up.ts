import { signup } from '#shared/compose/sessions.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { sessionRoutes } from '#shared/routes/sessions.ts';
import { json } from '#shared/http/responses.ts';
import { sessionAnswer } from '#shared/http/session-cookie.ts';

/** POST /v2/signup — as the deployment's `signupMode` says: a new account signed in (201), a link e-mailed (202), or closed (403). */
export const handler = defineHandler(sessionRoutes.signup, async ({ body, event, requestId, sourceIp, userAgent }) => {
  const outcome = await signup().start(body, { requestId, sourceIp, userAgent });
  return 'created' in outcome ? sessionAnswer(event, 201, outcome.created) : json(202, { verificationSent: true });
});
