/**
 * RFC 6749 §5.2 error bodies, `{error, error_description}` as `application/json`, for the routes whose
 * entry sets `errorFormat: 'oauth'` (the token and userinfo endpoints): relying-party libraries parse
 * these, not problem+json. The wrapper's own refusals map onto them too: a malformed or missing
 * parameter, a JSON or other non-form body (RFC 6749 §3.2 says form) are `invalid_request` 400; an
 * oversized body keeps its 413; DynamoDB throttling is `temporarily_unavailable`; anything unexpected
 * is `server_error` and says nothing internal.
 */
import { AppError } from '../domain/kernel/errors.ts';
import { OAUTH_ERROR_CODES, OAuthError } from '../domain/oidc/oauth-errors.ts';
import { knownError } from './problem.ts';
import type { HandlerResult } from './responses.ts';

const OAUTH_CODES: ReadonlySet<string> = new Set(OAUTH_ERROR_CODES);

/** RFC 6749 §5.2: error_description is printable ASCII without `"` and `\`. */
const printable = (text: string): string => text.replaceAll('’', "'").replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, '');

function asOAuth(known: AppError | undefined): { status: number; error: string; description: string | undefined; headers: Record<string, string> } {
  if (!known) return { status: 500, error: 'server_error', description: 'Something went wrong on our side.', headers: {} };
  if (OAUTH_CODES.has(known.code)) return { status: known.status, error: known.code, description: known.detail, headers: known.headers };
  if (known.status >= 500 || known.status === 429) return { status: known.status, error: 'temporarily_unavailable', description: known.detail, headers: known.headers };
  return { status: known.status === 413 ? 413 : 400, error: 'invalid_request', description: known.detail ?? known.title, headers: known.headers };
}

/** The OAuth answer of any error, and what to log about it (`reason`: why a code or token was refused). */
export function oauthErrorResponse(error: unknown): { result: HandlerResult; expected: boolean; error: string; reason: string | undefined } {
  const known = knownError(error);
  const answer = asOAuth(known);
  const body = { error: answer.error, ...(answer.description ? { error_description: printable(answer.description) } : {}) };
  return {
    result: { statusCode: answer.status, headers: { 'content-type': 'application/json', pragma: 'no-cache', ...answer.headers }, body: JSON.stringify(body) },
    expected: known !== undefined && answer.status < 500,
    error: answer.error,
    reason: error instanceof OAuthError ? error.reason : undefined,
  };
}
