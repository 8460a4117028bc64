import { ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { UnavailableError } from '../domain/errors.ts';

/** One document client per process, reused across warm invocations. */
export function createDocumentClient(options: { region: string; endpoint: string | undefined }): DynamoDBDocumentClient {
  const client = new DynamoDBClient({ region: options.region, ...(options.endpoint ? { endpoint: options.endpoint } : {}) });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException;
}

/**
 * Runs a transaction and answers which of its items failed their condition (empty when it committed).
 * DynamoDB cancels a transaction that races another one on the same item (`TransactionConflict`)
 * without evaluating our conditions, so those are retried a few times before giving up with a 503.
 * This is the one place where a cancelled transaction becomes a domain answer.
 */
export async function transactWrite(documentClient: DynamoDBDocumentClient, input: TransactWriteCommandInput): Promise<number[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      await documentClient.send(new TransactWriteCommand(input));
      return [];
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const failed = reasons.flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : []));
      if (failed.length > 0) return failed;
      const conflict = reasons.some((reason) => reason.Code === 'TransactionConflict');
      if (!conflict || attempt >= 4) throw conflict ? new UnavailableError(1) : error;
      await new Promise((done) => setTimeout(done, 10 * 2 ** attempt + Math.random() * 20));
    }
  }
}
