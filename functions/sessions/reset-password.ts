import { passwordLifecycle } from '#shared/compose/sessions.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { sessionRoutes } from '#shared/routes/sessions.ts';
import { noContent } from '#shared/http/responses.ts';

/** POST /v2/auth/password/reset — spends the e-mailed link, sets the password, ends every session; answers no tokens (a reset is not a sign-in). */
export const handler = defineHandler(sessionRoutes.resetPassword, async ({ body, requestId, sourceIp }) => {
  await passwordLifecycle().resetPassword(body, { requestId, sourceIp });
  return noContent();
});
