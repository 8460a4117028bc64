import { accessControl } from '#shared/compose/shared.ts';
import { invitations } from '#shared/compose/tenancy.ts';
import { auditContextOf } from '#shared/domain/tenancy/actors.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { tenancyRoutes } from '#shared/routes/tenancy.ts';
import { noContent } from '#shared/http/responses.ts';

/** DELETE /v2/accounts/{accountId}/invitations/{invitationId} — owner; revokes a pending invitation. */
export const handler = defineHandler(tenancyRoutes.revokeInvitation, async ({ params, principal, requestId, sourceIp }) => {
  const actor = await accessControl().actorForAccount(principal, params.accountId);
  await accessControl().require(actor, 'invitation:write', { accountId: params.accountId });
  await invitations().revoke(params.accountId, params.invitationId, auditContextOf(actor, { requestId, sourceIp }));
  return noContent();
});
