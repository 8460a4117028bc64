import { signup } from '#shared/compose/sessions.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { sessionRoutes } from '#shared/routes/sessions.ts';
import { created, json } from '#shared/http/responses.ts';

/** POST /v2/signup — as the deployment's `signupMode` says: a new account signed in (201), a link e-mailed (202), or closed (403). */
export const handler = defineHandler(sessionRoutes.signup, async ({ body, requestId, sourceIp, userAgent }) => {
  const outcome = await signup().start(body, { requestId, sourceIp, userAgent });
  return 'created' in outcome ? created(outcome.created) : json(202, { verificationSent: true });
});
