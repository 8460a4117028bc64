/**
 * The HTML of the hosted login (SPEC §9): renders what `HostedLogin` answers (a screen, a redirect,
 * the browser's cookie). No JavaScript: the waiting page reloads itself with `<meta http-equiv=refresh>`;
 * only the passkey step runs a script (WebAuthn has no form without one), one fixed text the page's
 * CSP allows by its hash and nothing else.
 * Accessible: one `<h1>`, labelled fields, the field autofocused, an error announced (`role=alert`)
 * and tied to its field (`aria-describedby`, `aria-invalid`).
 *
 * The cookie binding a transaction to the browser is named after the transaction (two tabs, two
 * sign-ins), HttpOnly, SameSite=Lax (the link opened from an SMS or a mail is a top-level GET, and
 * the final redirect must not carry it anywhere else), scoped to the issuer's `/oauth2` path, and
 * Secure when the issuer is https.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { FormError, Frame, LoginOutcome, LoginScreen, UnavailableReason } from '../domain/oidc/hosted-login.ts';
import { LOGIN_TRANSACTION_TTL_SECONDS } from '../domain/oidc/login-transactions.ts';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '../domain/passkeys/options.ts';
import type { Factor } from '../domain/sign-in/model.ts';
import { AuthenticationResponse } from '../schemas/passkeys.ts';
import * as z from '../schemas/zod.ts';
import { escapeHtml, htmlPage, inlineHash, pageCsp } from './html-page.ts';
import type { HandlerResult } from './responses.ts';

/** Login ids are `lgn_` + 32 hex digits (newId): safe in a cookie name as they are. */
export const LOGIN_ID_PATTERN = /^lgn_[0-9a-f]{32}$/;

const cookieName = (loginId: string): string => `portcullis_login_${loginId.slice(4)}`;

/** The browser secret of a transaction, from the request's cookies (API Gateway v2 `cookies`: `name=value` each). */
export function browserSecretOf(event: APIGatewayProxyEventV2, loginId: string): string | undefined {
  if (!LOGIN_ID_PATTERN.test(loginId)) return undefined;
  const prefix = `${cookieName(loginId)}=`;
  const found = (event.cookies ?? []).find((cookie) => cookie.startsWith(prefix));
  return found?.slice(prefix.length);
}

const FACTOR_CHANNEL: Partial<Record<Factor, string>> = {
  pin: 'by text message',
  passwordless: 'by text message',
  email_pin: 'by e-mail',
  email_link: 'by e-mail',
};

const UNAVAILABLE: Record<UnavailableReason, { title: string; text: string }> = {
  unknown_organization: { title: 'Sign-in unavailable', text: 'This organization does not exist or no longer signs people in here.' },
  unknown_client: { title: 'Sign-in unavailable', text: 'The application that sent you here is not registered with this organization.' },
  bad_redirect_uri: {
    title: 'Sign-in unavailable',
    text: 'The application that sent you here asked to be answered at an address it has not registered, so you are not sent back to it. Tell its owner.',
  },
  expired: { title: 'This sign-in has ended', text: 'It expired or is already finished. Go back to the application and sign in again.' },
  other_browser: {
    title: 'This sign-in belongs to another page',
    text: 'It was started in another browser or tab, or this page is out of date. Go back to the application and sign in again.',
  },
};

const FORM_ERRORS: Record<FormError, string> = {
  invalid_email: 'Enter a valid e-mail address.',
  wrong_code: 'That code is not right. Check it and try again.',
  rate_limited: 'Too many codes were sent. Wait a few minutes and try again.',
  start_again: 'That code or passkey can no longer be used (too many tries, or it expired). Enter your e-mail to start again.',
};

const PASSKEY_TEXT = {
  unsupported: 'This browser cannot use passkeys. Sign in from a browser that can (a recent Chrome, Edge, Firefox or Safari).',
  failed: 'The passkey was not used: the request was cancelled or timed out, or this device has no passkey for this sign-in. Try again.',
  refused: 'We could not sign you in with that passkey. Try again, or use another passkey.',
};

/**
 * The passkey step's script, the only one any hosted page runs: the request options from the page's
 * JSON data block → `PublicKeyCredential.parseRequestOptionsFromJSON` → `navigator.credentials.get`
 * → the credential's `toJSON()` into the form's hidden field → submit. Without WebAuthn (or its JSON
 * helpers) it says so and keeps the button hidden; a cancelled or failed ceremony says so and the
 * button stays for another try. Plain ES2017 with no template: its text is hashed for the CSP.
 */
const PASSKEY_SCRIPT = `(() => {
  const form = document.getElementById('passkey-form');
  const button = document.getElementById('passkey-button');
  const message = document.getElementById('passkey-message');
  const field = document.getElementById('passkey-response');
  const data = document.getElementById('passkey-options');
  if (!form || !button || !message || !field || !data) return;
  const Credential = window.PublicKeyCredential;
  if (!Credential || typeof Credential.parseRequestOptionsFromJSON !== 'function' || !navigator.credentials) {
    message.textContent = ${JSON.stringify(PASSKEY_TEXT.unsupported)};
    return;
  }
  button.hidden = false;
  button.addEventListener('click', async () => {
    button.disabled = true;
    message.textContent = '';
    try {
      const publicKey = Credential.parseRequestOptionsFromJSON(JSON.parse(data.textContent));
      const credential = await navigator.credentials.get({ publicKey });
      field.value = JSON.stringify(credential.toJSON());
      form.submit();
    } catch {
      message.textContent = ${JSON.stringify(PASSKEY_TEXT.failed)};
      button.disabled = false;
      button.focus();
    }
  });
  button.focus();
})();`;

const PASSKEY_SCRIPT_HASH = inlineHash(PASSKEY_SCRIPT);

/** JSON inside `<script type="application/json">`: no `<` at all, so no `</script>` or `<!--` can end or bend the block. */
const jsonBlock = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

/**
 * The passkey field of the login form, as the domain takes it: undefined when not sent, null when
 * it is not a credential's `toJSON()` (not JSON, or not its shape; the engine's library checks every
 * value), else the credential.
 */
export function passkeyFieldOf(value: string | undefined): AuthenticationResponseJSON | null | undefined {
  if (value === undefined || value === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  const result = z.safeParse(AuthenticationResponse, parsed);
  // The schema checked the shape; the library checks every value (as the operators' passkey route does).
  return result.success ? (result.data as unknown as AuthenticationResponseJSON) : null;
}

/** The answer to a hosted login request: a page, or a 303 (to the next page, or to the client with its code). */
export function renderLogin(outcome: LoginOutcome, issuer: string): HandlerResult {
  const cookie = outcome.browser ? cookieOf(outcome.browser, issuer) : undefined;
  const cookies = cookie ? [cookie] : [];
  const runsPasskey = outcome.kind === 'screen' && outcome.screen.kind === 'passkey' && outcome.screen.options !== null;
  const csp = pageCsp(formTargetsOf(outcome.frame), runsPasskey ? [PASSKEY_SCRIPT_HASH] : []);
  if (outcome.kind === 'redirect') {
    return { statusCode: 303, headers: { location: outcome.location, 'content-security-policy': csp }, ...(cookies.length ? { cookies } : {}) };
  }
  const { title, body, head } = screenHtml(outcome.screen, issuer, outcome.frame);
  const before = outcome.frame ? `<p class="org">${escapeHtml(outcome.frame.organizationName)}</p>` : '';
  return htmlPage({ status: outcome.status, title, body, before, csp, cookies, ...(head ? { head } : {}) });
}

/**
 * `form-action` applies to the redirects that follow a form's POST too (CSP3, as Chromium enforces it):
 * the last step's 303 goes to the client's redirect URI, so its origin is allowed, and only it.
 */
function formTargetsOf(frame: Frame | null): string[] {
  if (!frame) return [];
  try {
    const { origin, protocol } = new URL(frame.redirectUri);
    return protocol === 'https:' || protocol === 'http:' ? [origin] : [];
  } catch {
    return [];
  }
}

/** The Set-Cookie of a binding; none for a login id that is not one of ours (it comes from the URL: no cookie injection). */
function cookieOf(binding: NonNullable<LoginOutcome['browser']>, issuer: string): string | undefined {
  const loginId = 'set' in binding ? binding.set.loginId : binding.clear.loginId;
  if (!LOGIN_ID_PATTERN.test(loginId)) return undefined;
  const url = new URL(issuer);
  const attributes = `Path=${url.pathname}/oauth2; HttpOnly; SameSite=Lax${url.protocol === 'https:' ? '; Secure' : ''}`;
  if ('set' in binding) return `${cookieName(binding.set.loginId)}=${binding.set.secret}; Max-Age=${LOGIN_TRANSACTION_TTL_SECONDS}; ${attributes}`;
  return `${cookieName(binding.clear.loginId)}=; Max-Age=0; ${attributes}`;
}

const hidden = (name: string, value: string): string => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;

function errorOf(error: FormError | undefined): { alert: string; field: string } {
  if (!error) return { alert: '', field: '' };
  return { alert: `<p class="error" id="error" role="alert">${escapeHtml(FORM_ERRORS[error])}</p>`, field: ' aria-describedby="error" aria-invalid="true"' };
}

function restartForm(loginId: string, formToken: string, issuer: string, label: string): string {
  return `<form method="post" action="${escapeHtml(`${issuer}/oauth2/login`)}">${hidden('login', loginId)}${hidden('form_token', formToken)}${hidden('action', 'restart')}<button type="submit" class="link">${escapeHtml(label)}</button></form>`;
}

function screenHtml(screen: LoginScreen, issuer: string, frame: Frame | null): { title: string; body: string; head?: string } {
  const loginAction = escapeHtml(`${issuer}/oauth2/login`);
  const app = frame ? `<strong>${escapeHtml(frame.clientId)}</strong>` : 'the application';
  switch (screen.kind) {
    case 'email': {
      const error = errorOf(screen.error);
      return {
        title: 'Sign in',
        body: `<p>to continue to ${app}.</p>
${error.alert}<form method="post" action="${loginAction}">${hidden('login', screen.loginId)}${hidden('form_token', screen.formToken)}
<label for="email">E-mail address</label>
<input id="email" name="email" type="email" class="wide" autocomplete="email" autocapitalize="none" spellcheck="false" required autofocus value="${escapeHtml(screen.email)}"${error.field}>
<p><button type="submit">Continue</button></p>
</form>`,
      };
    }
    case 'code': {
      const error = errorOf(screen.error);
      const common = `${hidden('login', screen.loginId)}${hidden('form_token', screen.formToken)}`;
      const restart = restartForm(screen.loginId, screen.formToken, issuer, 'Use another e-mail address');
      if (screen.factor === 'totp') {
        return {
          title: 'Enter your authenticator code',
          body: `<p>Open your authenticator app for ${app}.</p>
${error.alert}<form method="post" action="${loginAction}">${common}
<label for="code">6-digit code from your authenticator app</label>
<input id="code" name="code" class="wide" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,8}" maxlength="8" required autofocus${error.field}>
<p><button type="submit">Sign in</button></p>
</form>
<form method="post" action="${loginAction}">${common}
<label for="recovery_code">Or a recovery code</label>
<input id="recovery_code" name="recovery_code" class="wide" autocomplete="off" autocapitalize="none" spellcheck="false" maxlength="64" required>
<p><button type="submit">Use the recovery code</button></p>
</form>
${restart}`,
        };
      }
      const where = screen.deliveredTo ? ` to <strong>${escapeHtml(screen.deliveredTo)}</strong>` : screen.factor === 'pin' ? ' to your phone' : '';
      return {
        title: 'Enter your code',
        body: `<p>We sent a code ${FACTOR_CHANNEL[screen.factor] ?? ''}${where}.</p>
${error.alert}<form method="post" action="${loginAction}">${common}
<label for="code">Code</label>
<input id="code" name="code" class="wide" inputmode="numeric" autocomplete="one-time-code" maxlength="12" required autofocus${error.field}>
<p><button type="submit">Sign in</button></p>
</form>
${restart}`,
      };
    }
    case 'passkey':
      return passkeyScreen(screen, issuer, app);
    case 'wait': {
      const page = `${issuer}/oauth2/login?login=${screen.loginId}`;
      const where = screen.deliveredTo ? ` to <strong>${escapeHtml(screen.deliveredTo)}</strong>` : '';
      const byMail = screen.factor === 'email_link';
      return {
        title: byMail ? 'Check your e-mail' : 'Check your phone',
        head: `<meta http-equiv="refresh" content="3;url=${escapeHtml(page)}">`,
        body: `<p>We sent a sign-in link ${FACTOR_CHANNEL[screen.factor] ?? ''}${where}. Open it on any device and confirm: this page goes on by itself.</p>
<p role="status">Waiting for the link to be opened…</p>
<p><a href="${escapeHtml(page)}">Check now</a></p>
${restartForm(screen.loginId, screen.formToken, issuer, 'Use another e-mail address')}`,
      };
    }
    case 'confirm_link': {
      const from = screen.requestedFrom;
      const origin = from
        ? `<p>It was asked from the address <strong>${escapeHtml(from.ip)}</strong> (${escapeHtml(from.userAgent || 'unknown browser')}) at ${escapeHtml(from.at.replace('T', ' ').slice(0, 16))} UTC.</p>`
        : '';
      return {
        title: 'Confirm sign-in',
        body: `<p>Confirm that you are signing in to ${app}.</p>
${origin}<p><strong>If you did not just try to sign in, do not confirm:</strong> close this page.</p>
<form method="post" action="${escapeHtml(`${issuer}/oauth2/link`)}">${hidden('login', screen.loginId)}${hidden('token', screen.token)}
<p><button type="submit" autofocus>Confirm sign-in</button></p>
</form>`,
      };
    }
    case 'link_done':
      return { title: 'Sign-in confirmed', body: '<p>You can return to your other device: it goes on by itself.</p>' };
    case 'link_invalid':
      return { title: 'This link is no longer valid', body: '<p>Sign-in links work once and for a few minutes. Go back to the application and sign in again.</p>' };
    case 'unavailable': {
      const { title, text } = UNAVAILABLE[screen.reason];
      return { title, body: `<p>${escapeHtml(text)}</p>` };
    }
  }
}

/** The passkey step: a button that runs the ceremony, or why it cannot run here. */
function passkeyScreen(screen: Extract<LoginScreen, { kind: 'passkey' }>, issuer: string, app: string): { title: string; body: string } {
  const restart = restartForm(screen.loginId, screen.formToken, issuer, 'Use another e-mail address');
  if (screen.options === null) {
    return {
      title: 'Passkeys cannot be used here',
      body: `<p>${app} asks for a passkey, but its passkeys belong to another web address than this sign-in page, so your browser cannot use them here. Tell the application's owner.</p>
${restart}`,
    };
  }
  return {
    title: 'Sign in with a passkey',
    body: passkeyBody(screen, issuer, app, screen.options, restart),
  };
}

function passkeyBody(
  screen: Extract<LoginScreen, { kind: 'passkey' }>,
  issuer: string,
  app: string,
  options: PublicKeyCredentialRequestOptionsJSON,
  restart: string,
): string {
  const refused = screen.error === 'wrong_code' ? PASSKEY_TEXT.refused : screen.error ? FORM_ERRORS[screen.error] : '';
  return `<p>Use your passkey for ${app}: your device asks for your fingerprint, face, screen lock or security key.</p>
<noscript><p class="error">Passkeys need JavaScript, which is turned off in this browser. Turn it on for this page and reload it.</p></noscript>
<p class="error" id="passkey-message" role="alert">${escapeHtml(refused)}</p>
<form method="post" action="${escapeHtml(`${issuer}/oauth2/login`)}" id="passkey-form">${hidden('login', screen.loginId)}${hidden('form_token', screen.formToken)}
<input type="hidden" name="passkey" id="passkey-response" value="">
<p><button type="button" id="passkey-button" hidden>Use a passkey</button></p>
</form>
${restart}
<script type="application/json" id="passkey-options">${jsonBlock(options)}</script>
<script>${PASSKEY_SCRIPT}</script>`;
}
