/**
 * The errors of the OAuth 2.0 endpoints (token, userinfo): RFC 6749 §5.2 and RFC 6750 §3 codes,
 * answered as `{error, error_description}` by the handler wrapper (routes with `errorFormat: 'oauth'`)
 * instead of problem+json, because that is what every relying-party library parses.
 */
import { AppError } from '../kernel/errors.ts';

/** RFC 6749 §5.2 (token endpoint) and RFC 6750 §3.1 (protected resources: userinfo). */
export const OAUTH_ERROR_CODES = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_token',
  'insufficient_scope',
  'server_error',
  'temporarily_unavailable',
] as const;
export type OAuthErrorCode = (typeof OAUTH_ERROR_CODES)[number];

const STATUS_OF: Partial<Record<OAuthErrorCode, number>> = { invalid_client: 401, invalid_token: 401, insufficient_scope: 403 };

export class OAuthError extends AppError {
  /** Why, for the log line only (never in the answer). */
  readonly reason: string | undefined;

  constructor(
    code: OAuthErrorCode,
    description: string,
    options: {
      headers?: Record<string, string>;
      /**
       * Why, for the log line only: the answer says the same for every refused code (unknown, spent,
       * expired, another client's, wrong verifier), so that it is no oracle.
       */
      reason?: string;
    } = {},
  ) {
    super(STATUS_OF[code] ?? 400, code, 'OAuth error', description, {}, options.headers ?? {});
    this.reason = options.reason;
  }
}

/** A quoted-string of an HTTP auth-param (RFC 9110 §5.6.4): `"` and `\` escaped. */
export const quoted = (value: string): string => `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
