import { operatorMfa } from '#shared/container.ts';
import { ForbiddenError } from '#shared/domain/errors.ts';
import { ENROLLMENT_AMR } from '#shared/domain/mfa.ts';
import { principalFromMfaCredential } from '#shared/http/credentials.ts';
import { withQrCode } from '#shared/domain/totp.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { routes } from '#shared/http/manifest.ts';
import { ok } from '#shared/http/responses.ts';

/** POST /v2/me/mfa/totp — a pending TOTP secret with its otpauth URI and QR code. */
export const handler = defineHandler(routes.startOperatorTotp, async ({ body, principal, requestId, sourceIp }) => {
  if (principal.kind !== 'operator') throw new ForbiddenError();
  const viaEnrollmentToken = principal.amr.includes(ENROLLMENT_AMR);
  const enrollment = await operatorMfa().startEnrollment(principal.userId, { password: body.password, viaEnrollmentToken }, { requestId, sourceIp });
  return ok(await withQrCode(enrollment));
},
  { credentials: principalFromMfaCredential },
);
