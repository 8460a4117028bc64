/**
 * An audit event: keys (its account's log, sharded, and its organization's on GSI1), item written
 * (expiring after the retention), item read (validated).
 */
import * as z from '#shared/schemas/zod.ts';
import { auditEventByOrganizationGsi, auditEventKey, type ItemKey } from '../../data/keys.ts';
import type { AuditEvent } from '../../domain/kernel/audit-events.ts';
import { parseItem } from '../dynamodb.ts';

// Loose: whatever an event carries comes back as it was written, less the table's attributes.
const AuditEventItem = z.looseObject({
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

/** The event's item; DynamoDB TTL removes it `retentionDays` after the event. */
export function toAuditEventItem(event: AuditEvent, retentionDays: number): Record<string, unknown> & ItemKey {
  return {
    ...auditEventKey(event.accountId, event.at, event.id),
    ...(event.organizationId ? auditEventByOrganizationGsi(event.organizationId, event.at, event.id) : {}),
    entity: 'AuditEvent',
    ...event,
    ttl: Math.floor(Date.parse(event.at) / 1000) + retentionDays * 86_400,
  };
}

export function fromAuditEventItem(item: Record<string, unknown>): AuditEvent {
  const { pk: _pk, sk: _sk, gsi1pk: _gsi1pk, gsi1sk: _gsi1sk, entity: _entity, ttl: _ttl, ...event } = parseItem('AuditEvent', AuditEventItem, item);
  return event;
}
