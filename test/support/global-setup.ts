import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createTable, localDynamoDbClient, startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { provisionLocalKeyrings } from '#local/keyrings.ts';

export const TEST_TABLE = 'portcullis-test';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    tableName: string;
    keyDirectory: string;
  }
}

/** Starts one DynamoDB Local for the run, creates the table, and stops the emulator afterwards. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dynamodb = await startDynamoDbLocal();
  const client = localDynamoDbClient(dynamodb.endpoint);
  await createTable(client, TEST_TABLE);
  client.destroy();
  const keyDirectory = mkdtempSync(join(tmpdir(), 'portcullis-keys-'));
  // What the key function does at deployment: no handler creates a keyring (SPEC §6).
  await provisionLocalKeyrings({ endpoint: dynamodb.endpoint, tableName: TEST_TABLE, keyFile: join(keyDirectory, 'local-master.key') });
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
  project.provide('tableName', TEST_TABLE);
  project.provide('keyDirectory', keyDirectory);
  return async () => {
    await dynamodb.stop();
    rmSync(keyDirectory, { recursive: true, force: true });
  };
}
