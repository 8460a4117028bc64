import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { KeyringStore, StoredKeyring } from '../domain/platform/keyring-store.ts';
import { getItem, isConditionalCheckFailed } from './dynamodb.ts';
import { fromKeyringItem, keyringKey, toKeyringItem } from './items/keyring-item.ts';

/** Wrapped key material in the table; see shared/domain/platform/keyring.ts for the envelope scheme. */
export class KeyringRepository implements KeyringStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async findKeyring(purpose: string): Promise<StoredKeyring | undefined> {
    const item = await getItem(this.db, this.tableName, keyringKey(purpose));
    return item ? fromKeyringItem(item) : undefined;
  }

  async createKeyring(keyring: StoredKeyring): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toKeyringItem(keyring),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}
