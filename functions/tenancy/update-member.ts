import { accessControl } from '#shared/compose/shared.ts';
import { members } from '#shared/compose/tenancy.ts';
import { auditContextOf } from '#shared/domain/tenancy/actors.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { tenancyRoutes } from '#shared/routes/tenancy.ts';
import { ok } from '#shared/http/responses.ts';

/** PATCH /v2/accounts/{accountId}/members/{userId} — role and/or scope (owner); never demotes the last owner. */
export const handler = defineHandler(tenancyRoutes.updateMember, async ({ params, body, principal, requestId, sourceIp }) => {
  const actor = await accessControl().actorForAccount(principal, params.accountId);
  await accessControl().require(actor, 'member:write', { accountId: params.accountId });
  return ok(await members().update(params.accountId, params.userId, body, auditContextOf(actor, { requestId, sourceIp })));
});
