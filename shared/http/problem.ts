import { AppError, UnavailableError, ValidationError } from '../domain/kernel/errors.ts';
import type { HandlerResult } from './responses.ts';

/** Errors of AWS SDK clients that mean "busy, retry": answered 503 with Retry-After, not 500. */
const RETRYABLE_AWS_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TimeoutError',
  'ServiceUnavailable',
  'InternalServerError',
]);

/** The `type` of a problem: a stable URI per code, documented in the README. */
export const problemType = (code: string): string => `https://portcullis.dev/problems/${code}`;

/**
 * A cursor that decodes but does not fit the partition being queried makes DynamoDB refuse the
 * ExclusiveStartKey: that is the client's bad cursor, not our failure.
 */
const isBadStartKey = (error: Error): boolean =>
  error.name === 'ValidationException' && /exclusive ?start ?key|starting key/i.test(error.message);

/** The domain error an error stands for (AWS throttling and bad cursors included); undefined for the unexpected. */
export function knownError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (!(error instanceof Error)) return undefined;
  if (RETRYABLE_AWS_ERRORS.has(error.name)) return new UnavailableError(1);
  if (isBadStartKey(error)) return new ValidationError([{ field: 'query.cursor', message: 'is not a valid cursor' }]);
  return undefined;
}

/** RFC 9457 problem+json for any error; unknown errors become a 500 that says nothing internal. */
export function problemResponse(error: unknown, instance: string | undefined): { result: HandlerResult; expected: boolean } {
  const known = knownError(error);
  const problem = known ?? new AppError(500, 'internal_error', 'Internal Server Error', 'Something went wrong on our side.');
  const body = {
    type: problemType(problem.code),
    title: problem.title,
    status: problem.status,
    code: problem.code,
    ...(problem.detail ? { detail: problem.detail } : {}),
    ...(instance ? { instance } : {}),
    ...problem.extensions,
  };
  return {
    result: {
      statusCode: problem.status,
      headers: { 'content-type': 'application/problem+json', ...problem.headers },
      body: JSON.stringify(body),
    },
    expected: known !== undefined && problem.status < 500,
  };
}
