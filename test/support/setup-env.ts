import { join } from 'node:path';
import { inject } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#local/dynamodb-local.ts';
import { localEnvironment } from '#local/environment.ts';
import { ENV } from '#shared/config.ts';

// Every worker configures the real modules the way `npm start` does: DynamoDB Local, the local key
// file, the SMS outbox. Set before any handler module reads its config.
Object.assign(
  process.env,
  localEnvironment({
    tableName: inject('tableName'),
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    keyFile: join(inject('keyDirectory'), 'local-master.key'),
    stage: 'test',
  }),
  // Refused requests log at INFO; keep the test output readable (the log-hygiene test turns it up).
  { POWERTOOLS_LOG_LEVEL: 'WARN', AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey, AWS_REGION: LOCAL_REGION },
);
// The organizations' issuer base is the URL of the file's local server (local/server.ts sets it once
// it listens), never one inherited from the shell or an earlier file.
Reflect.deleteProperty(process.env, ENV.apiBase);
