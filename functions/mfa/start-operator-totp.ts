import { operatorMfa } from '#shared/compose/mfa.ts';
import { ForbiddenError } from '#shared/domain/kernel/errors.ts';
import { ENROLLMENT_AMR } from '#shared/domain/mfa/mfa-tokens.ts';
import { principalFromMfaCredential } from '#shared/compose/credentials.ts';
import { withQrCode } from '#shared/domain/mfa/totp.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { mfaRoutes } from '#shared/routes/mfa.ts';
import { ok } from '#shared/http/responses.ts';

/** POST /v2/me/mfa/totp — a pending TOTP secret with its otpauth URI and QR code. */
export const handler = defineHandler(mfaRoutes.startOperatorTotp, async ({ body, principal, requestId, sourceIp }) => {
  if (principal.kind !== 'operator') throw new ForbiddenError();
  const viaEnrollmentToken = principal.amr.includes(ENROLLMENT_AMR);
  const enrollment = await operatorMfa().startEnrollment(principal.userId, { password: body.password, viaEnrollmentToken }, { requestId, sourceIp });
  return ok(await withQrCode(enrollment));
},
  { credentials: principalFromMfaCredential },
);
