/**
 * Managing access keys (owner only): create (the secret is returned this once and only its hash is
 * stored), list, revoke. Every change is written together with its audit event.
 */
import { auditActorOf, type AccessControl } from './actors.ts';
import { mintApiKey, type StoredApiKey } from './access-key-verifier.ts';
import { auditEvent, type AuditEvent } from '../kernel/audit-events.ts';
import { ConflictError, NotFoundError, ValidationError } from '../kernel/errors.ts';
import type { ApiKey, KeyPermission, Organization } from '../kernel/model.ts';
import type { Principal } from '../kernel/principal.ts';

/** What key management needs from storage; each change commits together with its audit event. */
export interface AccessKeyStore {
  createApiKey(key: StoredApiKey, event: AuditEvent): Promise<void>;
  findApiKey(keyId: string): Promise<StoredApiKey | undefined>;
  listApiKeysOfAccount(accountId: string, limit: number, startKey?: Record<string, unknown>): Promise<{ items: ApiKey[]; lastKey: Record<string, unknown> | undefined }>;
  /** Conditional on the key being in this account and not revoked yet. */
  revokeApiKey(accountId: string, keyId: string, at: string, event: AuditEvent): Promise<void>;
  /** Undefined for unknown and deleted organizations. */
  findOrganization(orgId: string): Promise<Organization | undefined>;
}

export interface NewKeyInput {
  name: string;
  permissions: KeyPermission[];
  organizations: 'all' | string[];
}

/** Request facts for the audit event. */
export interface RequestFacts {
  sourceIp: string | null;
  requestId: string | null;
}

/** The key as the API shows it: no account id (it is in the path), never the hash. */
export type ApiKeyView = Omit<ApiKey, 'accountId'>;

export function viewApiKey(key: ApiKey): ApiKeyView {
  return {
    id: key.id,
    name: key.name,
    permissions: key.permissions,
    organizations: key.organizations,
    createdAt: key.createdAt,
    createdBy: key.createdBy,
    lastUsedAt: key.lastUsedAt,
    revokedAt: key.revokedAt,
  };
}

/** The audit actor of an account-level actor. */
export class AccessKeys {
  constructor(
    private readonly store: AccessKeyStore,
    private readonly access: AccessControl,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Creates a key; the answer carries `key`, the secret, which is never retrievable again. */
  async createKey(principal: Principal, accountId: string, input: NewKeyInput, facts: RequestFacts): Promise<ApiKeyView & { key: string }> {
    const actor = await this.access.actorForAccount(principal, accountId);
    await this.access.require(actor, 'key:write', { accountId });
    await this.requireOrganizationsOfAccount(accountId, input.organizations);

    const { keyId, key, secretHash } = mintApiKey();
    const now = this.now();
    const stored: StoredApiKey = {
      id: keyId,
      accountId,
      name: input.name,
      permissions: input.permissions,
      organizations: input.organizations,
      createdAt: now.toISOString(),
      createdBy: actor.kind === 'member' ? actor.userId : actor.keyId,
      revokedAt: null,
      lastUsedAt: null,
      secretHash,
    };
    const event = auditEvent(
      { actor: auditActorOf(actor), ...facts },
      {
        accountId,
        type: 'key.created',
        target: { type: 'key', id: keyId },
        details: { name: input.name, permissions: input.permissions, organizations: input.organizations },
      },
      now,
    );
    await this.store.createApiKey(stored, event);
    return { ...viewApiKey(stored), key };
  }

  async listKeys(principal: Principal, accountId: string, page: { limit: number; startKey?: Record<string, unknown> }) {
    const actor = await this.access.actorForAccount(principal, accountId);
    await this.access.require(actor, 'key:read', { accountId });
    const { items, lastKey } = await this.store.listApiKeysOfAccount(accountId, page.limit, page.startKey);
    return { items: items.map(viewApiKey), lastKey };
  }

  /**
   * Revokes a key. The apikey authorizer's cached answers expire within 60 s; routes that verify keys
   * themselves (`bearer-or-apikey`) read the key consistently and refuse it at once.
   */
  async revokeKey(principal: Principal, accountId: string, keyId: string, facts: RequestFacts): Promise<void> {
    const actor = await this.access.actorForAccount(principal, accountId);
    await this.access.require(actor, 'key:write', { accountId });
    const existing = await this.store.findApiKey(keyId);
    // A key of another account is as missing as an unknown one.
    if (!existing || existing.accountId !== accountId) throw new NotFoundError('Key');
    if (existing.revokedAt !== null) throw new ConflictError('key_revoked', 'This key is already revoked.');
    const now = this.now();
    const event = auditEvent(
      { actor: auditActorOf(actor), ...facts },
      { accountId, type: 'key.revoked', target: { type: 'key', id: keyId }, details: { name: existing.name } },
      now,
    );
    await this.store.revokeApiKey(accountId, keyId, now.toISOString(), event);
  }

  /** Every listed organization must be an active organization of this account (400 naming the entry otherwise). */
  private async requireOrganizationsOfAccount(accountId: string, organizations: 'all' | string[]): Promise<void> {
    if (organizations === 'all') return;
    const found = await Promise.all(organizations.map((orgId) => this.store.findOrganization(orgId)));
    const issues = organizations.flatMap((orgId, index) =>
      found[index]?.accountId === accountId ? [] : [{ field: `body.organizations.${index}`, message: `is not an organization of this account: ${orgId}` }],
    );
    if (issues.length > 0) throw new ValidationError(issues);
  }
}
