/**
 * Cursor paging shared by every list route: `?limit=` (1..100, default 50) and `?cursor=` (opaque).
 * The cursor is the page's last DynamoDB key, base64url-encoded JSON; it is validated on the way in
 * (a malformed cursor is a 400 naming `query.cursor`, never a 500), and it only ever selects where a
 * Query starts inside a partition the caller is already authorized for.
 */
import * as z from '../schemas/zod.ts';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

export type PageKey = Record<string, unknown>;

export function encodeCursor(key: PageKey | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : null;
}

function decodeCursor(cursor: string): PageKey | undefined {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    // Only flat string/number attributes, as DynamoDB keys are.
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 || entries.length > 4) return undefined;
    if (!entries.every(([, v]) => typeof v === 'string' || typeof v === 'number')) return undefined;
    return value as PageKey;
  } catch {
    return undefined;
  }
}

/** Query-string members every list route accepts; spread into the route's query schema. */
export const pageQuery = {
  limit: z._default(
    z.coerce
      .number({ error: 'must be a number' })
      .check(
        z.int({ error: 'must be a whole number' }),
        z.minimum(1, { error: 'must be at least 1' }),
        z.maximum(MAX_PAGE_SIZE, { error: `must be at most ${MAX_PAGE_SIZE}` }),
      ),
    DEFAULT_PAGE_SIZE,
  ),
  cursor: z.optional(
    z.pipe(
      z.string().check(z.maxLength(2048, { error: 'is not a valid cursor' })),
      z.transform((value: string, context) => {
        const key = decodeCursor(value);
        if (!key) {
          context.issues.push({ code: 'custom', message: 'is not a valid cursor', input: value });
          return z.NEVER;
        }
        return key;
      }),
    ),
  ),
};

/** The list envelope: `{items, nextCursor}`. */
export function page<T>(items: T[], lastKey: PageKey | undefined): { items: T[]; nextCursor: string | null } {
  return { items, nextCursor: encodeCursor(lastKey) };
}
