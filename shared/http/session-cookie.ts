/**
 * Cookie mode for operator refresh tokens (SPEC §10, docs/sessions.md "Cookie mode (the console)").
 * A request opts in with `X-Refresh-Token-Mode: cookie`; every answer that carries operator tokens
 * then puts the refresh token in an `HttpOnly; Secure; SameSite=Strict` cookie on `/v2/auth` instead
 * of the JSON body, and refresh and logout read it from there. Without the header nothing changes:
 * the body carries the refresh token and any cookie is ignored.
 *
 * Why the opt-in is a header: a cross-site page can post a form (refused with 415 anyway) but cannot
 * send a custom header without a CORS preflight, which this API never answers. So a request that
 * spends the cookie (refresh, logout) is one the console's own script made: the header is the CSRF
 * token, SameSite=Strict the second fence.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AuthError, ValidationError } from '../domain/kernel/errors.ts';
import { SESSION_ENDS_AT } from '../domain/sessions/session-end.ts';
import { json, noContent, type HandlerResult } from './responses.ts';

/** The request header that selects the mode (lower case: headers are normalized). */
export const REFRESH_TOKEN_MODE_HEADER = 'x-refresh-token-mode';

/**
 * The cookie. `__Secure-`: browsers accept it only with `Secure` from an HTTPS origin (or localhost),
 * so a plain-HTTP page on the same host cannot plant one. (`__Host-` would need `Path=/`, and the
 * cookie is meant to reach `/v2/auth` only.)
 */
export const REFRESH_COOKIE = '__Secure-portcullis-refresh';

/** Only `/v2/auth/*` (refresh, logout) ever receives the cookie; the routes that set it elsewhere may. */
export const REFRESH_COOKIE_PATH = '/v2/auth';

const COOKIE_ATTRIBUTES = `Path=${REFRESH_COOKIE_PATH}; HttpOnly; Secure; SameSite=Strict`;

/**
 * Whether the request asked for cookie mode. `body` (the default) may be named too; any other value is
 * a 400 naming the header, never a silent fall back to body mode.
 */
export function wantsCookieMode(event: APIGatewayProxyEventV2): boolean {
  const value = event.headers[REFRESH_TOKEN_MODE_HEADER];
  if (value === undefined) return false;
  const mode = value.trim().toLowerCase();
  if (mode === 'cookie') return true;
  if (mode === 'body') return false;
  throw new ValidationError([{ field: `headers.${REFRESH_TOKEN_MODE_HEADER}`, message: 'must be cookie or body' }]);
}

/** Every value of the refresh cookie the request carries (normally none or one). */
export function refreshCookieValues(event: APIGatewayProxyEventV2): string[] {
  return (event.cookies ?? [])
    .flatMap((header) => header.split(';'))
    .map((pair) => pair.trim())
    .filter((pair) => pair.startsWith(`${REFRESH_COOKIE}=`))
    .map((pair) => pair.slice(REFRESH_COOKIE.length + 1))
    .filter((value) => value !== '');
}

/**
 * The refresh token the cookie carries, for refresh: none is the 401 of an unknown token. Two cookies
 * of the name (one planted by a sibling host with `Domain=`, say) are refused rather than guessed
 * between, with the same 401; the person signs in again.
 */
export function refreshTokenFromCookie(event: APIGatewayProxyEventV2): string {
  const values = refreshCookieValues(event);
  const [value] = values;
  if (value === undefined || values.length > 1) throw new AuthError('invalid_refresh_token', 'The refresh token is invalid or has been revoked.');
  return value;
}

/** In cookie mode the body must not carry a refresh token too: one credential per request, never a choice between two. */
export function refuseBodyTokenInCookieMode(body: { refreshToken?: string | undefined } | undefined): void {
  if (body?.refreshToken !== undefined) {
    throw new ValidationError([{ field: 'body.refreshToken', message: `must not be sent with ${REFRESH_TOKEN_MODE_HEADER}: cookie (the cookie carries it)` }]);
  }
}

/** In body mode the refresh token is required, with the same 400 as before cookie mode existed. */
export function requireBodyToken(body: { refreshToken?: string | undefined } | undefined): string {
  if (body?.refreshToken === undefined) {
    throw new ValidationError([{ field: body === undefined ? 'body' : 'body.refreshToken', message: 'is required' }]);
  }
  return body.refreshToken;
}

/** `Set-Cookie` for a refresh token that lives `maxAgeSeconds` more (the session's absolute end). */
export function refreshCookie(refreshToken: string, maxAgeSeconds: number): string {
  return `${REFRESH_COOKIE}=${refreshToken}; ${COOKIE_ATTRIBUTES}; Max-Age=${String(Math.max(0, maxAgeSeconds))}`;
}

/** `Set-Cookie` that makes the browser drop the cookie. */
export const CLEAR_REFRESH_COOKIE = `${REFRESH_COOKIE}=; ${COOKIE_ATTRIBUTES}; Max-Age=0`;

/**
 * The JSON answer of a route that may carry operator tokens. Body mode (or an answer without a
 * refresh token: an `mfaRequired` step, a join): exactly the JSON it always was. Cookie mode: the
 * refresh token leaves the body for a cookie that ends with the session.
 */
export function sessionAnswer(event: APIGatewayProxyEventV2, status: number, answer: object, nowMs = Date.now()): HandlerResult {
  const cookieMode = wantsCookieMode(event);
  if (!cookieMode || !('refreshToken' in answer) || typeof answer.refreshToken !== 'string') return json(status, answer);
  const { refreshToken, ...rest } = answer as { refreshToken: string } & Record<string | symbol, unknown>;
  const endsAt = rest[SESSION_ENDS_AT];
  if (typeof endsAt !== 'number') throw new Error('token answer without its session end: it did not come from OperatorSessions');
  return { ...json(status, rest), cookies: [refreshCookie(refreshToken, endsAt - Math.floor(nowMs / 1000))] };
}

/** 204 that clears the cookie in cookie mode (logout). */
export function signedOut(cookieMode: boolean): HandlerResult {
  return cookieMode ? { ...noContent(), cookies: [CLEAR_REFRESH_COOKIE] } : noContent();
}
