/**
 * What every area's composition builds on: config-chosen clients and master keys, business metrics,
 * built once per cold start and only when first needed (a function that never sends SMS never loads
 * the SNS client). One composition module per area (shared/compose/<area>.ts) builds that area's
 * services from these and from its adapters.
 */
import type { KMSClient } from '@aws-sdk/client-kms';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../adapters/dynamodb.ts';
import { KmsMasterKey } from '../adapters/kms-master-key.ts';
import { LocalMasterKey } from '../adapters/local-master-key.ts';
import { PowertoolsMetrics } from '../adapters/powertools-metrics.ts';
import { config } from '../config.ts';
import type { Metrics } from '../domain/kernel/metrics.ts';
import type { MasterKey } from '../domain/platform/keyring-store.ts';
import { atInvocationEnd } from '../http/invocation-end.ts';

/** A value built on first use and then kept for the life of the process (the Lambda container). */
export const once = <T>(build: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= build());
};

export const documentClient = /* @__PURE__ */ once<DynamoDBDocumentClient>(() =>
  createDocumentClient({ region: config().region, endpoint: config().dynamodbEndpoint }),
);

/**
 * The KMS and SNS clients, imported on first use: a function that never unwraps a key (a warm
 * container, or one whose route needs none) or never sends an SMS loads no KMS or SNS code at its cold start.
 */
export const kmsClient = /* @__PURE__ */ once(async (): Promise<KMSClient> => new (await import('@aws-sdk/client-kms')).KMSClient({ region: config().region }));
export const snsClient = /* @__PURE__ */ once(async (): Promise<SNSClient> => new (await import('@aws-sdk/client-sns')).SNSClient({ region: config().region }));
export const sesClient = /* @__PURE__ */ once(async (): Promise<SESv2Client> => new (await import('@aws-sdk/client-sesv2')).SESv2Client({ region: config().region }));

/** Master key of one purpose: the KMS key CDK bound to this function, or the local key file. */
export function masterKey(kmsKeyId: (keys: { signingKmsKeyId: string; dataKmsKeyId: string }) => string): MasterKey {
  const keys = config().keys;
  return keys.provider === 'local' ? new LocalMasterKey(keys.keyFile) : new KmsMasterKey(kmsClient, kmsKeyId(keys));
}

/**
 * Business metrics (sign-ins, SMS, lockouts) as CloudWatch EMF through Powertools; created by the
 * first domain service that counts, published at the end of each invocation (one EMF line).
 */
export const metrics = /* @__PURE__ */ once((): Metrics => {
  const adapter = new PowertoolsMetrics({ stage: config().stage });
  atInvocationEnd(() => {
    adapter.flush();
  });
  return adapter;
});

/** The table name every repository is built with. */
export const tableName = (): string => config().tableName;
