import { operatorMfa } from '#shared/container.ts';
import { AppError, NotFoundError } from '#shared/domain/errors.ts';
import { enrollmentFormPage, linkUnavailablePage, recoveryCodesPage } from '#shared/http/enrollment-page.ts';
import { withQrCode } from '#shared/domain/totp.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { routes } from '#shared/http/manifest.ts';

/**
 * POST /v2/mfa/enroll/{token} — the page's form. A right code shows the recovery codes once; a wrong
 * one shows the page again with the same secret (the failure counts towards the lock).
 */
export const handler = defineHandler(routes.submitMfaEnrollmentPage, async ({ params, body, requestId, sourceIp }) => {
  const facts = { requestId, sourceIp };
  try {
    return recoveryCodesPage(await operatorMfa().completeEnrollmentLink(params.token, body.code.trim(), facts));
  } catch (error) {
    if (error instanceof NotFoundError) return linkUnavailablePage();
    if (!(error instanceof AppError) || error.status >= 500) throw error;
    const again = await operatorMfa().openEnrollmentLink(params.token, facts, { reusePending: true });
    return enrollmentFormPage({ ...(await withQrCode(again)), error: `${error.detail ?? error.title} Try again with the current code.` });
  }
});
