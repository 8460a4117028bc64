import { accessControl } from '#shared/compose/shared.ts';
import { members } from '#shared/compose/tenancy.ts';
import { auditContextOf } from '#shared/domain/tenancy/actors.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { tenancyRoutes } from '#shared/routes/tenancy.ts';
import { noContent } from '#shared/http/responses.ts';

/** DELETE /v2/accounts/{accountId}/members/{userId} — owner; never the last owner. */
export const handler = defineHandler(tenancyRoutes.removeMember, async ({ params, principal, requestId, sourceIp }) => {
  const actor = await accessControl().actorForAccount(principal, params.accountId);
  await accessControl().require(actor, 'member:write', { accountId: params.accountId });
  await members().remove(params.accountId, params.userId, auditContextOf(actor, { requestId, sourceIp }));
  return noContent();
});
