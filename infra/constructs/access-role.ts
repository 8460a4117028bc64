import { Stack, Validations } from 'aws-cdk-lib';
import { Effect, Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '#shared/config.ts';
import { emailSuppressionKey, keyringKey } from '#shared/data/keys.ts';
import { DATA_KEY_PURPOSES, TOKEN_SIGNING_PURPOSE } from '#shared/domain/platform/keyring.ts';
import type { RouteAccess } from '#shared/http/manifest.ts';
import type { DataTable } from './data-table.ts';
import type { EmailSending } from './email-delivery.ts';

// No Scan (the spec forbids it on request paths) and no stream reads (the table has no stream).
// Transactions need no actions of their own: IAM checks the per-item action of each element.
const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];
const TABLE_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

/**
 * The partition keys of the keyrings (`KEYRING#<purpose>`, shared/data/keys.ts) as an IAM pattern.
 * Only the key function may write items under them; every other function is denied it.
 */
export const KEYRING_LEADING_KEYS = `${keyringKey('').pk}*`;

/**
 * The partition keys of the e-mail suppressions (`EMAILSUPPRESSION#<address>`) as an IAM pattern: the
 * only items the e-mail feedback function may write.
 */
export const EMAIL_SUPPRESSION_LEADING_KEYS = `${emailSuppressionKey('').pk}*`;

// Envelope encryption only: the key function creates data keys (kms:GenerateDataKey), the others
// unwrap them (kms:Decrypt). Never kms:Encrypt, kms:Sign or key administration.
const KEY_ACTIONS = { create: 'kms:GenerateDataKey', unwrap: 'kms:Decrypt' } as const;

/** The KMS encryption context key that names what a data key is for (shared/adapters/kms-master-key.ts). */
export const PURPOSE_CONTEXT_KEY = 'kms:EncryptionContext:purpose';

/** How a function sends SMS through SNS. */
export interface SmsConfig {
  /** Alphanumeric sender id, where the destination country supports one. @default - none */
  readonly senderId?: string;
  /** Registered origination number (toll-free, 10DLC, short code), E.164. @default - SNS chooses */
  readonly originationNumber?: string;
}

export interface AccessRoleProps {
  /** What the functions that run as this role may touch (a manifest entry's `access`). */
  readonly access: RouteAccess;
  readonly data: DataTable;
  readonly keys: { readonly signingKey: IKey; readonly dataKey: IKey };
  /** The log group the functions write to. */
  readonly logGroup: ILogGroup;
  /** How SMS are sent, for an access with `sms`. @default - SNS picks the sender */
  readonly sms?: SmsConfig;
  /**
   * How e-mail is sent, for an access with `email`: the checked settings and the name of the
   * deployment's configuration set. Required when the access has `email`.
   */
  readonly email?: { readonly sending: EmailSending; readonly configurationSetName: string };
}

/** The fields of `RouteAccess` this construct grants; an access with another one is refused. */
const ACCESS_FIELDS = new Set(['table', 'sms', 'email', 'signingKey', 'encryptionKey', 'writesKeyrings', 'writesEmailSuppressions']);

/**
 * An access with defaults filled in and purposes sorted: two accesses that grant the same are
 * equal here, and nothing else is (every field is kept).
 */
export function accessProfile(access: RouteAccess): Required<Omit<RouteAccess, 'table'>> & Pick<RouteAccess, 'table'> {
  const unknown = Object.keys(access).filter((field) => !ACCESS_FIELDS.has(field));
  // A new kind of access must decide its grant (and its part of the profile) here first.
  if (unknown.length > 0) throw new Error(`Access ${JSON.stringify(access)} has fields the roles do not grant: ${unknown.join(', ')}`);
  if (access.encryptionKey?.length === 0) throw new Error('encryptionKey needs at least one purpose');
  return {
    table: access.table,
    sms: access.sms === true,
    email: access.email === true,
    signingKey: access.signingKey === true,
    encryptionKey: [...new Set(access.encryptionKey ?? [])].sort(),
    writesKeyrings: access.writesKeyrings === true,
    writesEmailSuppressions: access.writesEmailSuppressions === true,
  };
}

const pascal = (text: string) => text.replace(/(^|-)([a-z])/g, (_, _dash: string, letter: string) => letter.toUpperCase());

/**
 * A construct id that names an access profile (`TableWriteSigningKeyRole`, `NoDataRole`). Distinct
 * profiles get distinct ids: the id lists every field of `accessProfile`.
 */
export function accessRoleId(access: RouteAccess): string {
  const profile = accessProfile(access);
  const parts = [
    profile.writesKeyrings ? 'Keyrings' : '',
    profile.writesEmailSuppressions ? 'EmailSuppressions' : '',
    profile.table ? `Table${pascal(profile.table)}` : '',
    profile.signingKey ? 'SigningKey' : '',
    profile.encryptionKey.length > 0 ? `DataKey${profile.encryptionKey.map(pascal).join('')}` : '',
    profile.sms ? 'Sms' : '',
    profile.email ? 'Email' : '',
  ].join('');
  return `${parts || 'NoData'}Role`;
}

/**
 * The execution role of the functions with one access profile, granted exactly what that access
 * allows, and the environment variables that go with those grants (`environment`), so that
 * configuration and IAM never disagree. Not the default role with AWSLambdaBasicExecutionRole: that
 * managed policy may write to every log group in the account, this one only to the functions' group.
 *
 * Functions whose accesses are equal (`accessProfile`) may share one: they would otherwise hold
 * identical policies, so sharing grants none of them anything more.
 */
export class AccessRole extends Construct {
  /** The role ("Default" child: the logical ids are the ones a role straight under `scope` would get). */
  readonly role: Role;
  /** What the functions running as this role must be told: table name, key ids, SMS settings. */
  readonly environment: Readonly<Record<string, string>>;
  /** The log group the functions write to, the only one they may. */
  readonly logGroup: ILogGroup;
  private readonly variables: Record<string, string> = {};

  constructor(scope: Construct, id: string, props: AccessRoleProps) {
    super(scope, id);
    const { table, signingKey, encryptionKey, sms, email, writesKeyrings, writesEmailSuppressions } = accessProfile(props.access);
    this.environment = this.variables;
    this.logGroup = props.logGroup;
    this.role = new Role(this, 'Default', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    props.logGroup.grantWrite(this.role);
    if (writesKeyrings) {
      // The key function writes keyrings and nothing else: any other binding would widen the one role
      // that may plant a signing key.
      if (table || signingKey || encryptionKey.length > 0 || sms || email || writesEmailSuppressions) throw new Error(`${id}: writesKeyrings excludes every other access`);
      this.grantKeyrings(props.data, props.keys);
    }
    if (writesEmailSuppressions) {
      // The feedback function is invoked by a topic SES publishes to: what reaches it is outside data,
      // so its role records suppressions and nothing else.
      if (table || signingKey || encryptionKey.length > 0 || sms || email) throw new Error(`${id}: writesEmailSuppressions excludes every other access`);
      this.grantEmailSuppressions(props.data);
    }
    if (table) this.grantTable(props.data, table);
    if (signingKey) this.grantKey(props.keys.signingKey, ENV.signingKmsKeyId, [TOKEN_SIGNING_PURPOSE], 'unwrap');
    if (encryptionKey.length > 0) this.grantKey(props.keys.dataKey, ENV.dataKmsKeyId, encryptionKey, 'unwrap');
    if (sms) this.grantSms(props.sms ?? {});
    if (email) {
      if (!props.email) throw new Error(`${id}: an access with email needs the deployment's e-mail settings`);
      this.grantEmail(props.email.sending, props.email.configurationSetName);
    }

    // The default policy holds the log grant (one log group) and X-Ray's statement (active tracing,
    // added by each function), whose "*" this acknowledges; data permissions never use a wildcard.
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions.',
    });
  }

  /**
   * `TABLE_NAME`, item reads (and writes for `write`) on the table and its indexes, except writes to
   * keyrings: an explicit Deny, which no Allow added later can lift.
   */
  private grantTable(data: DataTable, mode: 'read' | 'write'): void {
    this.variables[ENV.tableName] = data.table.tableName;
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: TABLE_READ_ACTIONS, resources: [data.table.tableArn, ...data.indexArns] }));
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
  private grantKeyrings(data: DataTable, keys: AccessRoleProps['keys']): void {
    this.variables[ENV.tableName] = data.table.tableName;
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
    this.grantKey(keys.signingKey, ENV.signingKmsKeyId, [TOKEN_SIGNING_PURPOSE], 'create');
    this.grantKey(keys.dataKey, ENV.dataKmsKeyId, DATA_KEY_PURPOSES, 'create');
  }

  /**
   * The e-mail feedback function's grant: puts of `EMAILSUPPRESSION#` items, nothing else of the table
   * (no read, update or delete: a suppression is created once, and lifted by an operator).
   */
  private grantEmailSuppressions(data: DataTable): void {
    this.variables[ENV.tableName] = data.table.tableName;
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:PutItem'],
        resources: [data.table.tableArn],
        conditions: {
          // As for the keyrings: ForAllValues also holds without the key, which PutItem always carries.
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [EMAIL_SUPPRESSION_LEADING_KEYS] },
          Null: { 'dynamodb:LeadingKeys': 'false' },
        },
      }),
    );
  }

  /**
   * The SES settings and `ses:SendEmail` (SES v2, simple content: no `ses:SendRawEmail`), on exactly the
   * deployment's identity and configuration set (SES authorizes a send against both), and only with
   * the deployment's sender as From: a compromised function cannot send as another address of the
   * identity's domain.
   */
  private grantEmail(sending: EmailSending, configurationSetName: string): void {
    this.variables[ENV.emailProvider] = 'ses';
    this.variables[ENV.emailFrom] = sending.from;
    this.variables[ENV.emailConfigurationSet] = configurationSetName;
    if (sending.replyTo) this.variables[ENV.emailReplyTo] = sending.replyTo;
    const stack = Stack.of(this);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          stack.formatArn({ service: 'ses', resource: 'identity', resourceName: sending.identity }),
          stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: configurationSetName }),
        ],
        conditions: { StringEquals: { 'ses:FromAddress': sending.fromAddress } },
      }),
    );
  }

  /** The SNS SMS settings and `sns:Publish`. */
  private grantSms(config: SmsConfig): void {
    this.variables[ENV.smsProvider] = 'sns';
    if (config.senderId) this.variables[ENV.smsSenderId] = config.senderId;
    if (config.originationNumber) this.variables[ENV.smsOriginationNumber] = config.originationNumber;
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
  private grantKey(key: IKey, variable: string, purposes: readonly string[], use: keyof typeof KEY_ACTIONS): void {
    this.variables[variable] = key.keyArn;
    this.variables[ENV.keyProvider] = 'kms';
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [KEY_ACTIONS[use]],
        resources: [key.keyArn],
        conditions: { StringEquals: { [PURPOSE_CONTEXT_KEY]: [...purposes] } },
      }),
    );
  }
}
