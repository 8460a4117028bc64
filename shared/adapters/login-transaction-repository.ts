import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LoginTransaction, LoginTransactionStore } from '../domain/oidc/login-transactions.ts';
import { getItem, isConditionalCheckFailed } from './dynamodb.ts';
import { fromLoginTransactionItem, loginTransactionKey, toLoginTransactionItem } from './items/login-transaction-item.ts';

/**
 * Login transactions of the hosted login: created once, rewritten while the sign-in moves on (never
 * once spent), spent by one conditional update that answers what it was, so one transaction yields
 * one authorization code however many requests race for it.
 */
export class LoginTransactionRepository implements LoginTransactionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createTransaction(transaction: LoginTransaction): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: toLoginTransactionItem(transaction), ConditionExpression: 'attribute_not_exists(pk)' }));
  }

  async findTransaction(id: string): Promise<LoginTransaction | undefined> {
    const item = await getItem(this.db, this.tableName, loginTransactionKey(id));
    return item ? fromLoginTransactionItem(item) : undefined;
  }

  async updateTransaction(transaction: LoginTransaction): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toLoginTransactionItem(transaction),
          ConditionExpression: 'attribute_exists(pk) AND #phase <> :spent',
          ExpressionAttributeNames: { '#phase': 'phase' },
          ExpressionAttributeValues: { ':spent': 'spent' },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async spendTransaction(id: string, options: { onlyAuthenticated: boolean }): Promise<LoginTransaction | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: loginTransactionKey(id),
          UpdateExpression: 'SET #phase = :spent',
          ConditionExpression: options.onlyAuthenticated ? 'attribute_exists(pk) AND #phase = :authenticated' : 'attribute_exists(pk) AND #phase <> :spent',
          ExpressionAttributeNames: { '#phase': 'phase' },
          ExpressionAttributeValues: { ':spent': 'spent', ...(options.onlyAuthenticated ? { ':authenticated': 'authenticated' } : {}) },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return Attributes ? fromLoginTransactionItem(Attributes) : undefined;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }
}
