/**
 * The baseline function of the benchmark: what any Lambda on this table pays at least. It creates the
 * DynamoDB document client and answers each request with one GetItem, nothing else.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

const endpoint = process.env.DYNAMODB_ENDPOINT;
const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: process.env.AWS_REGION ?? 'us-east-1', ...(endpoint ? { endpoint } : {}) }));

export const handler = async (): Promise<{ statusCode: number; body: string }> => {
  const { Item } = await db.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { pk: 'BENCH#baseline', sk: 'BENCH#baseline' } }));
  return { statusCode: 200, body: JSON.stringify({ found: Item !== undefined }) };
};
