import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useTestEnvironment } from './environment.ts';

// The unit and infra projects start no DynamoDB Local: the same environment, pointing at an endpoint
// where nothing listens and a key file that does not exist, so a test that reaches for either fails
// at once (it belongs in test/integration) instead of finding a table by chance.
useTestEnvironment({
  tableName: 'portcullis-offline',
  dynamodbEndpoint: 'http://127.0.0.1:9',
  keyFile: join(tmpdir(), 'portcullis-offline', 'no-such-key'),
});
