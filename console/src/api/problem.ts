/**
 * Errors as the console shows them: the API answers RFC 9457 problems (`code`, `detail`, and for a 400
 * `errors: [{field, message}]` with fields like `body.email`), API Gateway a bare `{message}`.
 */
import type { GatewayError, Problem } from '../../../client/index.ts';

export type ApiError = Problem | GatewayError | undefined;

/** The sentence to show for an error that names no field. */
export function problemMessage(error: ApiError): string {
  if (!error) return 'Something went wrong. Try again.';
  if ('title' in error) return error.detail ?? error.title;
  return error.message;
}

/**
 * The messages of a 400 keyed by the form field they name: `body.email` → `email`,
 * `body.policy.factors.0` → `policy.factors.0`, `params.systemName` → `systemName`.
 */
export function fieldErrors(error: ApiError): Record<string, string> {
  const result: Record<string, string> = {};
  if (!error || !('errors' in error) || !error.errors) return result;
  for (const { field, message } of error.errors) {
    const name = field.replace(/^(body|params|query|headers)\./, '');
    result[name] ??= message;
  }
  return result;
}

/** An error thrown by a query or mutation, carrying the API's answer. */
export class ApiCallError extends Error {
  constructor(
    readonly problem: ApiError,
    readonly status: number,
  ) {
    super(problemMessage(problem));
    this.name = 'ApiCallError';
  }
}

/** The data of a typed call, or an `ApiCallError` (for TanStack Query's `queryFn` / `mutationFn`). */
export async function unwrap<T>(call: Promise<{ data?: T; error?: ApiError; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  // A 204 has no data: the caller asked for nothing back.
  if (!response.ok) throw new ApiCallError(error, response.status);
  return data as T;
}
