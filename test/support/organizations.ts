/**
 * Arrange helpers for the account, organization and group tests: organizations and groups through the
 * API as their owner would create them, access keys written through the real repository.
 */
import { randomUUID } from 'node:crypto';
import type { SuccessBody } from '#client/index.ts';
import { auditRepository } from '#shared/compose/shared.ts';
import { apiKeyRepository } from '#shared/compose/tenancy.ts';
import { mintApiKey } from '#shared/domain/tenancy/access-key-verifier.ts';
import type { AuditEvent } from '#shared/domain/kernel/audit-events.ts';
import type { KeyPermission } from '#shared/domain/kernel/model.ts';
import type { useLocalApi } from './local-api.ts';

type Api = ReturnType<typeof useLocalApi>;

/** An organization and a group as the API answers them (the generated client's types). */
export type OrganizationBody = SuccessBody<'/v2/accounts/{accountId}/organizations', 'post'>;

export type GroupBody = SuccessBody<'/v2/accounts/{accountId}/groups', 'post'>;

/** An organization through `POST /v2/accounts/{accountId}/organizations`. */
export async function createOrganization(api: Api, accountId: string, token: string, body: Record<string, unknown> = {}): Promise<OrganizationBody> {
  const response = await api.request<OrganizationBody>('POST', `/v2/accounts/${accountId}/organizations`, {
    token,
    body: { name: `Customer ${randomUUID().slice(0, 8)}`, ...body },
  });
  if (response.status !== 201) throw new Error(`organization creation failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

/** A group through `POST /v2/accounts/{accountId}/groups`. */
export async function createGroup(api: Api, accountId: string, token: string, organizations: string[] = []): Promise<GroupBody> {
  const response = await api.request<GroupBody>('POST', `/v2/accounts/${accountId}/groups`, {
    token,
    body: { name: `Group ${randomUUID().slice(0, 8)}`, organizations },
  });
  if (response.status !== 201) throw new Error(`group creation failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

/** An access key of `accountId`, stored as the key routes store it; answers the secret for the `apikey` header. */
export async function createApiKey(accountId: string, permissions: KeyPermission[], organizations: 'all' | string[] = 'all'): Promise<string> {
  const { keyId, key, secretHash } = mintApiKey();
  await apiKeyRepository().createApiKey({
    id: keyId,
    accountId,
    name: `test ${permissions.join('+')}`,
    permissions,
    organizations,
    createdAt: new Date().toISOString(),
    createdBy: 'usr_test',
    revokedAt: null,
    lastUsedAt: null,
    secretHash,
  });
  return key;
}

/** Every audit event of an account, newest first (read from the table, not through the API). */
export async function eventsOf(accountId: string): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await auditRepository().listEvents({ accountId, limit: 100, ...(startKey ? { startKey } : {}) });
    events.push(...page.items);
    startKey = page.lastKey;
  } while (startKey);
  return events;
}
