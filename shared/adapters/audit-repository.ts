import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import type { AuditEvent } from '../domain/audit.ts';
import type { EventQuery } from '../domain/audit-log.ts';
import { ValidationError } from '../domain/errors.ts';
import {
  auditEventByOrganizationGsi,
  auditEventKey,
  auditEventsOfAccountPartition,
  auditEventsOfOrganizationPartition,
} from '../data/keys.ts';

/**
 * The item for an audit event, for inclusion in the same TransactWriteItems as the change it records
 * (so a change is never committed without its event). It expires (DynamoDB TTL) after the configured
 * retention, `AUDIT_RETENTION_DAYS` (default 400).
 */
export function auditEventPut(tableName: string, event: AuditEvent, retentionDays = config().auditRetentionDays) {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...auditEventKey(event.accountId, event.at, event.id),
        ...(event.organizationId ? auditEventByOrganizationGsi(event.organizationId, event.at, event.id) : {}),
        entity: 'AuditEvent',
        ...event,
        ttl: Math.floor(Date.parse(event.at) / 1000) + retentionDays * 86_400,
      },
    },
  };
}

export interface EventPage {
  items: AuditEvent[];
  /** Opaque: the last sort key of the page, for `cursor`. */
  lastKey: Record<string, unknown> | undefined;
}

/** Writes and reads audit events; reads are newest first. */
export class AuditRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** For events that stand alone (sign-ins); changes should use `auditEventPut` in their transaction. */
  async recordEvent(event: AuditEvent): Promise<void> {
    await this.db.send(new PutCommand(auditEventPut(this.tableName, event).Put));
  }

  /**
   * Events of an account (or of one organization via GSI1), newest first, within [from, to]. An
   * organization's events are also filtered on `accountId`, so an organization id of another account
   * can never read that account's events even if a caller got past access control.
   */
  async listEvents(query: EventQuery): Promise<EventPage> {
    const byOrganization = query.organizationId !== undefined;
    const [pkName, skName] = byOrganization ? ['gsi1pk', 'gsi1sk'] : ['pk', 'sk'];
    // Sort keys are `<ISO time>#<id>`; '~' sorts after every id character, so `to` is inclusive.
    const lower = query.from ?? '0';
    const upper = `${query.to ?? '9999'}~`;
    const partition = byOrganization ? auditEventsOfOrganizationPartition(query.organizationId ?? '') : auditEventsOfAccountPartition(query.accountId);
    // A cursor only continues a listing of this very partition.
    const startKey = query.startKey;
    if (startKey && (startKey[pkName] !== partition || typeof startKey[skName] !== 'string' || typeof startKey.pk !== 'string' || typeof startKey.sk !== 'string')) {
      throw new ValidationError([{ field: 'query.cursor', message: 'is not a valid cursor' }]);
    }
    const filters = [...(query.type ? ['#type = :type'] : []), ...(byOrganization ? ['#account = :account'] : [])];
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        ...(byOrganization ? { IndexName: 'gsi1' } : {}),
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lower AND :upper',
        ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
        ExpressionAttributeNames: {
          '#pk': pkName,
          '#sk': skName,
          ...(query.type ? { '#type': 'type' } : {}),
          ...(byOrganization ? { '#account': 'accountId' } : {}),
        },
        ExpressionAttributeValues: {
          ':pk': partition,
          ':lower': lower,
          ':upper': upper,
          ...(query.type ? { ':type': query.type } : {}),
          ...(byOrganization ? { ':account': query.accountId } : {}),
        },
        ScanIndexForward: false,
        Limit: query.limit,
        ExclusiveStartKey: startKey,
      }),
    );
    const items = (result.Items ?? []).map((item) => {
      const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, entity: _e, ttl: _t, ...event } = item;
      return event as AuditEvent;
    });
    return { items, lastKey: result.LastEvaluatedKey };
  }
}
