import { endUserTotpAdmin } from '#shared/compose/mfa.ts';
import { principalFromHeaders } from '#shared/compose/credentials.ts';
import { withQrCode } from '#shared/domain/mfa/totp.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { mfaRoutes } from '#shared/routes/mfa.ts';
import { ok } from '#shared/http/responses.ts';

/** POST /v2/organizations/{orgId}/users/{userId}/totp — a pending TOTP secret for an end user. */
export const handler = defineHandler(mfaRoutes.startEndUserTotp, async ({ params, principal, requestId, sourceIp }) =>
  ok(await withQrCode(await endUserTotpAdmin().begin({ principal, requestId, sourceIp }, params.orgId, params.userId))),
  { credentials: principalFromHeaders },
);
