import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../domain/kernel/audit-events.ts';
import type { StoredSystem, SystemStore } from '../domain/directory/systems.ts';
import { UnavailableError } from '../domain/kernel/errors.ts';
import type { Page, PageRequest } from '../domain/kernel/request.ts';
import { newId } from '../domain/kernel/secrets.ts';
import type { SignInSystem } from '../domain/sign-in/model.ts';
import { DELETE_ATTEMPTS, deleteUnlessGrantedSince, grantItemDeletes, listAllGrants } from './access-grant-repository.ts';
import { auditEventPut } from './audit-repository.ts';
import { batchDeleteItems, getItem, MAX_TRANSACTION_ITEMS, queryPrefixPage, transactWrite } from './dynamodb.ts';
import { accessGrantItemKeys, grantsOfSystem } from './items/access-grant-item.ts';
import { fromSystemItem, systemKey, systemsOfOrganization, toSystem, toSystemItem } from './items/system-item.ts';

/**
 * Systems of organizations, in the organization's partition. A system name is unique in its
 * organization (the create is a conditional put); every system gets a new `incarnation`, which its
 * grants carry, so a system re-created under a deleted one's name never inherits its grants; and a
 * delete is conditional on the `grantVersion` read before listing its grants (see
 * access-grant-repository.ts), so a grant committed meanwhile makes it re-read and retry.
 */
export class SystemRepository implements SystemStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Strongly consistent: the challenge engine reads it too. */
  async findSystem(organizationId: string, systemName: string): Promise<SignInSystem | undefined> {
    const item = await getItem(this.db, this.tableName, systemKey(organizationId, systemName));
    return item ? toSystem(item) : undefined;
  }

  async findSystemForUpdate(organizationId: string, systemName: string): Promise<StoredSystem | undefined> {
    const item = await getItem(this.db, this.tableName, systemKey(organizationId, systemName));
    if (!item) return undefined;
    const { system, version } = fromSystemItem(item);
    return { ...system, version };
  }

  /** Systems of an organization in name order: one Query on its partition. */
  async listSystems(organizationId: string, page: PageRequest): Promise<Page<SignInSystem>> {
    const { pk, prefix } = systemsOfOrganization(organizationId);
    const result = await queryPrefixPage(this.db, this.tableName, pk, prefix, page);
    return { items: result.items.map(toSystem), lastKey: result.lastKey };
  }

  async createSystem(system: SignInSystem, event: AuditEvent): Promise<boolean> {
    const failed = await transactWrite(this.db, {
      TransactItems: [
        { Put: { TableName: this.tableName, Item: toSystemItem(system, newId('inc')), ConditionExpression: 'attribute_not_exists(pk)' } },
        auditEventPut(this.tableName, event),
      ],
    });
    return failed.length === 0;
  }

  async updateSystem(system: SignInSystem, expectedVersion: number, event: AuditEvent): Promise<'ok' | 'missing' | 'stale'> {
    const key = systemKey(system.organizationId, system.name);
    const failed = await transactWrite(this.db, {
      TransactItems: [
        {
          Update: {
            TableName: this.tableName,
            Key: key,
            UpdateExpression:
              'SET #policy = :policy, passwordlessUrl = :url, redirectUris = :redirectUris, tokenSigningAlg = :alg, clientSecretHash = :secretHash, webauthn = :webauthn, updatedAt = :at, version = :next',
            ConditionExpression: 'version = :version',
            ExpressionAttributeNames: { '#policy': 'policy' },
            ExpressionAttributeValues: {
              ':policy': system.policy,
              ':url': system.passwordlessUrl,
              ':redirectUris': system.redirectUris,
              ':alg': system.tokenSigningAlg,
              ':secretHash': system.clientSecretHash,
              ':webauthn': system.webauthn,
              ':at': system.updatedAt,
              ':version': expectedVersion,
              ':next': expectedVersion + 1,
            },
          },
        },
        auditEventPut(this.tableName, event),
      ],
    });
    if (failed.length === 0) return 'ok';
    return (await getItem(this.db, this.tableName, key)) ? 'stale' : 'missing';
  }

  async setClientSecretHash(organizationId: string, systemName: string, hash: string | null, updatedAt: string, event: AuditEvent): Promise<'ok' | 'missing' | 'no_secret'> {
    const key = systemKey(organizationId, systemName);
    // Removing needs a secret to remove; setting only needs the system. Never conditional on the version:
    // a rotation replaces whatever secret is there, and moving the version makes a concurrent PATCH re-read.
    const condition = hash === null ? 'attribute_exists(pk) AND attribute_type(clientSecretHash, :string)' : 'attribute_exists(pk)';
    const failed = await transactWrite(this.db, {
      TransactItems: [
        {
          Update: {
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'SET clientSecretHash = :hash, updatedAt = :at, version = version + :one',
            ConditionExpression: condition,
            ExpressionAttributeValues: { ':hash': hash, ':at': updatedAt, ':one': 1, ...(hash === null ? { ':string': 'S' } : {}) },
          },
        },
        auditEventPut(this.tableName, event),
      ],
    });
    if (failed.length === 0) return 'ok';
    return (await getItem(this.db, this.tableName, key)) ? 'no_secret' : 'missing';
  }

  /**
   * Up to 49 grants (two items each) go in the system's own transaction. Beyond that the system item
   * and its event commit first, then the grants are deleted in batches: from the moment the system is
   * gone its grants reach nothing (`hasAccess` and the access list need the system, and a grant of an
   * earlier incarnation never counts for a re-created system), and no new grant can be written (the
   * grant transaction requires the system).
   */
  async deleteSystem(organizationId: string, systemName: string, event: AuditEvent): Promise<number | undefined> {
    const key = systemKey(organizationId, systemName);
    const inline = Math.floor((MAX_TRANSACTION_ITEMS - 2) / 2);
    for (let attempt = 1; ; attempt++) {
      const item = await getItem(this.db, this.tableName, key);
      if (!item) return undefined;
      const system = fromSystemItem(item);
      const grants = await listAllGrants(this.db, this.tableName, grantsOfSystem(organizationId, systemName));
      const small = grants.length <= inline;
      const failed = await transactWrite(this.db, {
        TransactItems: [
          deleteUnlessGrantedSince(this.tableName, key, system),
          auditEventPut(this.tableName, { ...event, details: { ...event.details, grantsRemoved: grants.length } }),
          ...(small ? grantItemDeletes(this.tableName, organizationId, grants) : []),
        ],
      });
      if (failed.length === 0) {
        if (!small) await batchDeleteItems(this.db, this.tableName, grants.flatMap((grant) => accessGrantItemKeys(organizationId, grant.systemName, grant.userId)));
        return grants.length;
      }
      if (attempt >= DELETE_ATTEMPTS) throw new UnavailableError(1);
    }
  }
}
