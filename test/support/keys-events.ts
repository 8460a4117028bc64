/**
 * Arrange helpers for the access-key and audit-log tests: organizations and organization events are
 * written straight into the table (the organization routes have their own tests), keys through the API.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SuccessBody } from '#client/index.ts';
import { config } from '#shared/config.ts';
import { documentClient } from '#shared/compose/runtime.ts';
import { auditRepository } from '#shared/compose/shared.ts';
import { organizationByAccountGsi, organizationKey, type ItemKey } from '#shared/data/keys.ts';
import { auditEvent, type AuditEvent } from '#shared/domain/kernel/audit-events.ts';
import { newId } from '#shared/domain/kernel/secrets.ts';
import type { useLocalApi } from './local-api.ts';

type Api = ReturnType<typeof useLocalApi>;

/** An organization of `accountId` as the organization repository stores it. */
export async function createOrganization(accountId: string, status: 'active' | 'deleted' = 'active'): Promise<string> {
  const id = newId('org');
  const now = new Date().toISOString();
  await documentClient().send(
    new PutCommand({
      TableName: config().tableName,
      Item: {
        ...organizationKey(id),
        ...organizationByAccountGsi(accountId, now, id),
        entity: 'Organization',
        id,
        accountId,
        name: `Org ${id.slice(-6)}`,
        settings: { requireMfa: false, smsDailyLimit: 1000, smsAllowedCountries: [] },
        status,
        createdAt: now,
        updatedAt: now,
      },
    }),
  );
  return id;
}

/** A stand-alone audit event (as sign-ins and challenge events are written), at an optional time. */
export async function recordEvent(
  accountId: string,
  organizationId: string | null,
  type = 'test.recorded',
  at: Date = new Date(),
): Promise<AuditEvent> {
  const event = auditEvent(
    { actor: { kind: 'system', id: null }, sourceIp: null, requestId: null },
    { accountId, organizationId, type, target: organizationId ? { type: 'organization', id: organizationId } : null },
    at,
  );
  await auditRepository().recordEvent(event);
  return event;
}

export async function rawItem(key: ItemKey): Promise<Record<string, unknown> | undefined> {
  return (await documentClient().send(new GetCommand({ TableName: config().tableName, Key: key, ConsistentRead: true }))).Item;
}

/** A new key as `POST …/keys` answers it, its secret included (the generated client's type). */
export type CreatedKey = SuccessBody<'/v2/accounts/{accountId}/keys', 'post'>;

/** A key of `accountId` through `POST …/keys`, as its owner. */
export async function createKey(
  api: Api,
  accountId: string,
  ownerToken: string,
  body: { permissions?: string[]; organizations?: 'all' | string[]; name?: string } = {},
): Promise<CreatedKey> {
  const response = await api.request<CreatedKey>('POST', `/v2/accounts/${accountId}/keys`, {
    token: ownerToken,
    body: { name: body.name ?? 'ci', permissions: body.permissions ?? ['manage'], organizations: body.organizations ?? 'all' },
  });
  if (response.status !== 201) throw new Error(`key creation failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}
