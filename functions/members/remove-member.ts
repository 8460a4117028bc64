import { accessControl, members } from '#shared/container.ts';
import { auditContextOf } from '#shared/domain/members.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { routes } from '#shared/http/manifest.ts';
import { noContent } from '#shared/http/responses.ts';

/** DELETE /v2/accounts/{accountId}/members/{userId} — owner; never the last owner. */
export const handler = defineHandler(routes.removeMember, async ({ params, principal, requestId, sourceIp }) => {
  const actor = await accessControl().actorForAccount(principal, params.accountId);
  await accessControl().require(actor, 'member:write', { accountId: params.accountId });
  await members().remove(params.accountId, params.userId, auditContextOf(actor, { requestId, sourceIp }));
  return noContent();
});
