/**
 * The HTML of the owner-issued enrolment link (`/v2/mfa/enroll/{token}`): a plain form that works
 * without JavaScript, with no external assets, under a CSP that allows nothing but its own inline
 * style (by hash) and posting back to itself.
 */
import { escapeHtml, htmlPage, pageCsp } from './html-page.ts';
import type { HandlerResult } from './responses.ts';

/** The page's own policy: no scripts at all, the one inline style, forms only to itself. */
export const ENROLLMENT_PAGE_CSP = pageCsp();

function page(status: number, title: string, body: string): HandlerResult {
  return htmlPage({ status, title, body, csp: ENROLLMENT_PAGE_CSP });
}

/**
 * Step 1: the member's password. Opening the link shows only this (a GET writes nothing); whoever
 * holds the link without the password never sees a secret.
 */
export function passwordFormPage(input: { email: string; error?: string; status?: number }): HandlerResult {
  return page(
    input.status ?? (input.error ? 401 : 200),
    'Set up two-factor authentication',
    `<p>For <strong>${escapeHtml(input.email)}</strong>. First confirm it is you: enter the password you sign in with.</p>
${input.error ? `<p class="error" id="error" role="alert">${escapeHtml(input.error)}</p>` : ''}
<form method="post">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Continue</button>
</form>`,
  );
}

/** Step 2: scan the QR code (or type the secret), then enter the 6-digit code. `step` proves step 1. */
export function enrollmentFormPage(input: { email: string; qrCodeSvg: string; secretGroups: string; secret: string; step: string; error?: string }): HandlerResult {
  return page(
    input.error ? 400 : 200,
    'Set up two-factor authentication',
    `<p>For <strong>${escapeHtml(input.email)}</strong>. Add this QR code to Google Authenticator, Authy, Microsoft Authenticator or FreeOTP (point the app's camera at it):</p>
<div class="qr">${input.qrCodeSvg}</div>
<p>Or enter this key by hand (time-based, 6 digits, 30 seconds):</p>
<p><code id="secret" data-secret="${escapeHtml(input.secret)}">${escapeHtml(input.secretGroups)}</code></p>
${input.error ? `<p class="error" id="error" role="alert">${escapeHtml(input.error)}</p>` : ''}
<form method="post">
<input type="hidden" name="step" value="${escapeHtml(input.step)}">
<label for="code">6-digit code from the app</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
<button type="submit">Confirm</button>
</form>`,
  );
}

/** Step 3: the recovery codes, shown this once. */
export function recoveryCodesPage(codes: readonly string[]): HandlerResult {
  return page(
    200,
    'Two-factor authentication is on',
    `<p>Save these recovery codes now: each signs you in once without your phone. They will not be shown again.</p>
<ol class="codes" id="recovery-codes">${codes.map((code) => `<li>${escapeHtml(code)}</li>`).join('')}</ol>`,
  );
}

/** Unknown, expired or used links. */
export function linkUnavailablePage(): HandlerResult {
  return page(404, 'This link is no longer valid', '<p>Enrolment links work once and for 24 hours. Ask an owner of your account for a new one.</p>');
}
