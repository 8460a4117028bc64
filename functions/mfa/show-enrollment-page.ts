import { operatorMfa } from '#shared/container.ts';
import { NotFoundError } from '#shared/domain/errors.ts';
import { enrollmentFormPage, linkUnavailablePage } from '#shared/http/enrollment-page.ts';
import { withQrCode } from '#shared/domain/totp.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { routes } from '#shared/http/manifest.ts';

/** GET /v2/mfa/enroll/{token} — the enrolment page: a fresh pending secret as QR code and text. */
export const handler = defineHandler(routes.showMfaEnrollmentPage, async ({ params, requestId, sourceIp }) => {
  try {
    return enrollmentFormPage(await withQrCode(await operatorMfa().openEnrollmentLink(params.token, { requestId, sourceIp })));
  } catch (error) {
    if (error instanceof NotFoundError) return linkUnavailablePage();
    throw error;
  }
});
