import { memberMfa } from '#shared/compose/mfa.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { mfaRoutes } from '#shared/routes/mfa.ts';
import { noContent } from '#shared/http/responses.ts';

/** POST /v2/accounts/{accountId}/members/{userId}/mfa/reset — owner; removes the member's 2FA. */
export const handler = defineHandler(mfaRoutes.resetMemberMfa, async ({ params, principal, requestId, sourceIp }) => {
  await memberMfa().reset({ principal, requestId, sourceIp }, params.accountId, params.userId);
  return noContent();
});
