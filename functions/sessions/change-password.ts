import { passwordLifecycle } from '#shared/compose/sessions.ts';
import { ForbiddenError } from '#shared/domain/kernel/errors.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { sessionRoutes } from '#shared/routes/sessions.ts';
import { noContent } from '#shared/http/responses.ts';

/**
 * POST /v2/me/password — the caller's own password, never another operator's: the operator is the
 * access token's subject, so no path or body names someone else. Every other session ends at once
 * (their refresh fails); access tokens they already hold run out within their 15 minutes.
 */
export const handler = defineHandler(sessionRoutes.changePassword, async ({ body, principal, requestId, sourceIp }) => {
  if (principal.kind !== 'operator') throw new ForbiddenError();
  const { userId, amr, sessionId } = principal;
  await passwordLifecycle().changePassword({ userId, amr, ...(sessionId ? { sessionId } : {}) }, body, { requestId, sourceIp });
  return noContent();
});
