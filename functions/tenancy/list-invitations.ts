import { accessControl } from '#shared/compose/shared.ts';
import { invitations } from '#shared/compose/tenancy.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { tenancyRoutes } from '#shared/routes/tenancy.ts';
import { page } from '#shared/http/pagination.ts';
import { ok } from '#shared/http/responses.ts';

/** GET /v2/accounts/{accountId}/invitations — owner; pending invitations, without tokens. */
export const handler = defineHandler(tenancyRoutes.listInvitations, async ({ params, query, principal }) => {
  const actor = await accessControl().actorForAccount(principal, params.accountId);
  await accessControl().require(actor, 'invitation:read', { accountId: params.accountId });
  const result = await invitations().list(params.accountId, query);
  return ok(page(result.items, result.lastKey));
});
