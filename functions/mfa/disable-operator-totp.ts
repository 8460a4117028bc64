import { operatorMfa } from '#shared/compose/mfa.ts';
import { ForbiddenError } from '#shared/domain/kernel/errors.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { mfaRoutes } from '#shared/routes/mfa.ts';
import { noContent } from '#shared/http/responses.ts';

/** DELETE /v2/me/mfa/totp — turns TOTP off with a current code or the password. */
export const handler = defineHandler(mfaRoutes.disableOperatorTotp, async ({ body, principal, requestId, sourceIp }) => {
  if (principal.kind !== 'operator') throw new ForbiddenError();
  await operatorMfa().disable(principal.userId, body, { requestId, sourceIp });
  return noContent();
});
