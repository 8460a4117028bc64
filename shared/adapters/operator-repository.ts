import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../domain/kernel/errors.ts';
import type { Account, Membership, Operator } from '../domain/kernel/model.ts';
import type { OperatorStore } from '../domain/sessions/operator-store.ts';
import { getItem, queryAllGsi1Items, transactWrite, type TransactItem } from './dynamodb.ts';
import { accountKey, toAccount, toAccountItem } from './items/account-item.ts';
import { fromMembershipItem, membershipKey, membershipsOfUserPartition, toMembershipItem } from './items/membership-item.ts';
import { fromOperatorEmailItem, fromOperatorItem, operatorEmailKey, operatorKey, toOperatorEmailItem, toOperatorItem } from './items/operator-item.ts';

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
        { Put: { TableName, Item: toOperatorEmailItem(operator), ConditionExpression: notExists } },
        { Put: { TableName, Item: toOperatorItem(operator), ConditionExpression: notExists } },
        // ownerCount guards last-owner protection: demoting or removing an owner is conditional on it.
        { Put: { TableName, Item: toAccountItem(account), ConditionExpression: notExists } },
        { Put: { TableName, Item: toMembershipItem(membership), ConditionExpression: notExists } },
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
        { Put: { TableName, Item: toOperatorEmailItem(operator), ConditionExpression: notExists } },
        { Put: { TableName, Item: toOperatorItem(operator), ConditionExpression: notExists } },
        { Put: { TableName, Item: toMembershipItem(membership), ConditionExpression: notExists } },
        ...extra,
      ],
    });
    if (failed.includes(0)) throw new ConflictError('email_taken', 'An operator with this email already exists.');
    if (failed.length > 0) throw new ConflictError('conflict', 'The request conflicts with the current state; reload and retry.');
  }

  /** An existing operator joins an account; `member_exists` if they already belong to it. */
  async addMembership(membership: Membership, extra: TransactItem[] = []): Promise<void> {
    const failed = await transactWrite(this.db, {
      TransactItems: [{ Put: { TableName: this.tableName, Item: toMembershipItem(membership), ConditionExpression: notExists } }, ...extra],
    });
    if (failed.includes(0)) throw new ConflictError('member_exists', 'This operator is already a member of the account.');
    if (failed.length > 0) throw new ConflictError('conflict', 'The request conflicts with the current state; reload and retry.');
  }

  async findOperatorByEmail(email: string): Promise<Operator | undefined> {
    const guard = await getItem(this.db, this.tableName, operatorEmailKey(email));
    return guard ? this.findOperatorById(fromOperatorEmailItem(guard)) : undefined;
  }

  async findOperatorById(userId: string): Promise<Operator | undefined> {
    const item = await getItem(this.db, this.tableName, operatorKey(userId));
    return item ? fromOperatorItem(item) : undefined;
  }

  async findMembership(accountId: string, userId: string): Promise<Membership | undefined> {
    const item = await getItem(this.db, this.tableName, membershipKey(accountId, userId));
    return item ? fromMembershipItem(item) : undefined;
  }

  async listMembershipsOfUser(userId: string): Promise<Membership[]> {
    return (await queryAllGsi1Items(this.db, this.tableName, membershipsOfUserPartition(userId))).map(fromMembershipItem);
  }

  async findAccountsByIds(accountIds: string[]): Promise<Account[]> {
    const accounts: Account[] = [];
    const unique = [...new Set(accountIds)];
    for (let start = 0; start < unique.length; start += 100) {
      let keys: Record<string, unknown>[] = unique.slice(start, start + 100).map((id) => accountKey(id));
      // BatchGet may leave keys unprocessed under load; ask again for exactly those.
      for (let attempt = 0; keys.length > 0 && attempt < 5; attempt++) {
        const result = await this.db.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }));
        for (const item of result.Responses?.[this.tableName] ?? []) accounts.push(toAccount(item));
        keys = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return accounts;
  }
}
