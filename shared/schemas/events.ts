import * as z from 'zod';
import { pageQuery } from '../http/pagination.ts';
import { OpaqueId } from './access-keys.ts';

export const EventsParams = z.object({ accountId: OpaqueId });

/**
 * An ISO 8601 date-time with `Z` or an offset, normalized to UTC (`toISOString`) so it compares with
 * the stored `at` values as a string.
 */
const Instant = z
  .string()
  .pipe(z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2026-01-31T00:00:00Z' }))
  .transform((value) => new Date(value).toISOString());

export const ListEventsQuery = z
  .object({
    organization: OpaqueId.optional(),
    type: z
      .string()
      .regex(/^[a-z][a-z_]*(\.[a-z][a-z_]*)+$/, { error: 'must be an event type such as key.created' })
      .max(100, { error: 'must be at most 100 characters' })
      .optional(),
    from: Instant.optional(),
    to: Instant.optional(),
    ...pageQuery,
  })
  .refine((query) => !query.from || !query.to || query.from <= query.to, { path: ['from'], error: 'must not be after `to`' });

export const AuditEventResource = z.object({
  id: z.string(),
  accountId: z.string(),
  organizationId: z.string().nullable(),
  type: z.string(),
  actor: z.object({ kind: z.enum(['operator', 'key', 'anonymous', 'system']), id: z.string().nullable() }),
  target: z.object({ type: z.string(), id: z.string() }).nullable(),
  at: z.string(),
  sourceIp: z.string().nullable(),
  requestId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

export const AuditEventList = z.object({ items: z.array(AuditEventResource), nextCursor: z.string().nullable() });
