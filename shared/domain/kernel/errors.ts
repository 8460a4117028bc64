/**
 * Domain errors. Each carries the HTTP status and the stable `code` clients switch on; the error
 * handler in `shared/http/` turns them into RFC 9457 problem+json. Anything that is not an
 * `AppError` becomes a generic 500 whose body says nothing internal.
 */
export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `body.email` or `query.limit`. */
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    /** Extra members for the problem body (e.g. `errors` for validation). */
    readonly extensions: Record<string, unknown> = {},
    /** Extra response headers (e.g. `Retry-After`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(readonly errors: FieldIssue[], code = 'validation_failed') {
    const first = errors[0];
    super(
      400,
      code,
      'Request validation failed',
      first ? `${first.field}: ${first.message}` : undefined,
      { errors },
    );
  }
}

export class InvalidJsonError extends AppError {
  constructor() {
    super(400, 'invalid_json', 'Malformed JSON body', 'The request body is not valid JSON.', {
      errors: [{ field: 'body', message: 'Malformed JSON' }],
    });
  }
}

export class AuthError extends AppError {
  constructor(code = 'unauthorized', detail = 'Authentication is required.') {
    super(401, code, 'Unauthorized', detail);
  }
}

export class ForbiddenError extends AppError {
  constructor(detail = 'You are not allowed to do this.') {
    super(403, 'forbidden', 'Forbidden', detail);
  }
}

export class NotFoundError extends AppError {
  constructor(what = 'Resource') {
    super(404, 'not_found', 'Not Found', `${what} not found.`);
  }
}

export class ConflictError extends AppError {
  constructor(code: string, detail: string) {
    super(409, code, 'Conflict', detail);
  }
}

export class RateLimitError extends AppError {
  constructor(retryAfterSeconds: number, detail = 'Too many requests; try again later.') {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super(429, 'rate_limited', 'Too Many Requests', detail, { retryAfter: seconds }, {
      'retry-after': String(seconds),
    });
  }
}

/** A dependency (DynamoDB throttling, SNS) failed in a way the client may retry. */
export class UnavailableError extends AppError {
  constructor(retryAfterSeconds = 1) {
    super(503, 'service_unavailable', 'Service Unavailable', 'Please retry shortly.', {}, {
      'retry-after': String(retryAfterSeconds),
    });
  }
}
