import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { passkeyFlowKey, passkeyKey, passkeysOfOwnerPartition } from '../data/keys.ts';
import type { Passkey, PasskeyFlow, PasskeyFlowStore, PasskeyOwner, PasskeyStore } from '../domain/passkeys/model.ts';
import { conditionalWrite, getItem, isConditionalCheckFailed, queryAllGsi1Items } from './dynamodb.ts';
import { fromPasskeyFlowItem, fromPasskeyItem, PASSKEY_ENTITY, toPasskeyFlowItem, toPasskeyItem } from './items/passkey-item.ts';

/**
 * Passkeys (one item per credential, keyed by the hash of its id, listed per owner on GSI1) and the
 * ceremonies' flows (one item per flow id, consumed by one conditional delete).
 */
export class PasskeyRepository implements PasskeyStore, PasskeyFlowStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createFlow(flow: PasskeyFlow): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: toPasskeyFlowItem(flow), ConditionExpression: 'attribute_not_exists(pk)' }));
  }

  async consumeFlow(flowId: string, at: string): Promise<PasskeyFlow | undefined> {
    // Single use: deleted only if there and unexpired (DynamoDB's TTL deletes late, DynamoDB Local
    // never), answering what it deleted, so of concurrent completions exactly one gets the flow.
    try {
      const result = await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: passkeyFlowKey(flowId),
          ConditionExpression: 'attribute_exists(pk) AND expiresAt > :at',
          ExpressionAttributeValues: { ':at': at },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return result.Attributes ? fromPasskeyFlowItem(result.Attributes) : undefined;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  createPasskey(passkey: Passkey): Promise<boolean> {
    // One credential id, one item, one person: a second registration of it (by anybody) is refused.
    return conditionalWrite(() =>
      this.db.send(new PutCommand({ TableName: this.tableName, Item: toPasskeyItem(passkey), ConditionExpression: 'attribute_not_exists(pk)' })),
    );
  }

  async findPasskey(passkeyId: string): Promise<Passkey | undefined> {
    const item = await getItem(this.db, this.tableName, passkeyKey(passkeyId));
    return item ? fromPasskeyItem(item) : undefined;
  }

  async listPasskeysOf(owner: PasskeyOwner): Promise<Passkey[]> {
    return (await queryAllGsi1Items(this.db, this.tableName, passkeysOfOwnerPartition(owner))).map(fromPasskeyItem);
  }

  async renamePasskey(passkeyId: string, owner: PasskeyOwner, name: string): Promise<Passkey | undefined> {
    try {
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: passkeyKey(passkeyId),
          UpdateExpression: 'SET #name = :name',
          ConditionExpression: 'entity = :entity AND #owner = :owner',
          ExpressionAttributeNames: { '#name': 'name', '#owner': 'owner' },
          ExpressionAttributeValues: { ':name': name, ':owner': owner, ':entity': PASSKEY_ENTITY },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes ? fromPasskeyItem(result.Attributes) : undefined;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  deletePasskey(passkeyId: string, owner: PasskeyOwner): Promise<boolean> {
    return conditionalWrite(() =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: passkeyKey(passkeyId),
          ConditionExpression: 'entity = :entity AND #owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner, ':entity': PASSKEY_ENTITY },
        }),
      ),
    );
  }

  recordUse(passkeyId: string, previous: number, next: { counter: number; backedUp: boolean; at: string }): Promise<boolean> {
    // The counter read before verifying must still be there: of two sign-ins that raced with one
    // counter value (a cloned authenticator, a replayed signature), the second is refused.
    return conditionalWrite(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: passkeyKey(passkeyId),
          UpdateExpression: 'SET #counter = :next, backedUp = :backedUp, lastUsedAt = :at',
          ConditionExpression: 'entity = :entity AND #counter = :previous',
          ExpressionAttributeNames: { '#counter': 'counter' },
          ExpressionAttributeValues: { ':next': next.counter, ':previous': previous, ':backedUp': next.backedUp, ':at': next.at, ':entity': PASSKEY_ENTITY },
        }),
      ),
    );
  }
}
