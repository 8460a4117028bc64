import { enrollmentLinks } from '#shared/compose/mfa.ts';
import { NotFoundError } from '#shared/domain/kernel/errors.ts';
import { linkUnavailablePage, passwordFormPage } from '#shared/http/enrollment-page.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { mfaRoutes } from '#shared/routes/mfa.ts';

/**
 * GET /v2/mfa/enroll/{token} — the enrolment page asks the member's password first. It writes
 * nothing (no pending secret, no event): link scanners and mail previews open links too.
 */
export const handler = defineHandler(mfaRoutes.showMfaEnrollmentPage, async ({ params }) => {
  try {
    return passwordFormPage(await enrollmentLinks().view(params.token));
  } catch (error) {
    if (error instanceof NotFoundError) return linkUnavailablePage();
    throw error;
  }
});
