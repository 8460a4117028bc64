import * as z from 'zod';

/** Operator emails are compared case-insensitively: normalized once, at the edge. */
export const Email = z
  .email({ error: 'must be a valid email address' })
  .max(254, { error: 'must be at most 254 characters' })
  .transform((value) => value.toLowerCase());

/**
 * Length limits only; the common-password list and the email check live in the domain
 * (shared/domain/sessions/passwords.ts) because they need context. The upper bound keeps one request from
 * feeding megabytes into scrypt.
 */
export const NewPassword = z
  .string({ error: 'must be a string' })
  .min(12, { error: 'must be at least 12 characters' })
  .max(256, { error: 'must be at most 256 characters' });

/** A password being checked: no length rule, so old or wrong passwords still get the uniform 401. */
export const AnyPassword = z.string({ error: 'must be a string' }).min(1).max(256);

export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.string(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});

/** Every body is an object; unknown members are rejected so typos surface as 400s. */
export const body = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape);
