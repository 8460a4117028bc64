/**
 * `npm run create-owner -- --email ada@example.com --account-name "Example MSP"`: the first owner of
 * a deployment whose sign-up is `closed` (SPEC §4). Creates the account and an owner invitation for
 * the address and e-mails it, through the same services and mailer as the API; the person accepts
 * it in the console (`{consoleUrl}/accept?token=…`), setting their password. Run it once; run it
 * again only for another account. docs/operations.md "The first owner" says how.
 *
 * Configuration comes from the environment, as a function's does (shared/config.ts): for a deployed
 * stage, that stage's function environment and AWS credentials; `--local` fills in what `npm start`
 * uses (table `portcullis-local`, the outbox, which prints the e-mail here) and needs only
 * `DYNAMODB_ENDPOINT`, the DynamoDB Local address `npm start` prints.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#local/dynamodb-local.ts';
import { localEnvironment } from '#local/environment.ts';
import { ENV } from '#shared/config.ts';
import { Email } from '#shared/schemas/common.ts';
import { SignupBody } from '#shared/schemas/sessions.ts';
import * as z from '#shared/schemas/zod.ts';

const USAGE = 'usage: npm run create-owner -- --email <address> --account-name <name> [--local]';

const { values } = parseArgs({
  options: { email: { type: 'string' }, 'account-name': { type: 'string' }, local: { type: 'boolean', default: false } },
  strict: true,
});

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

// The same rules as the API's: an address, and an account name as signup takes it.
const email = z.safeParse(Email, values.email ?? '');
if (!email.success) fail('--email must be an e-mail address');
const accountName = z.safeParse(SignupBody.shape.accountName, values['account-name'] ?? '');
if (!accountName.success) fail('--account-name must be 1 to 100 characters');

if (values.local) {
  const dynamodbEndpoint = process.env[ENV.dynamodbEndpoint];
  if (!dynamodbEndpoint) fail(`--local needs ${ENV.dynamodbEndpoint}: the DynamoDB Local address \`npm start\` prints`);
  Object.assign(
    process.env,
    localEnvironment({
      tableName: process.env[ENV.tableName] ?? 'portcullis-local',
      dynamodbEndpoint,
      keyFile: join(resolve(import.meta.dirname, '..', '.data'), 'local-master.key'),
    }),
    { AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey, AWS_REGION: LOCAL_REGION },
  );
}

// Imported after the environment is set: these modules read their config on first use.
const { config } = await import('#shared/config.ts');
const { localEmailOutbox } = await import('#shared/compose/shared.ts');
const { firstOwner } = await import('#shared/compose/tenancy.ts');

// Nothing leaves the machine locally: the e-mail (with its link) is printed for the operator to follow.
if (config().email.provider === 'outbox') {
  localEmailOutbox().print = (line) => {
    console.log(line);
  };
}

const created = await firstOwner().create({ email: email.data, accountName: accountName.data });
console.log(
  `Created the account "${accountName.data}" (${created.accountId}) and e-mailed ${created.email} an owner invitation (${created.invitationId}), valid until ${created.expiresAt}.`,
);
