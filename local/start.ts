/**
 * `npm start`: DynamoDB Local + the table + a demo operator + the whole API on 127.0.0.1:3000.
 * `npm start -- --persist` keeps the data in `.data/` between runs. PORT overrides the port; API_BASE
 * the base of the organizations' token issuers (the server's own URL by default: set it to the public
 * URL of a tunnel or proxy in front).
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createTable, LOCAL_CREDENTIALS, LOCAL_REGION, localDynamoDbClient, startDynamoDbLocal } from './dynamodb-local.ts';
import { localEnvironment } from './environment.ts';
import { provisionLocalKeyrings } from './keyrings.ts';

const DATA_DIRECTORY = resolve(import.meta.dirname, '..', '.data');
const TABLE_NAME = 'portcullis-local';

const { values } = parseArgs({ options: { persist: { type: 'boolean', default: false } } });
const port = Number(process.env.PORT ?? 3000);

const dynamodb = await startDynamoDbLocal(values.persist ? { dbPath: join(DATA_DIRECTORY, 'dynamodb') } : {});
const admin = localDynamoDbClient(dynamodb.endpoint);
await createTable(admin, TABLE_NAME);
admin.destroy();
const keyFile = join(DATA_DIRECTORY, 'local-master.key');
// The deployment's key function creates the keys; locally it is this start-up (the handlers only read them).
await provisionLocalKeyrings({ endpoint: dynamodb.endpoint, tableName: TABLE_NAME, keyFile });

// The handler modules read their config from the environment on first use, exactly as in Lambda.
Object.assign(
  process.env,
  localEnvironment({ tableName: TABLE_NAME, dynamodbEndpoint: dynamodb.endpoint, keyFile }),
  { AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey, AWS_REGION: LOCAL_REGION },
);

// Imported after the environment is set: these modules build their config on first use.
const { localOutbox } = await import('#shared/compose/sign-in.ts');
const { localEmailOutbox } = await import('#shared/compose/shared.ts');
const { config } = await import('#shared/config.ts');
const { DEMO_OWNER, DEMO_SIGN_IN, seedDemoTenant } = await import('./seed.ts');
const { startLocalServer } = await import('./server.ts');
const { CONSOLE_DIST, ensureConsoleBuilt } = await import('./console.ts');

localOutbox().print = (line) => {
  console.log(line);
};
localEmailOutbox().print = (line) => {
  console.log(line);
};

// Listening first: the server's URL (PORT=0 picks a free port) is the base of the organizations'
// issuers, and the seed below is the first to read the config.
// The console (SPEC §10) is built when missing or older than its sources, then served at `/`.
if (await ensureConsoleBuilt()) console.log('Built the console (console/dist).');
const server = await startLocalServer({ port, consoleDirectory: CONSOLE_DIST });
const consoleUrl = config().consoleUrl;
const demo = await seedDemoTenant();
console.log(`
Portcullis local API on ${server.url}  (DynamoDB Local at ${dynamodb.endpoint}${values.persist ? ', data in .data/' : ', in memory'})

Console: ${consoleUrl}/  (open it at localhost: browsers refuse passkeys on an IP address)

Demo owner login
  email:    ${DEMO_OWNER.email}
  password: ${DEMO_OWNER.password}
${
  demo.created
    ? `  account:  ${demo.accountId}

Demo organization and API key (authenticate + manage; the secret is shown this once)
  organization: ${demo.organizationId}  (tokens: iss ${config().apiBase}/v2/organizations/${demo.organizationId})
  apikey:       ${demo.apiKey}
  system:       ${DEMO_SIGN_IN.system}, end user ${DEMO_SIGN_IN.user.email} (${DEMO_SIGN_IN.user.phone})

Sign Jane in with a PIN (it arrives in the outbox below):
  curl -s -X POST ${server.url}/v2/user/authenticate -H 'apikey: ${demo.apiKey}' -H 'content-type: application/json' \\
    -d '{"email":"${DEMO_SIGN_IN.user.email}","system":"${DEMO_SIGN_IN.system}"}'
  curl -s -X POST ${server.url}/v2/system/authenticate/user -H 'apikey: ${demo.apiKey}' -H 'content-type: application/json' \\
    -d '{"email":"${DEMO_SIGN_IN.user.email}","system":"${DEMO_SIGN_IN.system}","pin":"<the PIN>"}'`
    : '  (existing demo tenant from .data/: its API key was shown on the first run; create another with POST /v2/accounts/{accountId}/keys)'
}

Try:
  curl -s -X POST ${server.url}/v2/auth/login -H 'content-type: application/json' \\
    -d '{"email":"${DEMO_OWNER.email}","password":"${DEMO_OWNER.password}"}'
SMS and e-mails sent by the API appear below and at ${server.url}/_local/sms and ${server.url}/_local/email
`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.close();
  await dynamodb.stop();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
