import { pageQuery } from '../http/pagination.ts';
import { OpaqueId } from './access-keys.ts';
import * as z from './zod.ts';

export const EventsParams = z.object({ accountId: OpaqueId });

/**
 * An ISO 8601 date-time with `Z` or an offset, normalized to UTC (`toISOString`) so it compares with
 * the stored `at` values as a string.
 */
const Instant = z.pipe(
  z.pipe(z.string(), z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2026-01-31T00:00:00Z' })),
  z.transform((value: string) => new Date(value).toISOString()),
);

export const ListEventsQuery = z
  .object({
    organization: z.optional(OpaqueId),
    type: z.optional(
      z
        .string()
        .check(
          z.regex(/^[a-z][a-z_]*(\.[a-z][a-z_]*)+$/, { error: 'must be an event type such as key.created' }),
          z.maxLength(100, { error: 'must be at most 100 characters' }),
        ),
    ),
    from: z.optional(Instant),
    to: z.optional(Instant),
    ...pageQuery,
  })
  .check(z.refine((query: { from?: string; to?: string }) => !query.from || !query.to || query.from <= query.to, { path: ['from'], error: 'must not be after `to`' }));

export const AuditEventResource = z.object({
  id: z.string(),
  accountId: z.string(),
  organizationId: z.nullable(z.string()),
  type: z.string(),
  actor: z.object({ kind: z.enum(['operator', 'key', 'anonymous', 'system']), id: z.nullable(z.string()) }),
  target: z.nullable(z.object({ type: z.string(), id: z.string() })),
  at: z.string(),
  sourceIp: z.nullable(z.string()),
  requestId: z.nullable(z.string()),
  details: z.record(z.string(), z.unknown()),
});

export const AuditEventList = z.object({ items: z.array(AuditEventResource), nextCursor: z.nullable(z.string()) });
