import * as z from './zod.ts';

/** Operator emails are compared case-insensitively: normalized once, at the edge. */
export const Email = z.pipe(
  z.email({ error: 'must be a valid email address' }).check(z.maxLength(254, { error: 'must be at most 254 characters' })),
  z.transform((value: string) => value.toLowerCase()),
);

/**
 * Length limits only; the common-password list and the email check live in the domain
 * (shared/domain/sessions/passwords.ts) because they need context. The upper bound keeps one request from
 * feeding megabytes into scrypt.
 */
export const NewPassword = z
  .string({ error: 'must be a string' })
  .check(z.minLength(12, { error: 'must be at least 12 characters' }), z.maxLength(256, { error: 'must be at most 256 characters' }));

/** Opaque ids (organizations, end users, challenges) as they appear in paths and bodies; anything else is a 400 naming the field. */
export const ResourceId = z.string({ error: 'must be a string' }).check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'is not a valid id' }));

/** A system name becomes the token's `aud`: letters, digits, `.`, `_`, `-`; case-sensitive. */
export const SystemName = z
  .string({ error: 'must be a string' })
  .check(
    z.regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/, { error: 'must start with a letter or digit and use only letters, digits, ".", "_" and "-"' }),
    z.maxLength(64, { error: 'must be at most 64 characters' }),
  );

/** End-user emails are stored as given and compared case-insensitively (through a guard item). */
export const EndUserEmail = z.pipe(
  z.string({ error: 'must be a string' }).check(z.trim(), z.maxLength(254, { error: 'must be at most 254 characters' })),
  z.email({ error: 'must be a valid email address' }),
);

/** A password being checked: no length rule, so old or wrong passwords still get the uniform 401. */
export const AnyPassword = z.string({ error: 'must be a string' }).check(z.minLength(1), z.maxLength(256));

export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().check(z.int()),
  code: z.string(),
  detail: z.optional(z.string()),
  instance: z.optional(z.string()),
  errors: z.optional(z.array(z.object({ field: z.string(), message: z.string() }))),
});

/** Every body is an object; unknown members are rejected so typos surface as 400s. */
export const body = <T extends z.core.$ZodLooseShape>(shape: T) => z.strictObject(shape);

/** A copy of the schema with a description for the OpenAPI document: what the full build's `.describe()` does. */
export function described<S extends z.ZodMiniType>(schema: S, description: string): S {
  const copy = schema.clone();
  z.globalRegistry.add(copy, { description });
  return copy;
}

/** Lists report each duplicate by its index (`body.organizations.3: is listed twice`). */
export const uniqueItems = z.superRefine((values: string[], context) => {
  const seen = new Set<string>();
  values.forEach((value, index) => {
    if (seen.has(value)) context.addIssue({ code: 'custom', path: [index], message: 'is listed twice' });
    seen.add(value);
  });
});
