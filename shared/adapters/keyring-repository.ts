import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { KeyringStore, StoredKeyring } from '../domain/platform/keyring-store.ts';
import { keyringKey } from '../data/keys.ts';
import { isConditionalCheckFailed } from './dynamodb.ts';

/** Wrapped key material in the table; see shared/domain/platform/keyring.ts for the envelope scheme. */
export class KeyringRepository implements KeyringStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async findKeyring(purpose: string): Promise<StoredKeyring | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keyringKey(purpose), ConsistentRead: true }));
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, entity: _entity, ...keyring } = Item;
    return keyring as StoredKeyring;
  }

  async createKeyring(keyring: StoredKeyring): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keyringKey(keyring.purpose), entity: 'Keyring', ...keyring },
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
