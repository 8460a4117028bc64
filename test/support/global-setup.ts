import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createTable, localDynamoDbClient, startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { provisionLocalKeyrings } from '#local/keyrings.ts';
import { RunOnce } from './run-once.ts';

export const TEST_TABLE = 'portcullis-test';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    tableName: string;
    keyDirectory: string;
  }
}

interface Emulator {
  endpoint: string;
  keyDirectory: string;
  stop: () => Promise<void>;
}

async function start(): Promise<Emulator> {
  const dynamodb = await startDynamoDbLocal();
  const client = localDynamoDbClient(dynamodb.endpoint);
  await createTable(client, TEST_TABLE);
  client.destroy();
  const keyDirectory = mkdtempSync(join(tmpdir(), 'portcullis-keys-'));
  // What the key function does at deployment: no handler creates a keyring (SPEC §6).
  await provisionLocalKeyrings({ endpoint: dynamodb.endpoint, tableName: TEST_TABLE, keyFile: join(keyDirectory, 'local-master.key') });
  return { endpoint: dynamodb.endpoint, keyDirectory, stop: () => dynamodb.stop() };
}

const emulator = new RunOnce<Emulator>('dynamodb-local', start, async ({ stop, keyDirectory }) => {
  await stop();
  rmSync(keyDirectory, { recursive: true, force: true });
});

/**
 * One DynamoDB Local for the run, shared by every project that lists this setup (integration, e2e,
 * fuzz): the table is created and the keyrings provisioned once, and the emulator stops when the last
 * of them tears down. The unit and infra projects never start it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { endpoint, keyDirectory } = await emulator.acquire();
  project.provide('dynamodbEndpoint', endpoint);
  project.provide('tableName', TEST_TABLE);
  project.provide('keyDirectory', keyDirectory);
  return () => emulator.release();
}
