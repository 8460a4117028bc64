import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AccessLogField, AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ENV } from '#shared/config.ts';
import { AUDIT_RETENTION_DAYS } from '#shared/domain/audit.ts';
import { authorizers, manifest, type RouteAccess, type RouteDefinition } from '#shared/http/manifest.ts';
import { ApiFunction, PROJECT_ROOT, type SmsConfig } from './constructs/api-function.ts';
import { DataTable } from './constructs/data-table.ts';
import { KeyMaterial } from './constructs/key-material.ts';

export interface PortcullisStackProps extends StackProps {
  /** Deployment stage. `prod` retains the table, keys and logs and keeps logs for a year. */
  readonly stage: string;
  /** `iss` of every token. @default `urn:portcullis:<stage>` */
  readonly issuer?: string;
  /** Sender settings for the functions that send SMS. @default - no sender id, SNS picks the number */
  readonly sms?: SmsConfig;
  /** Steady-state requests per second across the API (stage default route settings). @default 50 */
  readonly throttleRateLimit?: number;
  /** Burst of requests the API absorbs above the rate. @default 100 */
  readonly throttleBurstLimit?: number;
  /** Days an audit event is kept before DynamoDB's TTL removes it. @default 400 */
  readonly auditRetentionDays?: number;
  /** The routes to serve. @default the route manifest */
  readonly routes?: readonly RouteDefinition[];
}

type AuthorizerKind = keyof typeof authorizers;

/**
 * The request header each authorizer reads, which API Gateway also requires to be present (else a
 * 401 without calling the function) and caches on.
 */
const IDENTITY_SOURCES = {
  bearer: '$request.header.Authorization',
  apikey: '$request.header.apikey',
} as const satisfies Record<AuthorizerKind, string>;

/** What building one function needs from a route or an authorizer definition. */
interface FunctionDefinition {
  id: string;
  handler: string;
  access: RouteAccess;
  memoryMb?: number;
}

/**
 * The whole service: the table and keys (stateful, retained in prod), one function per manifest
 * entry plus the authorizers, and the HTTP API that routes to them.
 */
export class PortcullisStack extends Stack {
  readonly data: DataTable;
  readonly keys: KeyMaterial;
  readonly api: HttpApi;

  private readonly authorizers: Record<AuthorizerKind, HttpLambdaAuthorizer>;

  constructor(scope: Construct, id: string, private readonly props: PortcullisStackProps) {
    super(scope, id, props);
    const prod = props.stage === 'prod';
    const retention = props.auditRetentionDays;
    if (retention !== undefined && (!Number.isInteger(retention) || retention < 1)) {
      throw new Error(`auditRetentionDays must be a whole number of days ≥ 1, not ${String(retention)}`);
    }

    this.data = new DataTable(this, 'Data', { retain: prod });
    this.keys = new KeyMaterial(this, 'Keys', { retain: prod });

    const accessLogs = new LogGroup(this, 'AccessLogs', logSettings(prod));
    // The default stage is built by hand: HttpApi's own takes neither throttling nor access logs.
    this.api = new HttpApi(this, 'Api', { apiName: `portcullis-${props.stage}`, createDefaultStage: false });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttleRateLimit ?? 50, burstLimit: props.throttleBurstLimit ?? 100 },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: accessLogFormat() },
    });

    this.authorizers = { bearer: this.addAuthorizer('bearer'), apikey: this.addAuthorizer('apikey') };

    for (const route of props.routes ?? manifest) this.addRoute(route);

    new CfnOutput(this, 'ApiUrl', { value: stage.url, description: 'Base URL of the Portcullis API' });
  }

  private addRoute(route: RouteDefinition): void {
    const authorizer = this.authorizerFor(route);
    const httpRoute = new HttpRoute(this, `${route.id}Route`, {
      httpApi: this.api,
      routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
      integration: new HttpLambdaIntegration('Integration', this.addFunction(route).function),
      authorizer: authorizer ?? new HttpNoneAuthorizer(),
    });
    if (!authorizer) {
      Validations.of(httpRoute).acknowledge({ id: 'AwsSolutions-APIG4', reason: unauthorizedReason(route) });
    }
  }

  /**
   * A Lambda authorizer from the manifest. Simple responses, cached per credential: the manifest's
   * TTL bounds how long a revoked key or token keeps working. API Gateway creates it with the first
   * route that uses it; the function exists either way.
   */
  private addAuthorizer(kind: AuthorizerKind): HttpLambdaAuthorizer {
    const definition = authorizers[kind];
    return new HttpLambdaAuthorizer(definition.id, this.addFunction(definition).function, {
      authorizerName: kind,
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: [IDENTITY_SOURCES[kind]],
      resultsCacheTtl: Duration.seconds(definition.cacheTtlSeconds),
    });
  }

  /** The API Gateway authorizer in front of a route; `undefined` when the function authenticates the caller itself. */
  private authorizerFor(route: RouteDefinition): IHttpRouteAuthorizer | undefined {
    switch (route.auth) {
      case 'bearer':
      case 'apikey':
        return this.authorizers[route.auth];
      case 'public':
      case 'mfa':
      case 'bearer-or-apikey':
        return undefined;
      default: {
        // A new auth kind must decide here whether API Gateway or the function checks it.
        const unknown: never = route.auth;
        throw new Error(`Route ${route.id} has an auth kind the stack does not know: ${String(unknown)}`);
      }
    }
  }

  /** One function for a manifest entry, bound to exactly what the entry's `access` allows. */
  private addFunction(definition: FunctionDefinition): ApiFunction {
    const { stage, issuer, sms, auditRetentionDays = AUDIT_RETENTION_DAYS } = this.props;
    const logs = logSettings(stage === 'prod');
    const fn = new ApiFunction(this, definition.id, {
      entry: join(PROJECT_ROOT, definition.handler),
      stage,
      description: `Portcullis ${definition.id}`,
      memoryMb: definition.memoryMb,
      environment: { [ENV.tokenIssuer]: issuer ?? `urn:portcullis:${stage}`, [ENV.auditRetentionDays]: String(auditRetentionDays) },
      logRetention: logs.retention,
      logRemovalPolicy: logs.removalPolicy,
    });
    const { table, signingKey, encryptionKey, sms: sendsSms } = definition.access;
    if (table) fn.bindTable(this.data, table);
    if (signingKey) fn.bindSigningKey(this.keys.signingKey);
    if (encryptionKey) fn.bindDataKey(this.keys.dataKey);
    if (sendsSms) fn.bindSms(sms ?? {});
    return fn;
  }
}

/**
 * A month of logs is enough to debug a dev stage. Production keeps a year, and keeps the log groups
 * when the stack goes: they are the record to investigate an incident with.
 */
const logSettings = (prod: boolean): { retention: RetentionDays; removalPolicy: RemovalPolicy } =>
  prod
    ? { retention: RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN }
    : { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY };

/**
 * One JSON object per request. The route key, never the raw path: paths like
 * `/v2/mfa/enroll/{token}` carry secrets, and the spec keeps tokens out of every log. No headers
 * either, so the Authorization and apikey values are never written.
 */
function accessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: AccessLogField.contextRequestId(),
      requestTime: AccessLogField.contextRequestTime(),
      ip: AccessLogField.contextIdentitySourceIp(),
      routeKey: AccessLogField.contextRouteKey(),
      protocol: AccessLogField.contextProtocol(),
      status: AccessLogField.contextStatus(),
      responseLength: AccessLogField.contextResponseLength(),
      latency: AccessLogField.contextResponseLatency(),
      integrationLatency: AccessLogField.contextIntegrationLatency(),
      integrationError: AccessLogField.contextIntegrationErrorMessage(),
      authorizerError: AccessLogField.contextAuthorizerError(),
      error: AccessLogField.contextErrorMessage(),
    }),
  );
}

/** Why a route has no API Gateway authorizer, for its cdk-nag acknowledgment. */
function unauthorizedReason(route: RouteDefinition): string {
  const key = `${route.method} ${route.path}`;
  switch (route.auth) {
    case 'mfa':
      return `${key} takes the short-lived MFA token from login; the function verifies it.`;
    case 'bearer-or-apikey':
      return `${key} accepts a bearer token or an API key, and an HTTP API authorizer caches only on identity sources every request carries, so the function verifies whichever is present.`;
    default:
      return `${key} is public by design (spec section 4): it is how callers obtain credentials or public keys.`;
  }
}
