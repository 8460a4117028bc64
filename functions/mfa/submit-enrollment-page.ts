import { enrollmentLinks } from '#shared/compose/mfa.ts';
import { AppError, NotFoundError, RateLimitError } from '#shared/domain/kernel/errors.ts';
import { withQrCode } from '#shared/domain/mfa/totp.ts';
import { enrollmentFormPage, linkUnavailablePage, passwordFormPage, recoveryCodesPage } from '#shared/http/enrollment-page.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { mfaRoutes } from '#shared/routes/mfa.ts';
import type { HandlerResult } from '#shared/http/responses.ts';

/**
 * POST /v2/mfa/enroll/{token} — the page's forms. The password (throttled like a login) unlocks the
 * QR code and secret; the code, with the page's `step` token, confirms and shows the recovery codes
 * once. A wrong password shows the password form again and writes nothing; a wrong code shows the
 * same secret again (the failure counts towards the factor's lock).
 */
export const handler = defineHandler(mfaRoutes.submitMfaEnrollmentPage, async ({ params, body, requestId, sourceIp }) => {
  const facts = { requestId, sourceIp };
  const links = enrollmentLinks();
  const passwordAgain = async (error: string, status?: number): Promise<HandlerResult> =>
    passwordFormPage({ email: (await links.view(params.token)).email, error, ...(status ? { status } : {}) });
  try {
    if (body.code === undefined || body.step === undefined) {
      if (body.password === undefined) return await passwordAgain('Enter your password first.', 400);
      try {
        const unlocked = await links.unlock(params.token, body.password, facts);
        return enrollmentFormPage({ ...(await withQrCode(unlocked)), step: unlocked.pageToken });
      } catch (error) {
        if (error instanceof RateLimitError) return await passwordAgain('Too many attempts; wait a few minutes and try again.', 429);
        if (error instanceof AppError && error.code === 'invalid_credentials') return await passwordAgain('The password is incorrect.');
        throw error;
      }
    }
    const { step, code } = body;
    try {
      return recoveryCodesPage(await links.complete(params.token, step, code.trim(), facts));
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500 || error instanceof NotFoundError) throw error;
      if (error.code === 'invalid_mfa_token') return await passwordAgain('This page has expired; enter your password again.');
      const again = await links.pending(params.token, step);
      if (!again) return await passwordAgain('Start again: enter your password.');
      return enrollmentFormPage({ ...(await withQrCode(again)), step, error: `${error.detail ?? error.title} Try again with the current code.` });
    }
  } catch (error) {
    if (error instanceof NotFoundError) return linkUnavailablePage();
    throw error;
  }
});
