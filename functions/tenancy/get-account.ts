import { accounts } from '#shared/compose/tenancy.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { tenancyRoutes } from '#shared/routes/tenancy.ts';
import { ok } from '#shared/http/responses.ts';

/** GET /v2/accounts/{accountId} — the profile; the billing contact only for owners. */
export const handler = defineHandler(tenancyRoutes.getAccount, async ({ params, principal, requestId, sourceIp }) =>
  ok(await accounts().getAccount({ principal, requestId, sourceIp }, params.accountId)),
);
