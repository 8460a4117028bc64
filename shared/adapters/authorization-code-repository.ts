import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuthorizationCodeStore, StoredAuthorizationCode } from '../domain/oidc/authorization-codes.ts';
import { isConditionalCheckFailed } from './dynamodb.ts';
import { authorizationCodeKey, fromAuthorizationCodeItem, toAuthorizationCodeItem } from './items/authorization-code-item.ts';

/** Authorization codes: written once, spent by one conditional delete that answers what it deleted. */
export class AuthorizationCodeRepository implements AuthorizationCodeStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async saveCode(codeHash: string, code: StoredAuthorizationCode): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: toAuthorizationCodeItem(codeHash, code), ConditionExpression: 'attribute_not_exists(pk)' }));
  }

  async takeCode(codeHash: string): Promise<StoredAuthorizationCode | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new DeleteCommand({ TableName: this.tableName, Key: authorizationCodeKey(codeHash), ConditionExpression: 'attribute_exists(pk)', ReturnValues: 'ALL_OLD' }),
      );
      return Attributes ? fromAuthorizationCodeItem(Attributes) : undefined;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }
}
