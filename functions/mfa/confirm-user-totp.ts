import { endUserTotpAdmin } from '#shared/compose/mfa.ts';
import { recoveryCodesText } from '#shared/domain/mfa/recovery-codes.ts';
import { principalFromHeaders } from '#shared/compose/credentials.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { mfaRoutes } from '#shared/routes/mfa.ts';
import { acceptsTextPlain, content, ok } from '#shared/http/responses.ts';

/** POST /v2/organizations/{orgId}/users/{userId}/totp/confirm — enables it; the recovery codes once. */
export const handler = defineHandler(mfaRoutes.confirmEndUserTotp, async ({ params, body, principal, event, requestId, sourceIp }) => {
  const recoveryCodes = await endUserTotpAdmin().confirm({ principal, requestId, sourceIp }, params.orgId, params.userId, body.code);
  if (acceptsTextPlain(event.headers)) {
    return content(200, 'text/plain; charset=utf-8', recoveryCodesText(recoveryCodes, `user ${params.userId}`), {
      'content-disposition': 'attachment; filename="recovery-codes.txt"',
    });
  }
  return ok({ recoveryCodes });
},
  { credentials: principalFromHeaders },
);
