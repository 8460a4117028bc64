import * as z from '../schemas/zod.ts';
import { ValidationError, type FieldIssue } from '../domain/kernel/errors.ts';

/**
 * Validates one part of the request (`body`, `query`, `params`) and turns zod's issues into
 * field-level messages: `body.email: must be a valid email address`, `body.extra: is not allowed`.
 */
export function validatePart<S extends z.core.$ZodType>(schema: S, value: unknown, part: string): z.output<S> {
  const result = z.safeParse(schema, value, { reportInput: true });
  if (result.success) return result.data;
  throw new ValidationError(result.error.issues.flatMap((issue) => describeIssue(issue, part)));
}

function describeIssue(issue: z.core.$ZodIssue, part: string): FieldIssue[] {
  const field = [part, ...issue.path.map(String)].join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ field: `${field}.${key}`, message: 'is not allowed' }));
  }
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return [{ field, message: 'is required' }];
    // Messages we wrote on the schema win; zod's default names both types.
    const message = issue.message.startsWith('Invalid input') ? `must be ${article(issue.expected)}` : issue.message;
    return [{ field, message }];
  }
  return [{ field, message: issue.message }];
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
