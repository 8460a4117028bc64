import { join } from 'node:path';
import { inject } from 'vitest';
import { useTestEnvironment } from './environment.ts';

// The run's DynamoDB Local and key directory (test/support/global-setup.ts).
useTestEnvironment({
  tableName: inject('tableName'),
  dynamodbEndpoint: inject('dynamodbEndpoint'),
  keyFile: join(inject('keyDirectory'), 'local-master.key'),
});
