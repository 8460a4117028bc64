import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { challengeKey, endUserTotpKey, passkeyKey, passkeysOfOwnerPartition, signInStatesOfUser, type ItemKey } from '../data/keys.ts';
import type { EndUserStore, StoredEndUser } from '../domain/directory/end-users.ts';
import type { AuditEvent } from '../domain/kernel/audit-events.ts';
import { UnavailableError } from '../domain/kernel/errors.ts';
import type { Page, PageRequest } from '../domain/kernel/request.ts';
import { endUserOwner } from '../domain/passkeys/model.ts';
import type { EndUser } from '../domain/sign-in/model.ts';
import { DELETE_ATTEMPTS, deleteUnlessGrantedSince, grantItemDeletes, grantVersionCondition, listAllGrants } from './access-grant-repository.ts';
import { auditEventPut } from './audit-repository.ts';
import { batchDeleteItems, getItem, MAX_TRANSACTION_ITEMS, queryAllGsi1Items, queryAllItems, queryGsi1Page, transactWrite, type TransactItem } from './dynamodb.ts';
import { deleteEmailGuard, putEmailGuard, updateGuardCopy } from './end-user-email-guard.ts';
import { accessGrantItemKeys, grantsOfEndUser } from './items/access-grant-item.ts';
import { emailGuardKey, fromEmailGuardItem } from './items/email-guard-item.ts';
import { endUserKey, endUsersOfOrganizationPartition, fromEndUserItem, toEndUser, toEndUserItem } from './items/end-user-item.ts';
import { fromPasskeyItem } from './items/passkey-item.ts';
import { fromItem as fromSignInStateItem } from './items/sign-in-state-item.ts';

/**
 * End users of organizations, in the organization's partition (and on GSI1, oldest first).
 *
 * An end user's email (lower-cased) is unique in the organization through its guard item
 * (end-user-email-guard.ts): creates are conditional puts in one transaction. The guard carries the
 * sign-in copy of its user (the user record and one `grant:<system>` attribute per grant, holding the
 * incarnation), so a sign-in reads user and access with the organization and system in one round
 * trip: every write of the user updates the guard in its transaction, and an email change rebuilds it
 * from the grants, conditional on the user's `grantVersion` (bumped by every grant and revoke) being
 * the one read before listing them. A delete takes the user's grants (see access-grant-repository.ts),
 * passkeys, TOTP factor and sign-in states (with each state's live challenge) with it.
 */
export class EndUserRepository implements EndUserStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Strongly consistent (the challenge engine reads it too): the guard, then its user, if the email is still theirs. */
  async findEndUserByEmail(organizationId: string, email: string): Promise<EndUser | undefined> {
    const guard = await getItem(this.db, this.tableName, emailGuardKey(organizationId, email));
    if (!guard) return undefined;
    const user = await this.findEndUser(organizationId, fromEmailGuardItem(guard).userId);
    return user && user.email.toLowerCase() === email.toLowerCase() ? user : undefined;
  }

  /** Strongly consistent: the challenge engine reads it too. */
  async findEndUser(organizationId: string, userId: string): Promise<EndUser | undefined> {
    const item = await getItem(this.db, this.tableName, endUserKey(organizationId, userId));
    return item ? toEndUser(item) : undefined;
  }

  async findEndUserForUpdate(organizationId: string, userId: string): Promise<StoredEndUser | undefined> {
    const item = await getItem(this.db, this.tableName, endUserKey(organizationId, userId));
    if (!item) return undefined;
    const { user, version } = fromEndUserItem(item);
    return { ...user, version };
  }

  /** End users of an organization, oldest first: one Query on GSI1. */
  async listEndUsers(organizationId: string, page: PageRequest): Promise<Page<EndUser>> {
    const result = await queryGsi1Page(this.db, this.tableName, endUsersOfOrganizationPartition(organizationId), page, endUserKey(organizationId, '').pk);
    return { items: result.items.map(toEndUser), lastKey: result.lastKey };
  }

  /** The user and its email guard, both conditional puts: of concurrent creates with one email, one wins. */
  async createEndUser(user: EndUser, event: AuditEvent): Promise<'ok' | 'email_taken'> {
    const failed = await transactWrite(this.db, {
      TransactItems: [
        { Put: { TableName: this.tableName, Item: toEndUserItem(user), ConditionExpression: 'attribute_not_exists(pk)' } },
        putEmailGuard(this.tableName, user, []),
        auditEventPut(this.tableName, event),
      ],
    });
    if (failed.includes(1)) return 'email_taken';
    if (failed.length > 0) throw new Error('end user id collision');
    return 'ok';
  }

  /**
   * Conditional on the version read; a new email (other than by case) moves the guard atomically, with
   * the user's grants as listed after reading `grantVersion` (a grant or revoke since fails the write).
   */
  async updateEndUser(before: StoredEndUser, after: EndUser, event: AuditEvent): Promise<'ok' | 'missing' | 'stale' | 'email_taken'> {
    const key = endUserKey(before.organizationId, before.id);
    const moveGuard = before.email.toLowerCase() !== after.email.toLowerCase();
    let guardWrites: TransactItem[] = [updateGuardCopy(this.tableName, after)];
    let grants: ReturnType<typeof grantVersionCondition> | undefined;
    if (moveGuard) {
      const item = await getItem(this.db, this.tableName, key);
      if (!item) return 'missing';
      grants = grantVersionCondition(fromEndUserItem(item).grantVersion);
      const held = await listAllGrants(this.db, this.tableName, grantsOfEndUser(before.organizationId, before.id));
      guardWrites = [deleteEmailGuard(this.tableName, before), putEmailGuard(this.tableName, after, held)];
    }
    const failed = await transactWrite(this.db, {
      TransactItems: [
        {
          Update: {
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'SET email = :email, phone = :phone, #name = :name, #status = :status, updatedAt = :at, version = :next',
            ConditionExpression: `version = :version${grants ? ` AND ${grants.condition}` : ''}`,
            ExpressionAttributeNames: { '#name': 'name', '#status': 'status' },
            ExpressionAttributeValues: {
              ':email': after.email,
              ':phone': after.phone,
              ':name': after.name,
              ':status': after.status,
              ':at': after.updatedAt,
              ':version': before.version,
              ':next': before.version + 1,
              ...grants?.values,
            },
          },
        },
        ...guardWrites,
        auditEventPut(this.tableName, event),
      ],
    });
    if (failed.length === 0) return 'ok';
    if (moveGuard && failed.includes(2) && !failed.includes(0)) return 'email_taken';
    return (await getItem(this.db, this.tableName, key)) ? 'stale' : 'missing';
  }

  /**
   * As `SystemRepository.deleteSystem`: the user, its guard, the event, its passkeys (at most 20 by
   * the per-person limit) and as many grants as fit in the one transaction; more grants (and passkeys
   * beyond a transaction, only if the limit was raced past) in batches once the user is gone. A
   * passkey of a deleted user signs nobody in (its owner names the old id, never reused), but it is
   * personal data: it goes with its person. So do the TOTP factor (one item: encrypted secret,
   * recovery code hashes, attempt and lock state) and the sign-in states (one per system the user
   * started a sign-in on, all in one partition: a Query, no scan) with the live challenge each names;
   * a challenge a newer one replaced is no longer named anywhere and is left to its TTL (it holds
   * hashes and ids, no secret in clear). In the transaction: passkeys, then TOTP, then sign-in
   * states and challenges, then grants, each while it fits; what does not fit is batch-deleted after.
   */
  async deleteEndUser(organizationId: string, userId: string, event: AuditEvent): Promise<number | undefined> {
    const key = endUserKey(organizationId, userId);
    const owner = endUserOwner(organizationId, userId);
    for (let attempt = 1; ; attempt++) {
      const item = await getItem(this.db, this.tableName, key);
      if (!item) return undefined;
      const stored = fromEndUserItem(item);
      const [grants, passkeyIds, signInKeys] = await Promise.all([
        listAllGrants(this.db, this.tableName, grantsOfEndUser(organizationId, userId)),
        this.passkeyIdsOf(owner),
        this.signInKeysOf(organizationId, userId),
      ]);
      let room = MAX_TRANSACTION_ITEMS - 3;
      const passkeysInline = passkeyIds.length <= room;
      if (passkeysInline) room -= passkeyIds.length;
      const totpInline = room >= 1;
      if (totpInline) room -= 1;
      const signInInline = signInKeys.length <= room;
      if (signInInline) room -= signInKeys.length;
      const grantsInline = grants.length * 2 <= room;
      const totpKey = endUserTotpKey(organizationId, userId);
      const failed = await transactWrite(this.db, {
        TransactItems: [
          deleteUnlessGrantedSince(this.tableName, key, stored),
          deleteEmailGuard(this.tableName, stored.user),
          auditEventPut(this.tableName, { ...event, details: { ...event.details, email: stored.user.email, grantsRemoved: grants.length, passkeysRemoved: passkeyIds.length } }),
          ...(passkeysInline ? passkeyIds.map((id) => this.passkeyDelete(id, owner)) : []),
          // Keyed by the user's id (never reused): unconditional, and absent is fine.
          ...(totpInline ? [{ Delete: { TableName: this.tableName, Key: totpKey } }] : []),
          ...(signInInline ? signInKeys.map((Key) => ({ Delete: { TableName: this.tableName, Key } })) : []),
          ...(grantsInline ? grantItemDeletes(this.tableName, organizationId, grants) : []),
        ],
      });
      if (failed.length === 0) {
        if (!grantsInline) await batchDeleteItems(this.db, this.tableName, grants.flatMap((grant) => accessGrantItemKeys(organizationId, grant.systemName, grant.userId)));
        if (!passkeysInline) await batchDeleteItems(this.db, this.tableName, passkeyIds.map(passkeyKey));
        if (!totpInline) await batchDeleteItems(this.db, this.tableName, [totpKey]);
        if (!signInInline) await batchDeleteItems(this.db, this.tableName, signInKeys);
        return grants.length;
      }
      if (attempt >= DELETE_ATTEMPTS) throw new UnavailableError(1);
    }
  }

  /** The ids of the owner's passkeys (Query GSI1). */
  private async passkeyIdsOf(owner: string): Promise<string[]> {
    return (await queryAllGsi1Items(this.db, this.tableName, passkeysOfOwnerPartition(owner))).map((item) => fromPasskeyItem(item).id);
  }

  /**
   * The keys of the user's sign-in states (one partition: a consistent Query) and of the live
   * challenge each names. Deleting a challenge another write just replaced is harmless: the state
   * naming it goes in the same transaction.
   */
  private async signInKeysOf(organizationId: string, userId: string): Promise<ItemKey[]> {
    const { pk, skPrefix } = signInStatesOfUser(organizationId, userId);
    const states = await queryAllItems(this.db, this.tableName, pk, skPrefix);
    return states.flatMap((item) => {
      const challengeId = fromSignInStateItem(item).challengeId;
      const state = { pk: String(item.pk), sk: String(item.sk) };
      return challengeId ? [state, challengeKey(challengeId)] : [state];
    });
  }

  /** Idempotent (gone already is fine) and never another person's: the index is read eventually consistent. */
  private passkeyDelete(passkeyId: string, owner: string): TransactItem {
    return {
      Delete: {
        TableName: this.tableName,
        Key: passkeyKey(passkeyId),
        ConditionExpression: 'attribute_not_exists(pk) OR #owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':owner': owner },
      },
    };
  }
}
