import { operatorMfa } from '#shared/compose/mfa.ts';
import { ForbiddenError } from '#shared/domain/kernel/errors.ts';
import { recoveryCodesText } from '#shared/domain/mfa/recovery-codes.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { mfaRoutes } from '#shared/routes/mfa.ts';
import { acceptsTextPlain, content, ok } from '#shared/http/responses.ts';

/** POST /v2/me/mfa/recovery-codes — a new set after a current code; the old set is void. */
export const handler = defineHandler(mfaRoutes.regenerateRecoveryCodes, async ({ body, principal, event, requestId, sourceIp }) => {
  if (principal.kind !== 'operator') throw new ForbiddenError();
  const recoveryCodes = await operatorMfa().regenerateRecoveryCodes(principal.userId, body.code, { requestId, sourceIp });
  if (acceptsTextPlain(event.headers)) {
    return content(200, 'text/plain; charset=utf-8', recoveryCodesText(recoveryCodes, 'your Portcullis login'), {
      'content-disposition': 'attachment; filename="portcullis-recovery-codes.txt"',
    });
  }
  return ok({ recoveryCodes });
});
