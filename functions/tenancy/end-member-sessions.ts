import { memberSessions } from '#shared/compose/tenancy.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { tenancyRoutes } from '#shared/routes/tenancy.ts';
import { noContent } from '#shared/http/responses.ts';

/** DELETE /v2/accounts/{accountId}/members/{userId}/sessions — owner; ends every session of the member. */
export const handler = defineHandler(tenancyRoutes.endMemberSessions, async ({ params, principal, requestId, sourceIp }) => {
  await memberSessions().endAll({ principal, requestId, sourceIp }, params.accountId, params.userId);
  return noContent();
});
