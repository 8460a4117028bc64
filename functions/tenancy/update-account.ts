import { accounts } from '#shared/compose/tenancy.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { tenancyRoutes } from '#shared/routes/tenancy.ts';
import { ok } from '#shared/http/responses.ts';

/** PATCH /v2/accounts/{accountId} — name and settings (owners), billing contact (owners); audited. */
export const handler = defineHandler(tenancyRoutes.updateAccount, async ({ params, body, principal, requestId, sourceIp }) =>
  ok(await accounts().updateAccount({ principal, requestId, sourceIp }, params.accountId, body)),
);
