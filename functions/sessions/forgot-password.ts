import { passwordLifecycle } from '#shared/compose/sessions.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { sessionRoutes } from '#shared/routes/sessions.ts';

/** POST /v2/auth/password/forgot — 202 and no body for every well-formed address: the answer never says whether it is an operator's. */
export const handler = defineHandler(sessionRoutes.forgotPassword, async ({ body, requestId, sourceIp }) => {
  await passwordLifecycle().requestReset(body.email, { requestId, sourceIp });
  return { statusCode: 202, headers: {} };
});
