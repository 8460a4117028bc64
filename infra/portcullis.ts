import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
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
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Schedule } from 'aws-cdk-lib/aws-events';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ENV } from '#shared/config.ts';
import { TABLE_DEFINITION } from '#shared/data/table.ts';
import { AUDIT_RETENTION_DAYS } from '#shared/domain/kernel/audit-events.ts';
import { authorizers, emailFeedbackFunction, keyFunction, manifest, type RouteAccess, type RouteDefinition } from '#shared/http/manifest.ts';
import { areaConstructId, areaOf, type Area } from './areas.ts';
import { AccessRole, accessProfile, accessRoleId, type SmsConfig } from './constructs/access-role.ts';
import { AlarmTopic } from './constructs/alarm-topic.ts';
import { PortcullisAlarms, type PortcullisAlarmOptions, type PortcullisAlarmSet } from './constructs/alarms.ts';
import { ApiEdge, type ApiWafProps } from './constructs/api-edge.ts';
import { ApiFunction, PROJECT_ROOT } from './constructs/api-function.ts';
import { AreaStack } from './constructs/area-stack.ts';
import { ConsoleDistribution } from './constructs/console-distribution.ts';
import { DataTable } from './constructs/data-table.ts';
import { EmailDelivery, emailSending, type EmailConfig, type EmailSending } from './constructs/email-delivery.ts';
import { KeyMaterial } from './constructs/key-material.ts';
import { deploymentLimitsEnvironment, type DeploymentLimitProps } from './deployment-limits.ts';
import { deploymentSettingsEnvironment, type DeploymentSettingProps } from './deployment-settings.ts';
import { KeyRotation } from './constructs/key-rotation.ts';
import { applyRouteThrottles, DEFAULT_STAGE_THROTTLE, routeThrottles, type Throttle } from './throttles.ts';

/** What a stage name may be: it names the API, the stack of the repository's app and a metric dimension. */
export const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,19}$/;

/** Settings of a Portcullis deployment. `stage`, `smsAllowedCountries` and `email` are required. */
export interface PortcullisProps extends DeploymentLimitProps, DeploymentSettingProps {
  /**
   * Deployment stage: lower-case letters, digits and dashes, 20 at most. Passed to every function
   * (`STAGE`), used as the `stage` dimension of the custom metrics, and the default of the settings
   * below: `prod` retains the stateful resources and keeps logs a year.
   */
  readonly stage: string;
  /** `iss` of the operator tokens this deployment signs. @default `urn:portcullis:<stage>` */
  readonly issuer?: string;
  /**
   * The public https URL of the API, without a trailing slash (a custom domain). Organization `o`
   * issues its end-user tokens as `{apiBase}/v2/organizations/o`, with its keys under that URL.
   * @default the HTTP API's own URL, `https://<api id>.execute-api.<region>.<url suffix>`
   */
  readonly apiBase?: string;
  /**
   * How SMS are sent: an alphanumeric sender id (where the destination country supports one) and/or a
   * registered origination number (E.164). Given to the functions that send SMS only.
   * @default - no sender id; SNS picks the origination number
   */
  readonly sms?: SmsConfig;
  /**
   * How e-mail is sent (SES): the sender, the verified SES identity it belongs to, where replies go.
   * Required: signup verifies addresses by e-mail by default (`signupMode`), and invitations and
   * password resets are e-mailed, so a deployment without a sender could not work. Given to the
   * functions that send e-mail only, with `ses:SendEmail` on that identity and sender alone.
   */
  readonly email: EmailConfig;
  /** Retention of the functions' and the API access logs. @default RetentionDays.ONE_YEAR when stage is `prod`, else RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /**
   * What happens to the table, the KMS keys and the log groups when they leave the stack: `RETAIN`
   * (the table also gets deletion protection) or `DESTROY`. Deleting the keys makes every signing key
   * and TOTP secret unrecoverable.
   * @default RemovalPolicy.RETAIN when stage is `prod`, else RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Steady-state requests per second of every route without a throttle of its own in
   * `routeThrottles` (the stage's default route settings). @default 50
   */
  readonly throttleRateLimit?: number;
  /** Burst those routes absorb above the rate. @default 100 */
  readonly throttleBurstLimit?: number;
  /**
   * Throttles of single routes, keyed by route key (`POST /v2/auth/login`), merged over the defaults:
   * a route listed here has its own token bucket, so a flood on another route cannot use it up. A key
   * that names no route of the API fails the synth.
   * @default DEFAULT_ROUTE_THROTTLES - end-user sign-in (`POST /v2/user/authenticate`,
   * `POST /v2/system/authenticate/user`) 500/s burst 1,000 each; login and `POST /v2/auth/mfa` 50/100;
   * refresh 100/200; the JWKS 50/100; signup 5/10
   */
  readonly routeThrottles?: Readonly<Record<string, Throttle>>;
  /**
   * Put an AWS WAF web ACL with a rate-based rule per source IP in front of the API. WAF cannot be
   * associated with an HTTP API, so this adds a CloudFront distribution in front of it carrying the
   * web ACL (`edgeUrl`); clients must use that URL for the rule to apply.
   * @default - no WAF; the API's own throttles only
   */
  readonly waf?: ApiWafProps;
  /**
   * When the key function rotates the token-signing key (it also runs once at each deployment, to
   * create missing keys). @default Schedule.rate(Duration.days(30))
   */
  readonly keyRotationSchedule?: Schedule;
  /** Days an audit event is kept before DynamoDB's TTL removes it (whole days, ≥ 1). @default 400 */
  readonly auditRetentionDays?: number;
  /**
   * An existing topic for the alarms' ALARM and OK notifications. It must let CloudWatch publish
   * (topic policy, and key policy if encrypted). Exclusive with `createAlarmTopic`.
   * @default - none; see `createAlarmTopic`
   */
  readonly alarmTopic?: ITopic;
  /**
   * Create a KMS-encrypted, TLS-only topic for the alarms (subscribe to it after deploying).
   * @default false - without `alarmTopic` either, the alarms exist but notify nobody
   */
  readonly createAlarmTopic?: boolean;
  /** Alarm thresholds. @default - see PortcullisAlarmOptions */
  readonly alarms?: PortcullisAlarmOptions;
  /** Name of the HTTP API. @default `portcullis-<stage>` */
  readonly apiName?: string;
  /**
   * Serve the operator console (SPEC §10) from a CloudFront distribution: the built assets
   * (`console/dist`, or a placeholder page when there is no build) from a private S3 bucket, and
   * `/v2/*` to the API, one origin. The distribution's URL becomes the default `apiBase` (so the
   * issuers) and `consoleUrl` (so the e-mailed links); an `apiBase` or `consoleUrl` given keeps
   * priority. The execute-api URL stays reachable directly. `false` (context `console=false`)
   * deploys the API alone, with the execute-api URL as `apiBase`. @default true
   */
  readonly console?: boolean;
  /** The routes to serve. @default the route manifest (shared/http/manifest.ts) */
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
  bundleFiles?: readonly string[];
}

/**
 * The whole Portcullis service, to place in any stack: the table and KMS keys (stateful, retained
 * in prod), one function per manifest entry plus the authorizers, the HTTP API that routes to them,
 * and the CloudWatch alarms (optionally notifying an SNS topic).
 *
 * The routes are grouped by business area (infra/areas.ts) into one nested stack per area, holding
 * the area's functions, roles, Lambda permissions, integrations and routes (in one template, six
 * resources per route brought it near CloudFormation's 500-resource limit). Everything else,
 * the stateful resources first, is in the stack the construct is placed in, under the same ids as
 * before the split (a table or key whose logical id changes is replaced).
 *
 * A deployment made before the split cannot take it as a plain update: each route gets a new logical
 * id in its nested stack, CloudFormation creates it before deleting the old one, and API Gateway
 * refuses a second route with the same key (409), so the update rolls back. Such a deployment moves
 * its routes with CloudFormation stack refactoring, or deploys once with `routes: []` (every route
 * gone until the next deployment) and then as usual.
 *
 * @example
 * const auth = new Portcullis(stack, 'Auth', { stage: 'prod', createAlarmTopic: true });
 * new CfnOutput(stack, 'AuthUrl', { value: auth.apiUrl });
 */
export class Portcullis extends Construct {
  /** The HTTP API. */
  readonly api: HttpApi;
  /** The API's `$default` stage (throttling and access logs). */
  readonly apiStage: HttpStage;
  /** Base URL of the API (`https://<id>.execute-api.<region>.amazonaws.com/`). */
  readonly apiUrl: string;
  /** The base of the organizations' token issuers (`{apiBase}/v2/organizations/{orgId}`): `apiBase` or the API's URL. */
  readonly apiBase: string;
  /** The CloudFront distribution and web ACL in front of the API, when `waf` is set. */
  readonly edge: ApiEdge | undefined;
  /** The console's bucket and distribution (`/` the console, `/v2/*` the API); none with `console: false`. */
  readonly console: ConsoleDistribution | undefined;
  /** The single table and its index ARNs. */
  readonly data: DataTable;
  /** The table. */
  readonly table: TableV2;
  /** The two KMS keys of the envelope scheme (token signing, TOTP data key). */
  readonly keys: KeyMaterial;
  /** Every function by route or authorizer id (`logIn`, `bearerAuthorizer`, …). */
  readonly functions: ReadonlyMap<string, NodejsFunction>;
  /** The key function's schedule and its run at deployment. */
  readonly keyRotation: KeyRotation;
  /** The SES configuration set and its bounce and complaint feedback (topic, event destination, function). */
  readonly email: EmailDelivery;
  /** The alarms, by what they watch. */
  readonly alarms: PortcullisAlarmSet;
  /** The nested stack of each area that has routes. */
  readonly areas: ReadonlyMap<Area, AreaStack>;
  /** Where the alarms notify, when anywhere. */
  readonly alarmTopic: ITopic | undefined;

  private readonly props: PortcullisProps;
  private readonly removalPolicy: RemovalPolicy;
  private readonly logRetention: RetentionDays;
  /** The log group every function writes to. */
  readonly functionLogs: LogGroup;
  private readonly functionsById = new Map<string, NodejsFunction>();
  private readonly areaStacks = new Map<Area, AreaStack>();
  private readonly rolesByScope = new Map<Construct, Map<string, AccessRole>>();
  private readonly authorizers: Record<AuthorizerKind, HttpLambdaAuthorizer>;
  /** The deployment's limits (SMS countries and caps, organizations per account) as every function's environment. */
  private limitsEnvironment: Record<string, string>;
  /** The e-mail settings, checked. */
  private readonly emailSending: EmailSending;

  constructor(scope: Construct, id: string, props: PortcullisProps) {
    super(scope, id);
    this.props = props;
    validate(props);
    this.emailSending = emailSending(props.email);
    this.limitsEnvironment = deploymentLimitsEnvironment(props);
    const prod = props.stage === 'prod';
    this.removalPolicy = props.removalPolicy ?? (prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);
    // A month of logs is enough to debug a dev stage; production keeps a year, and keeps the log
    // groups when the stack goes: they are the record to investigate an incident with.
    this.logRetention = props.logRetention ?? (prod ? RetentionDays.ONE_YEAR : RetentionDays.ONE_MONTH);
    const retain = this.removalPolicy === RemovalPolicy.RETAIN;

    this.data = new DataTable(this, 'Data', { retain });
    this.table = this.data.table;
    this.keys = new KeyMaterial(this, 'Keys', { retain });

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: this.logRetention, removalPolicy: this.removalPolicy });
    // One log group for every function (each function's streams carry its name; Powertools lines carry
    // `function_name`): a group per function was 67 of the stack's 500 resources.
    this.functionLogs = new LogGroup(this, 'FunctionLogs', { retention: this.logRetention, removalPolicy: this.removalPolicy });
    // The default stage is built by hand: HttpApi's own takes neither throttling nor access logs.
    this.api = new HttpApi(this, 'Api', { apiName: props.apiName ?? `portcullis-${props.stage}`, createDefaultStage: false });
    this.apiStage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: {
        rateLimit: props.throttleRateLimit ?? DEFAULT_STAGE_THROTTLE.rateLimit,
        burstLimit: props.throttleBurstLimit ?? DEFAULT_STAGE_THROTTLE.burstLimit,
      },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: accessLogFormat() },
    });
    this.apiUrl = this.apiStage.url;
    // Built from the API's id, not from the stage or a route: every function gets it, and routes and
    // integrations depend on the functions, so referring to them here would be a dependency cycle.
    const { region, urlSuffix } = Stack.of(this);
    // The console's distribution refers to the API resource only (its endpoint), never to a stage,
    // route or function: the functions may then read the distribution's domain in their environment,
    // a plain CloudFormation reference (API → distribution → functions → routes), no cycle
    // (docs/decisions.md, "The console's URL in the functions' environment").
    this.console = (props.console ?? true) ? new ConsoleDistribution(this, 'Console', { api: this.api, removalPolicy: this.removalPolicy, projectRoot: PROJECT_ROOT }) : undefined;
    this.apiBase = props.apiBase ?? this.console?.url ?? `https://${this.api.apiId}.execute-api.${region}.${urlSuffix}`;
    this.edge = props.waf ? new ApiEdge(this, 'Edge', { ...props.waf, api: this.api }) : undefined;
    // The signup mode, session lifetimes and console URL join the limits: every function reading the config gets them.
    this.limitsEnvironment = { ...this.limitsEnvironment, ...deploymentSettingsEnvironment(props, this.console?.url ?? this.apiBase) };
    // Before the functions: the roles that send e-mail name its configuration set.
    this.email = new EmailDelivery(this, 'Email', { removalPolicy: this.removalPolicy });

    this.authorizers = { bearer: this.addAuthorizer('bearer'), apikey: this.addAuthorizer('apikey') };
    const routes = props.routes ?? manifest;
    const httpRoutes = routes.map((route) => this.addRoute(route));
    applyRouteThrottles(this.apiStage, routeThrottles(routes.map(routeKeyOf), props.routeThrottles), httpRoutes);
    this.keyRotation = new KeyRotation(this, 'KeyRotation', { keyFunction: this.addFunction(keyFunction), schedule: props.keyRotationSchedule });
    // Next to the topic it reads, in this stack, as the key function is next to the keys.
    this.email.deliverFeedbackTo(this.addFunction(emailFeedbackFunction));
    this.functions = this.functionsById;
    this.areas = this.areaStacks;

    this.alarmTopic = props.createAlarmTopic
      ? new AlarmTopic(this, 'AlarmTopic', { removalPolicy: this.removalPolicy }).topic
      : props.alarmTopic;
    this.alarms = new PortcullisAlarms(this, 'Alarms', {
      ...props.alarms,
      stage: props.stage,
      api: this.api,
      functions: this.functionsById,
      table: this.table,
      indexNames: TABLE_DEFINITION.globalSecondaryIndexes.map((index) => index.indexName),
      topic: this.alarmTopic,
    }).alarms;

    new CfnOutput(this, 'ApiUrl', { value: this.apiUrl, description: 'Base URL of the Portcullis API' });
    if (this.console) new CfnOutput(this, 'ConsoleUrl', { value: this.console.url, description: 'The operator console, and the API under /v2/ (same origin)' });
    if (this.edge) new CfnOutput(this, 'EdgeUrl', { value: this.edge.url, description: 'Base URL of the Portcullis API behind AWS WAF (use this one)' });
  }

  /**
   * A route, its integration and its function, in the nested stack of the route's area. The route
   * refers to the API and the authorizer of this stack; API Gateway's permission to invoke the
   * function sits next to the function.
   */
  private addRoute(route: RouteDefinition): HttpRoute {
    const authorizer = this.authorizerFor(route);
    const scope = this.areaStack(areaOf(route));
    const httpRoute = new HttpRoute(scope, `${route.id}Route`, {
      httpApi: this.api,
      routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
      integration: new HttpLambdaIntegration('Integration', this.addFunction(route, scope)),
      authorizer: authorizer ?? new HttpNoneAuthorizer(),
    });
    if (!authorizer) {
      Validations.of(httpRoute).acknowledge({ id: 'AwsSolutions-APIG4', reason: unauthorizedReason(route) });
    }
    return httpRoute;
  }

  /**
   * A Lambda authorizer from the manifest. Simple responses, cached per credential: the manifest's
   * TTL bounds how long a revoked key or token keeps working. API Gateway creates it with the first
   * route that uses it; the function exists either way.
   */
  private addAuthorizer(kind: AuthorizerKind): HttpLambdaAuthorizer {
    const definition = authorizers[kind];
    return new HttpLambdaAuthorizer(definition.id, this.addFunction(definition), {
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
      case 'public-or-bearer':
        return undefined;
      default: {
        // A new auth kind must decide here whether API Gateway or the function checks it.
        const unknown: never = route.auth;
        throw new Error(`Route ${route.id} has an auth kind the construct does not know: ${String(unknown)}`);
      }
    }
  }

  /** The nested stack of an area, created with the area's first route. */
  private areaStack(area: Area): AreaStack {
    let stack = this.areaStacks.get(area);
    if (!stack) {
      stack = new AreaStack(this, area);
      this.areaStacks.set(area, stack);
    }
    return stack;
  }

  /**
   * One function for a manifest entry, bound to exactly what the entry's `access` allows, in `scope`:
   * its area's nested stack for a route; this construct for the authorizers (the API's, next to it)
   * and the key function (next to the keys and its schedule).
   */
  private addFunction(definition: FunctionDefinition, scope: Construct = this): NodejsFunction {
    const { stage, issuer, auditRetentionDays = AUDIT_RETENTION_DAYS } = this.props;
    const fn = new ApiFunction(scope, definition.id, {
      entry: join(PROJECT_ROOT, definition.handler),
      stage,
      role: this.roleFor(scope, definition.access),
      description: `Portcullis ${definition.id}`,
      memoryMb: definition.memoryMb,
      bundleFiles: definition.bundleFiles,
      environment: {
        [ENV.tokenIssuer]: issuer ?? `urn:portcullis:${stage}`,
        [ENV.apiBase]: this.apiBase,
        [ENV.auditRetentionDays]: String(auditRetentionDays),
        // The config (which fails fast without the SMS countries) is read only by functions with a table
        // (the key function and the e-mail feedback function reach their items through the table too).
        ...(definition.access.table || definition.access.writesKeyrings || definition.access.writesEmailSuppressions ? this.limitsEnvironment : {}),
      },
    });
    this.functionsById.set(definition.id, fn.function);
    return fn.function;
  }

  /**
   * The role of the functions with this access in `scope` (an area's nested stack, or this
   * construct): one per access profile and stack, granted exactly what the access allows.
   *
   * Shared rather than one per function because the grants are identical: a role's policies derive
   * from the access alone (`accessProfile` keeps every field, so two functions share a role only if
   * each would hold the same policies on its own), and the log group is one for all. Measured on the
   * manifest (60 routes): the dev templates went from 30/30/138/72/78/14 resources (Sessions,
   * Platform, Tenancy, Mfa, Directory, SignIn) with a role and a policy per function to
   * 26/24/98/54/54/14, and the deployment from 63 IAM roles to 17: about 4 resources per route
   * instead of 6 in a nested stack, and IAM roles, an account-wide quota (1,000 by default) shared by
   * every stage deployed there, no longer grow with each route.
   */
  private roleFor(scope: Construct, access: RouteAccess): AccessRole {
    const profile = JSON.stringify(accessProfile(access));
    let roles = this.rolesByScope.get(scope);
    if (!roles) {
      roles = new Map();
      this.rolesByScope.set(scope, roles);
    }
    let role = roles.get(profile);
    if (!role) {
      // The area in the id keeps logical ids unique across the templates (a reader of the whole
      // deployment, or of CloudFormation's events, never meets two TableWriteRole).
      const prefix = scope instanceof AreaStack ? areaConstructId(scope.area) : '';
      role = new AccessRole(scope, `${prefix}${accessRoleId(access)}`, {
        access,
        data: this.data,
        keys: this.keys,
        logGroup: this.functionLogs,
        sms: this.props.sms,
        email: { sending: this.emailSending, configurationSetName: this.email.configurationSet.configurationSetName },
      });
      roles.set(profile, role);
    }
    return role;
  }
}

/** Refuses settings that would deploy something other than what was asked for. */
function validate(props: PortcullisProps): void {
  if (!STAGE_PATTERN.test(props.stage)) {
    throw new Error(`Invalid stage "${props.stage}": use lower-case letters, digits and dashes (20 at most), starting with a letter`);
  }
  const { apiBase } = props;
  if (apiBase !== undefined && !(URL.canParse(apiBase) && /^https:\/\/[^/?#@]+(\/[^?#]*[^/?#])?$/.test(apiBase))) {
    throw new Error(`apiBase must be an https URL without a trailing slash, query or fragment (the issuers' base), not ${JSON.stringify(apiBase)}`);
  }
  const retention = props.auditRetentionDays;
  if (retention !== undefined && (!Number.isInteger(retention) || retention < 1)) {
    throw new Error(`auditRetentionDays must be a whole number of days ≥ 1, not ${String(retention)}`);
  }
  const { removalPolicy } = props;
  if (removalPolicy !== undefined && removalPolicy !== RemovalPolicy.RETAIN && removalPolicy !== RemovalPolicy.DESTROY) {
    throw new Error(`removalPolicy must be RETAIN or DESTROY (a table, KMS keys and log groups have no snapshots), not ${removalPolicy}`);
  }
  for (const [name, value] of [
    ['throttleRateLimit', props.throttleRateLimit],
    ['throttleBurstLimit', props.throttleBurstLimit],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) throw new Error(`${name} must be a whole number ≥ 1, not ${String(value)}`);
  }
  if (props.alarmTopic && props.createAlarmTopic) throw new Error('Give either alarmTopic or createAlarmTopic, not both');
}

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

/** The API Gateway route key of a manifest entry (`POST /v2/auth/login`). */
function routeKeyOf(route: RouteDefinition): string {
  return `${route.method} ${route.path}`;
}

/** Why a route has no API Gateway authorizer, for its cdk-nag acknowledgment. */
function unauthorizedReason(route: RouteDefinition): string {
  const key = `${route.method} ${route.path}`;
  switch (route.auth) {
    case 'mfa':
      return `${key} takes the short-lived MFA token from login; the function verifies it.`;
    case 'bearer-or-apikey':
      return `${key} accepts a bearer token or an API key, and an HTTP API authorizer caches only on identity sources every request carries, so the function verifies whichever is present.`;
    case 'public-or-bearer':
      return `${key} is public for a new person and takes an optional bearer token for an existing operator, which the function verifies.`;
    default:
      return `${key} is public by design (spec section 4): it is how callers obtain credentials or public keys.`;
  }
}
