import { accessControl } from '#shared/compose/shared.ts';
import { invitations } from '#shared/compose/tenancy.ts';
import { auditContextOf } from '#shared/domain/tenancy/actors.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { tenancyRoutes } from '#shared/routes/tenancy.ts';
import { created } from '#shared/http/responses.ts';

/** POST /v2/accounts/{accountId}/invitations — owner; the invitee gets the token by e-mail, the answer never carries it. */
export const handler = defineHandler(tenancyRoutes.createInvitation, async ({ params, body, principal, requestId, sourceIp }) => {
  const actor = await accessControl().actorForAccount(principal, params.accountId);
  await accessControl().require(actor, 'invitation:write', { accountId: params.accountId });
  return created(await invitations().create(params.accountId, body, auditContextOf(actor, { requestId, sourceIp })));
});
