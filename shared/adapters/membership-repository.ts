import { BatchGetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../domain/kernel/errors.ts';
import type { Page } from '../domain/kernel/request.ts';
import type { ChangeOutcome, Member, MembershipChange, MemberStore } from '../domain/tenancy/members.ts';
import type { Membership, Role, Scope } from '../domain/kernel/model.ts';
import { auditEventPut } from './audit-repository.ts';
import { getItem, transactWrite, type TransactItem } from './dynamodb.ts';
import { accountKey } from './items/account-item.ts';
import { fromMembershipItem, membershipKey, membershipsOfAccount } from './items/membership-item.ts';
import { fromOperatorContact, operatorKey } from './items/operator-item.ts';
import { operatorTotpKey } from '../data/keys.ts';

/**
 * Memberships in their account's partition (sort key by user id), with the account's `ownerCount`
 * guarding last-owner protection. Emails are read from the operator items (BatchGet per page) rather
 * than copied onto memberships, so they can never drift.
 */
export class MembershipRepository implements MemberStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** One Query on the account partition (members in user-id order) + one BatchGet for their emails. */
  async listMembers(accountId: string, limit: number, startKey: Record<string, unknown> | undefined): Promise<Page<Member>> {
    const { pk, prefix } = membershipsOfAccount(accountId);
    assertCursorIn(startKey, pk, prefix);
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
        Limit: limit,
        ExclusiveStartKey: startKey,
      }),
    );
    const memberships = (result.Items ?? []).map(fromMembershipItem);
    const people = await this.peopleOf(memberships.map((membership) => membership.userId));
    return { items: memberships.map((membership) => toMember(membership, people.get(membership.userId))), lastKey: result.LastEvaluatedKey };
  }

  async findMembership(accountId: string, userId: string): Promise<Membership | undefined> {
    const item = await getItem(this.db, this.tableName, membershipKey(accountId, userId));
    return item ? fromMembershipItem(item) : undefined;
  }

  async findMember(accountId: string, userId: string): Promise<Member | undefined> {
    const membership = await this.findMembership(accountId, userId);
    if (!membership) return undefined;
    const people = await this.peopleOf([userId]);
    return toMember(membership, people.get(userId));
  }

  /** Sets role and scope if the role is still the one read; adjusts the owner count in the same transaction. */
  async updateMembership(change: MembershipChange & { role: Role; scope: Scope }): Promise<ChangeOutcome> {
    return this.commit(change, {
      Update: {
        TableName: this.tableName,
        Key: membershipKey(change.accountId, change.userId),
        UpdateExpression: 'SET #role = :role, #scope = :scope',
        ConditionExpression: 'attribute_exists(pk) AND #role = :expected',
        ExpressionAttributeNames: { '#role': 'role', '#scope': 'scope' },
        ExpressionAttributeValues: { ':role': change.role, ':scope': change.scope, ':expected': change.expectedRole },
      },
    });
  }

  async removeMembership(change: MembershipChange): Promise<ChangeOutcome> {
    return this.commit(change, {
      Delete: {
        TableName: this.tableName,
        Key: membershipKey(change.accountId, change.userId),
        ConditionExpression: 'attribute_exists(pk) AND #role = :expected',
        ExpressionAttributeNames: { '#role': 'role' },
        ExpressionAttributeValues: { ':expected': change.expectedRole },
      },
    });
  }

  /** The membership write (item 0), the owner count (item 1, when it moves) and the audit events, at once. */
  private async commit(change: MembershipChange, membershipWrite: TransactItem): Promise<ChangeOutcome> {
    const ownerCount = ownerCountUpdate(this.tableName, change.accountId, change.ownerDelta);
    const failed = await transactWrite(this.db, {
      TransactItems: [membershipWrite, ...(ownerCount ? [ownerCount] : []), ...change.events.map((event) => auditEventPut(this.tableName, event))],
    });
    if (failed.includes(0)) return 'changed';
    if (failed.length > 0) return 'last_owner';
    return 'done';
  }

  /**
   * Each member's e-mail (the operator item) and whether their TOTP factor is enabled (the factor item,
   * same partition): one BatchGet per 50 members (100 keys, BatchGet's limit); unprocessed keys (under
   * load) are asked again.
   */
  private async peopleOf(userIds: string[]): Promise<Map<string, Person>> {
    const people = new Map<string, Person>();
    const unique = [...new Set(userIds)];
    for (let start = 0; start < unique.length; start += 50) {
      const chunk = unique.slice(start, start + 50);
      // The factor item carries no user id: its partition key names the person.
      const factorOwners = new Map(chunk.map((userId) => [operatorTotpKey(userId).pk, userId]));
      let keys: Record<string, unknown>[] = chunk.flatMap((userId) => [operatorKey(userId), operatorTotpKey(userId)]);
      for (let attempt = 0; keys.length > 0 && attempt < 5; attempt++) {
        const result = await this.db.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: keys, ProjectionExpression: 'pk, sk, id, email, #status', ExpressionAttributeNames: { '#status': 'status' } } },
          }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) {
          const factorOwner = item.sk === operatorTotpKey('').sk ? factorOwners.get(String(item.pk)) : undefined;
          if (factorOwner !== undefined) {
            const userId = factorOwner;
            people.set(userId, { email: people.get(userId)?.email ?? '', totp: item.status === 'enabled' });
          } else {
            const operator = fromOperatorContact(item);
            people.set(operator.id, { email: operator.email, totp: people.get(operator.id)?.totp ?? false });
          }
        }
        keys = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return people;
  }

}

/**
 * The owner-count move of a membership change. Removing an owner is conditional on there being
 * another (an account written before the count existed has no attribute, which reads as one owner and
 * so refuses); adding one counts from 1 when the attribute is missing.
 */
export function ownerCountUpdate(tableName: string, accountId: string, delta: -1 | 0 | 1): TransactItem | undefined {
  if (delta === 0) return undefined;
  return {
    Update: {
      TableName: tableName,
      Key: accountKey(accountId),
      ...(delta < 0
        ? { UpdateExpression: 'SET ownerCount = ownerCount - :one', ConditionExpression: 'ownerCount > :one' }
        : { UpdateExpression: 'SET ownerCount = if_not_exists(ownerCount, :one) + :one', ConditionExpression: 'attribute_exists(pk)' }),
      ExpressionAttributeValues: { ':one': 1 },
    },
  };
}

/**
 * A cursor only picks where a Query starts; one from another partition (or entity) would make
 * DynamoDB fail the call, so it is refused up front as the 400 it is.
 */
export function assertCursorIn(startKey: Record<string, unknown> | undefined, pk: string, skPrefix: string): void {
  if (startKey === undefined) return;
  const keys = Object.keys(startKey);
  const valid =
    keys.length === 2 && startKey.pk === pk && typeof startKey.sk === 'string' && startKey.sk.startsWith(skPrefix);
  if (!valid) throw new ValidationError([{ field: 'query.cursor', message: 'is not a valid cursor' }]);
}

interface Person {
  email: string;
  totp: boolean;
}

function toMember(membership: Membership, person: Person | undefined): Member {
  return {
    userId: membership.userId,
    email: person?.email ?? '',
    role: membership.role,
    scope: membership.scope,
    createdAt: membership.createdAt,
    mfa: { totp: person?.totp ?? false },
  };
}
