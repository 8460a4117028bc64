import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KeyringRepository } from '#shared/adapters/keyring-repository.ts';
import { LocalMasterKey } from '#shared/adapters/local-master-key.ts';
import { provisionKeyrings } from '#shared/domain/platform/keyring.ts';
import { localDynamoDbClient } from './dynamodb-local.ts';

/**
 * What the deployment's key function does once it is deployed: creates the signing key and the data
 * keys unless they exist. The handlers only read keyrings (a missing one is a 503), so `npm start` and
 * the test setup run this before the first request. Idempotent (`--persist` keeps the keys).
 */
export async function provisionLocalKeyrings(options: { endpoint: string; tableName: string; keyFile: string }): Promise<void> {
  const client = localDynamoDbClient(options.endpoint);
  try {
    const store = new KeyringRepository(DynamoDBDocumentClient.from(client), options.tableName);
    const masterKey = new LocalMasterKey(options.keyFile);
    await provisionKeyrings(store, { signing: () => masterKey, data: () => masterKey });
  } finally {
    client.destroy();
  }
}
