import { operatorMfa } from '#shared/compose/mfa.ts';
import { operatorSessions } from '#shared/compose/sessions.ts';
import { ForbiddenError } from '#shared/domain/kernel/errors.ts';
import { ENROLLMENT_AMR } from '#shared/domain/mfa/mfa-tokens.ts';
import { recoveryCodesText } from '#shared/domain/mfa/recovery-codes.ts';
import { principalFromMfaCredential } from '#shared/compose/credentials.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { mfaRoutes } from '#shared/routes/mfa.ts';
import { acceptsTextPlain, content } from '#shared/http/responses.ts';
import { sessionAnswer } from '#shared/http/session-cookie.ts';

/**
 * POST /v2/me/mfa/totp/confirm — enables the pending secret; answers the recovery codes (JSON, or a
 * `text/plain` download). Confirmed with an enrolment mfaToken, the login completes too.
 */
export const handler = defineHandler(mfaRoutes.confirmOperatorTotp, async ({ body, principal, event, requestId, sourceIp, userAgent }) => {
  if (principal.kind !== 'operator') throw new ForbiddenError();
  const facts = { requestId, sourceIp, userAgent };
  const recoveryCodes = await operatorMfa().confirmEnrollment(principal.userId, body.code, facts);
  const mfaToken = /^Bearer (\S+)$/i.exec(event.headers.authorization ?? '')?.[1] ?? '';
  const tokens = principal.amr.includes(ENROLLMENT_AMR) ? await operatorSessions().completeEnrollmentLogin(mfaToken, facts) : {};
  if (acceptsTextPlain(event.headers)) {
    return content(200, 'text/plain; charset=utf-8', recoveryCodesText(recoveryCodes, 'your Portcullis login'), {
      'content-disposition': 'attachment; filename="portcullis-recovery-codes.txt"',
    });
  }
  return sessionAnswer(event, 200, { recoveryCodes, ...tokens });
},
  { credentials: principalFromMfaCredential },
);
