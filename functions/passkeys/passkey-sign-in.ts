import { operatorPasskeyCeremonies } from '#shared/compose/passkeys.ts';
import type { AuthenticationResponseJSON } from '#shared/domain/passkeys/options.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { sessionAnswer } from '#shared/http/session-cookie.ts';
import { passkeyRoutes } from '#shared/routes/passkeys.ts';

/**
 * POST /v2/auth/passkey — a passkey's assertion → what login answers, through the session gate
 * (`OperatorSessions.admit`); cookie mode like login.
 */
export const handler = defineHandler(passkeyRoutes.passkeySignIn, async ({ body, event, requestId, sourceIp, userAgent }) => {
  // The schema checked the shape; the library checks every value.
  const response = body.response as unknown as AuthenticationResponseJSON;
  return sessionAnswer(event, 200, await operatorPasskeyCeremonies().signIn({ flowId: body.flowId, response }, { requestId, sourceIp, userAgent }));
});
