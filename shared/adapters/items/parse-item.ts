import type * as z from 'zod';

/** A stored item that does not have its entity's shape: an error, never read into the domain as it is. */
export class MalformedItemError extends Error {
  constructor(entity: string, paths: string[]) {
    super(`Malformed ${entity} item: ${paths.join(', ') || '(item)'}`);
    this.name = 'MalformedItemError';
  }
}

/**
 * The item as its entity's schema reads it (unknown attributes such as keys, `entity`, `ttl` and
 * notices left out), or a `MalformedItemError` naming the attributes that are wrong: their names only,
 * never their values (an item may hold a secret's hash).
 */
export function parseItem<T>(schema: z.ZodType<T>, entity: string, item: Record<string, unknown>): T {
  const parsed = schema.safeParse(item);
  if (parsed.success) return parsed.data;
  throw new MalformedItemError(entity, parsed.error.issues.map((issue) => issue.path.map(String).join('.')));
}
