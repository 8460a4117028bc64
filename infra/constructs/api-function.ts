import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { Duration, RemovalPolicy, Stack, Tags, Validations } from 'aws-cdk-lib';
import { Effect, Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays, type ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '#shared/config.ts';
import { keyringKey } from '#shared/data/keys.ts';
import { DATA_KEY_PURPOSES, TOKEN_SIGNING_PURPOSE } from '#shared/domain/platform/keyring.ts';
import type { DataKeyPurpose } from '#shared/http/manifest.ts';
import { METRICS_NAMESPACE, METRICS_SERVICE } from '#shared/metrics-names.ts';
import { BUNDLING } from '../bundling.ts';
import type { DataTable } from './data-table.ts';

/** The repository root: where `package.json`, its lock file and the handler modules live. */
export const PROJECT_ROOT = join(import.meta.dirname, '..', '..');

/** Tag that marks a function as one of ours (a route or an authorizer), valued with its id. */
export const FUNCTION_TAG = 'portcullis:function';

// No Scan (the spec forbids it on request paths) and no stream reads (the table has no stream).
// Transactions need no actions of their own: IAM checks the per-item action of each element.
const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];
const TABLE_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

/**
 * The partition keys of the keyrings (`KEYRING#<purpose>`, shared/data/keys.ts) as an IAM pattern.
 * Only the key function may write items under them; every other function is denied it.
 */
export const KEYRING_LEADING_KEYS = `${keyringKey('').pk}*`;

// Envelope encryption only: the key function creates data keys (kms:GenerateDataKey), the others
// unwrap them (kms:Decrypt). Never kms:Encrypt, kms:Sign or key administration.
const KEY_ACTIONS = { create: 'kms:GenerateDataKey', unwrap: 'kms:Decrypt' } as const;

/** The KMS encryption context key that names what a data key is for (shared/adapters/kms-master-key.ts). */
export const PURPOSE_CONTEXT_KEY = 'kms:EncryptionContext:purpose';

export interface ApiFunctionProps {
  /** Absolute path of the handler module; it exports `handler`. */
  readonly entry: string;
  /** Deployment stage, passed to the function as `STAGE`. */
  readonly stage: string;
  /** @default - none */
  readonly description?: string;
  /** @default 256 */
  readonly memoryMb?: number;
  /**
   * Extra environment variables. Anything that comes with a permission is set by a `bind*` method
   * instead, never here.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * A log group to share with other functions (Lambda's advanced logging: each function's streams are
   * named after it). One per function costs a CloudFormation resource each, and a stack holds 500.
   * @default - a log group of the function's own, with `logRetention` and `logRemovalPolicy`
   */
  readonly logGroup?: ILogGroup;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** What happens to the function's log group when the function is removed. @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Files of node_modules (module specifiers, e.g. `swagger-ui-dist/swagger-ui.css`) the handler reads
   * at run time: each is copied next to the bundle's index.mjs under its own file name.
   * @default - none
   */
  readonly bundleFiles?: readonly string[];
}

/** How a function sends SMS through SNS. */
export interface SmsConfig {
  /** Alphanumeric sender id, where the destination country supports one. @default - none */
  readonly senderId?: string;
  /** Registered origination number (toll-free, 10DLC, short code), E.164. @default - SNS chooses */
  readonly originationNumber?: string;
}

/**
 * One Lambda function of the API: Node.js 22 on arm64, ESM bundle with source maps, X-Ray tracing,
 * its own log group and role. It starts with no data permissions; each `bind*` method adds one
 * environment variable set and the matching grant together, so configuration and IAM never disagree.
 */
export class ApiFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: ILogGroup;

  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    super(scope, id);

    // A role of our own instead of the default one with AWSLambdaBasicExecutionRole: that managed
    // policy may write to every log group in the account, this one only to the function's log group.
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup =
      props.logGroup ??
      new LogGroup(this, 'Logs', {
        retention: props.logRetention ?? RetentionDays.ONE_MONTH,
        removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
      });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: bundleableEntry(this, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memoryMb ?? 256,
      // API Gateway gives up after 30 s; a cold start with a KMS unwrap stays well under 10.
      timeout: Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      description: props.description,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        [ENV.stage]: props.stage,
        // Powertools' logger and metrics read these: the `service` key of every log line and metric
        // dimension, and the namespace the alarms watch (shared/metrics-names.ts).
        POWERTOOLS_SERVICE_NAME: METRICS_SERVICE,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        ...props.environment,
      },
      bundling: {
        // The options live in infra/bundling.ts, where the benchmark reads them too.
        ...BUNDLING,
        format: OutputFormat.ESM,
        mainFields: [...BUNDLING.mainFields],
        externalModules: [...BUNDLING.externalModules],
        ...(props.bundleFiles?.length ? { commandHooks: copyAfterBundling(props.bundleFiles) } : {}),
      },
    });
    Tags.of(this).add(FUNCTION_TAG, id);

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'The spec fixes Node.js 22 (LTS) so that Lambda runs the same major version as npm start and the tests.',
    });
    // The role's default policy holds the log grant (one log group) and X-Ray's statement, whose "*"
    // this acknowledges; data permissions never use a wildcard.
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions.',
    });
  }

  /**
   * Sets `TABLE_NAME` and grants item reads (and writes for `write`) on the table and its indexes,
   * except writes to keyrings: an explicit Deny, which no Allow added later can lift.
   */
  bindTable(data: DataTable, mode: 'read' | 'write'): void {
    this.function.addEnvironment(ENV.tableName, data.table.tableName);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: TABLE_READ_ACTIONS, resources: [data.table.tableArn, ...data.indexArns] }),
    );
    // Indexes are read-only in DynamoDB, so writes name the table alone.
    if (mode === 'write') {
      this.role.addToPrincipalPolicy(new PolicyStatement({ actions: TABLE_WRITE_ACTIONS, resources: [data.table.tableArn] }));
    }
    // A compromised function must not plant a verification key or replace a data key. IAM checks each
    // element of a transaction as its own PutItem/UpdateItem/DeleteItem, with that item's partition
    // key; a BatchWriteItem carries every partition key it touches in dynamodb:LeadingKeys, hence
    // ForAnyValue: one keyring among them denies the whole request.
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.DENY,
        actions: TABLE_WRITE_ACTIONS,
        resources: [data.table.tableArn],
        conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [KEYRING_LEADING_KEYS] } },
      }),
    );
  }

  /**
   * The key function's grants: reads and creates of keyring items and nothing else of the table, and
   * the creation of data keys under both KMS keys, each for its own purposes. No kms:Decrypt: creating
   * a keyring never unwraps one.
   */
  bindKeyrings(data: DataTable, keys: { signingKey: IKey; dataKey: IKey }): void {
    this.function.addEnvironment(ENV.tableName, data.table.tableName);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        resources: [data.table.tableArn],
        conditions: {
          // ForAllValues alone also holds when the key is absent; these actions always carry it, and
          // the Null check says so.
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [KEYRING_LEADING_KEYS] },
          Null: { 'dynamodb:LeadingKeys': 'false' },
        },
      }),
    );
    this.bindKey(keys.signingKey, ENV.signingKmsKeyId, [TOKEN_SIGNING_PURPOSE], 'create');
    this.bindKey(keys.dataKey, ENV.dataKmsKeyId, DATA_KEY_PURPOSES, 'create');
  }

  /** Sets `SIGNING_KMS_KEY_ID` and lets the function unwrap token-signing keys under `key` (never create them). */
  bindSigningKey(key: IKey): void {
    this.bindKey(key, ENV.signingKmsKeyId, [TOKEN_SIGNING_PURPOSE], 'unwrap');
  }

  /**
   * Sets `DATA_KMS_KEY_ID` and lets the function unwrap the data keys of `purposes` under `key`, and
   * no other: the grant is conditioned on the encryption context the adapter sends (`purpose`).
   */
  bindDataKey(key: IKey, purposes: readonly DataKeyPurpose[]): void {
    if (purposes.length === 0) throw new Error('bindDataKey needs at least one purpose');
    this.bindKey(key, ENV.dataKmsKeyId, purposes, 'unwrap');
  }

  /** Sets the SNS SMS settings and grants `sns:Publish`. */
  bindSms(config: SmsConfig): void {
    this.function.addEnvironment(ENV.smsProvider, 'sns');
    if (config.senderId) this.function.addEnvironment(ENV.smsSenderId, config.senderId);
    if (config.originationNumber) this.function.addEnvironment(ENV.smsOriginationNumber, config.originationNumber);
    // A policy of its own so that the wildcard below, and its suppression, cover this statement only.
    const policy = new Policy(this, 'SmsPolicy', {
      roles: [this.role],
      // Publishing straight to a phone number has no resource ARN to name: IAM authorizes it
      // against "*" only. The functions hold no topic ARNs, and none is created in this stack.
      statements: [new PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] })],
    });
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'SNS SMS to a phone number (Publish with PhoneNumber) can only be authorized on Resource "*"; there is no topic.',
    });
  }

  /**
   * One KMS action on `key`, only for requests whose encryption context names one of `purposes`: KMS
   * binds a wrapped key to the context it was created with, so a function granted `totp-secrets`
   * cannot unwrap the `pin-hmac` key even though both live under the same KMS key.
   */
  private bindKey(key: IKey, variable: string, purposes: readonly string[], use: keyof typeof KEY_ACTIONS): void {
    this.function.addEnvironment(variable, key.keyArn);
    this.function.addEnvironment(ENV.keyProvider, 'kms');
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [KEY_ACTIONS[use]],
        resources: [key.keyArn],
        conditions: { StringEquals: { [PURPOSE_CONTEXT_KEY]: [...purposes] } },
      }),
    );
  }
}

/**
 * Bundling hooks that copy files of node_modules next to index.mjs. The paths are taken from the
 * bundler's `inputDir` (the project root, or its mount when bundling runs in Docker); a missing file
 * fails the synth rather than the first request.
 */
function copyAfterBundling(modules: readonly string[]): ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir, outputDir) =>
      modules.map((module) => {
        if (!existsSync(join(PROJECT_ROOT, 'node_modules', module))) throw new Error(`bundleFiles: node_modules/${module} does not exist (npm install?)`);
        return `cp "${posix.join(inputDir, 'node_modules', module)}" "${posix.join(outputDir, posix.basename(module))}"`;
      }),
  };
}

/**
 * The entry to hand to NodejsFunction, which insists the file exists even when it will not bundle.
 * When this stack skips bundling (`cdk ls`, synth of another stack, the template tests) the entry is
 * only a name, so a handler not written yet stands in for this module; whenever bundling runs, a
 * missing handler still fails the synth.
 */
function bundleableEntry(scope: Construct, entry: string): string {
  return Stack.of(scope).bundlingRequired || existsSync(entry) ? entry : import.meta.filename;
}
