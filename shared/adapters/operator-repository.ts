import {
  BatchGetCommand,
  GetCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../domain/kernel/errors.ts';
import type { Account, Membership, Operator } from '../domain/kernel/model.ts';
import type { OperatorStore } from '../domain/sessions/operator-store.ts';
import {
  accountKey,
  membershipByUserGsi,
  membershipKey,
  membershipsOfUserPartition,
  userEmailKey,
  userKey,
} from '../data/keys.ts';
import { transactWrite } from './dynamodb.ts';

/** One element of a TransactWriteItems call, for callers that add their own (e.g. an audit event). */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const notExists = 'attribute_not_exists(pk)';

/** Operators, their accounts and memberships in the single table. */
export class OperatorRepository implements OperatorStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createOperatorWithAccount({ operator, account, membership }: { operator: Operator; account: Account; membership: Membership }): Promise<void> {
    const TableName = this.tableName;
    // The email guard item makes the email unique across all operators: the transaction only commits
    // if no other operator holds it, so of two concurrent sign-ups with one email exactly one wins.
    const failed = await transactWrite(this.db, {
      TransactItems: [
        { Put: { TableName, Item: { ...userEmailKey(operator.email), entity: 'OperatorEmail', userId: operator.id }, ConditionExpression: notExists } },
        { Put: { TableName, Item: { ...userKey(operator.id), entity: 'Operator', ...operator }, ConditionExpression: notExists } },
        // ownerCount guards last-owner protection: demoting or removing an owner is conditional on it.
        { Put: { TableName, Item: { ...accountKey(account.id), entity: 'Account', ...account, ownerCount: 1 }, ConditionExpression: notExists } },
        { Put: { TableName, Item: membershipItem(membership), ConditionExpression: notExists } },
      ],
    });
    if (failed.includes(0)) throw new ConflictError('email_taken', 'An operator with this email already exists.');
    if (failed.length > 0) throw new Error(`id collision while creating operator (items ${failed.join(',')})`);
  }

  /** A new operator who joins an existing account (invitation accepted by a new person). */
  async createOperatorWithMembership({ operator, membership }: { operator: Operator; membership: Membership }, extra: TransactItem[] = []): Promise<void> {
    const TableName = this.tableName;
    const failed = await transactWrite(this.db, {
      TransactItems: [
        { Put: { TableName, Item: { ...userEmailKey(operator.email), entity: 'OperatorEmail', userId: operator.id }, ConditionExpression: notExists } },
        { Put: { TableName, Item: { ...userKey(operator.id), entity: 'Operator', ...operator }, ConditionExpression: notExists } },
        { Put: { TableName, Item: membershipItem(membership), ConditionExpression: notExists } },
        ...extra,
      ],
    });
    if (failed.includes(0)) throw new ConflictError('email_taken', 'An operator with this email already exists.');
    if (failed.length > 0) throw new ConflictError('conflict', 'The request conflicts with the current state; reload and retry.');
  }

  /** An existing operator joins an account; `member_exists` if they already belong to it. */
  async addMembership(membership: Membership, extra: TransactItem[] = []): Promise<void> {
    const failed = await transactWrite(this.db, {
      TransactItems: [{ Put: { TableName: this.tableName, Item: membershipItem(membership), ConditionExpression: notExists } }, ...extra],
    });
    if (failed.includes(0)) throw new ConflictError('member_exists', 'This operator is already a member of the account.');
    if (failed.length > 0) throw new ConflictError('conflict', 'The request conflicts with the current state; reload and retry.');
  }

  async findOperatorByEmail(email: string): Promise<Operator | undefined> {
    const guard = await this.db.send(new GetCommand({ TableName: this.tableName, Key: userEmailKey(email), ConsistentRead: true }));
    const userId = guard.Item?.userId as string | undefined;
    return userId ? this.findOperatorById(userId) : undefined;
  }

  async findOperatorById(userId: string): Promise<Operator | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: userKey(userId), ConsistentRead: true }));
    if (!Item) return undefined;
    return { id: Item.id as string, email: Item.email as string, passwordHash: Item.passwordHash as string, createdAt: Item.createdAt as string };
  }

  async findMembership(accountId: string, userId: string): Promise<Membership | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: membershipKey(accountId, userId), ConsistentRead: true }),
    );
    return Item ? toMembership(Item) : undefined;
  }

  async listMembershipsOfUser(userId: string): Promise<Membership[]> {
    const memberships: Membership[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': membershipsOfUserPartition(userId) },
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) memberships.push(toMembership(item));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return memberships;
  }

  async findAccountsByIds(accountIds: string[]): Promise<Account[]> {
    const accounts: Account[] = [];
    const unique = [...new Set(accountIds)];
    for (let start = 0; start < unique.length; start += 100) {
      let keys: Record<string, unknown>[] = unique.slice(start, start + 100).map((id) => accountKey(id));
      // BatchGet may leave keys unprocessed under load; ask again for exactly those.
      for (let attempt = 0; keys.length > 0 && attempt < 5; attempt++) {
        const result = await this.db.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }));
        for (const item of result.Responses?.[this.tableName] ?? []) {
          accounts.push({ id: item.id as string, name: item.name as string, createdAt: item.createdAt as string });
        }
        keys = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return accounts;
  }
}

/** The stored form of a membership: in the account's partition, and on GSI1 under the operator. */
export function membershipItem(membership: Membership) {
  return {
    ...membershipKey(membership.accountId, membership.userId),
    ...membershipByUserGsi(membership.userId, membership.accountId),
    entity: 'Membership',
    ...membership,
  };
}

export function toMembership(item: Record<string, unknown>): Membership {
  return {
    accountId: item.accountId as string,
    userId: item.userId as string,
    role: item.role as Membership['role'],
    scope: item.scope as Membership['scope'],
    createdAt: item.createdAt as string,
  };
}
