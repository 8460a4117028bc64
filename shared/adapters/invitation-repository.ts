import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../domain/kernel/audit-events.ts';
import type { FirstOwnerStore } from '../domain/tenancy/first-owner.ts';
import type { Invitation, InvitationStore, StoredInvitation } from '../domain/tenancy/invitations.ts';
import type { Page } from '../domain/kernel/request.ts';
import type { Account, Membership, Operator } from '../domain/kernel/model.ts';
import { auditEventPut } from './audit-repository.ts';
import { getItem, transactWrite, type TransactItem } from './dynamodb.ts';
import { toAccountItem } from './items/account-item.ts';
import {
  fromInvitationItem,
  fromInvitationTokenItem,
  invitationKey,
  invitationsOfAccount,
  invitationTokenKey,
  toInvitationItem,
  toInvitationTokenItem,
} from './items/invitation-item.ts';
import { assertCursorIn, ownerCountUpdate } from './membership-repository.ts';
import type { OperatorRepository } from './operator-repository.ts';

/**
 * Items stay a week past expiry before TTL removes them, so a late click on a used or expired link
 * still gets `invitation_used` / `invitation_expired` instead of a bare 404.
 */
const TTL_GRACE_SECONDS = 7 * 86_400;

/**
 * Invitations in their account's partition (sort key by invitation id: list, revoke) plus one lookup item per
 * token, keyed by the token's SHA-256 (accept). Status lives on the invitation item only.
 */
export class InvitationRepository implements InvitationStore, FirstOwnerStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly operators: OperatorRepository,
  ) {}

  async createInvitation(invitation: StoredInvitation, event: AuditEvent): Promise<void> {
    const TableName = this.tableName;
    const ttl = Math.floor(Date.parse(invitation.expiresAt) / 1000) + TTL_GRACE_SECONDS;
    const failed = await transactWrite(this.db, {
      TransactItems: [
        { Put: { TableName, Item: toInvitationItem(invitation, ttl), ConditionExpression: 'attribute_not_exists(pk)' } },
        { Put: { TableName, Item: toInvitationTokenItem(invitation, ttl), ConditionExpression: 'attribute_not_exists(pk)' } },
        auditEventPut(TableName, event),
      ],
    });
    if (failed.length > 0) throw new Error(`id collision while creating invitation (items ${failed.join(',')})`);
  }

  /** The first-owner command: a new account with no member (owner count 0) and its owner invitation, at once. */
  async createAccountWithInvitation(account: Account, invitation: StoredInvitation, event: AuditEvent): Promise<void> {
    const TableName = this.tableName;
    const ttl = Math.floor(Date.parse(invitation.expiresAt) / 1000) + TTL_GRACE_SECONDS;
    const failed = await transactWrite(this.db, {
      TransactItems: [
        { Put: { TableName, Item: toAccountItem(account, 0), ConditionExpression: 'attribute_not_exists(pk)' } },
        { Put: { TableName, Item: toInvitationItem(invitation, ttl), ConditionExpression: 'attribute_not_exists(pk)' } },
        { Put: { TableName, Item: toInvitationTokenItem(invitation, ttl), ConditionExpression: 'attribute_not_exists(pk)' } },
        auditEventPut(TableName, event),
      ],
    });
    if (failed.length > 0) throw new Error(`id collision while creating the first owner's account (items ${failed.join(',')})`);
  }

  /** One Query on the account partition; accepted and expired invitations are filtered out. */
  async listPendingInvitations(accountId: string, now: string, limit: number, startKey: Record<string, unknown> | undefined): Promise<Page<Invitation>> {
    const { pk, prefix } = invitationsOfAccount(accountId);
    assertCursorIn(startKey, pk, prefix);
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        FilterExpression: '#status = :pending AND expiresAt > :now',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix, ':pending': 'pending', ':now': now },
        Limit: limit,
        ExclusiveStartKey: startKey,
      }),
    );
    return { items: (result.Items ?? []).map(fromInvitationItem), lastKey: result.LastEvaluatedKey };
  }

  async findInvitation(accountId: string, invitationId: string): Promise<StoredInvitation | undefined> {
    const item = await getItem(this.db, this.tableName, invitationKey(accountId, invitationId));
    return item ? fromInvitationItem(item) : undefined;
  }

  async findInvitationByTokenHash(tokenHash: string): Promise<StoredInvitation | undefined> {
    const item = await getItem(this.db, this.tableName, invitationTokenKey(tokenHash));
    if (!item) return undefined;
    const { accountId, invitationId } = fromInvitationTokenItem(item);
    return this.findInvitation(accountId, invitationId);
  }

  async deleteInvitation(invitation: StoredInvitation, event: AuditEvent): Promise<boolean> {
    const TableName = this.tableName;
    const failed = await transactWrite(this.db, {
      TransactItems: [
        {
          Delete: {
            TableName,
            Key: invitationKey(invitation.accountId, invitation.id),
            ConditionExpression: '#status = :pending',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':pending': 'pending' },
          },
        },
        { Delete: { TableName, Key: invitationTokenKey(invitation.tokenHash) } },
        auditEventPut(TableName, event),
      ],
    });
    return failed.length === 0;
  }

  async acceptAsNewOperator(input: { invitation: StoredInvitation; operator: Operator; membership: Membership; event: AuditEvent; at: string }): Promise<void> {
    await this.operators.createOperatorWithMembership({ operator: input.operator, membership: input.membership }, this.consumption(input));
  }

  async acceptAsExistingOperator(input: { invitation: StoredInvitation; membership: Membership; event: AuditEvent; at: string }): Promise<void> {
    await this.operators.addMembership(input.membership, this.consumption(input));
  }

  /**
   * What accepting adds to the membership transaction: the invitation `pending → accepted` (only while
   * unexpired, so of concurrent accepts exactly one commits), the owner count for an owner, the event.
   */
  private consumption({ invitation, membership, event, at }: { invitation: StoredInvitation; membership: Membership; event: AuditEvent; at: string }): TransactItem[] {
    const ownerCount = ownerCountUpdate(this.tableName, invitation.accountId, invitation.role === 'owner' ? 1 : 0);
    return [
      {
        Update: {
          TableName: this.tableName,
          Key: invitationKey(invitation.accountId, invitation.id),
          UpdateExpression: 'SET #status = :accepted, acceptedAt = :at, acceptedBy = :userId',
          ConditionExpression: '#status = :pending AND expiresAt > :at',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':accepted': 'accepted', ':pending': 'pending', ':at': at, ':userId': membership.userId },
        },
      },
      ...(ownerCount ? [ownerCount] : []),
      auditEventPut(this.tableName, event),
    ];
  }
}
