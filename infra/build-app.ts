import { Duration, Validations, type App } from 'aws-cdk-lib';
import type { SignupMode } from '#shared/config.ts';
import { AwsSolutionsChecks } from 'cdk-nag';
import { STAGE_PATTERN } from './portcullis.ts';
import { PortcullisStack, type PortcullisStackProps } from './portcullis-stack.ts';

/** Reads a string context value (`-c key=value`); empty counts as unset. */
function context(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A numeric context value; `-c key=30` arrives as a string. */
function numberContext(app: App, key: string): number | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === '') return undefined;
  const number = Number(value);
  if (!Number.isFinite(number)) throw new Error(`Context ${key} must be a number, not ${JSON.stringify(value)}`);
  return number;
}

/** A boolean context value: `true`/`false` (strings from the command line, booleans from cdk.json). */
function booleanContext(app: App, key: string): boolean | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === '') return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`Context ${key} must be true or false, not ${JSON.stringify(value)}`);
}

/** A list context value: `-c key=FR,DE` from the command line, or a JSON list from cdk.json. */
function listContext(app: App, key: string): string[] | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string') return value.split(',');
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  throw new Error(`Context ${key} must be a comma-separated string or a list of strings, not ${JSON.stringify(value)}`);
}

/** A duration context value in whole seconds (`-c sessionIdleTimeout=86400`). */
function secondsContext(app: App, key: string): Duration | undefined {
  const value = numberContext(app, key);
  return value === undefined ? undefined : Duration.seconds(value);
}

/** Context `console` (`false` deploys the API without the console's distribution); undefined when unset. */
export function consoleContext(app: App): boolean | undefined {
  return booleanContext(app, 'console');
}

/**
 * Adds the stack for the context's stage to `app` and checks everything with cdk-nag AwsSolutions.
 * Shared by `infra/app.ts` and the infrastructure tests, so the tests synthesize what the CLI does.
 *
 * Context: `stage` (default `dev`), `issuer`, `apiBase` (a custom domain's URL), `smsSenderId`, `smsOriginationNumber`,
 * `auditRetentionDays` (default 400), `alarmTopicArn` (an existing topic for the alarms) or
 * `createAlarmTopic=true`; e-mail: `emailFrom` (required: an address or `Name <address>` of a verified
 * SES identity), `emailIdentity` (default: the sender's domain), `emailReplyTo`; `signupMode`
 * (`verify-email`), `sessionAbsoluteLifetime` / `sessionIdleTimeout` / `refreshTokenRotationGrace` (seconds), `consoleUrl`, `console=false` (no console distribution; it is on by default); the deployment's limits: `smsAllowedCountries` (required, e.g. `FR,DE,GB`,
 * or a list in cdk.json), `smsDeploymentDailyLimit`, `smsAccountDailyLimit`, `emailDeploymentDailyLimit`, `emailAccountDailyLimit`, `organizationsPerAccount`.
 * `overrides` replace stack props (tests use it to add routes the manifest does not have yet).
 */
export function buildApp(app: App, overrides: Omit<Partial<PortcullisStackProps>, 'stage'> = {}): PortcullisStack {
  const stage = context(app, 'stage') ?? 'dev';
  // The stage names the stack and the API; keep it to what both accept.
  if (!STAGE_PATTERN.test(stage)) throw new Error(`Invalid stage "${stage}": use lower-case letters, digits and dashes`);
  const smsAllowedCountries = overrides.smsAllowedCountries ?? listContext(app, 'smsAllowedCountries');
  if (!smsAllowedCountries) {
    throw new Error(
      'Context smsAllowedCountries is required: the countries this deployment may send SMS to, as ISO 3166-1 alpha-2 codes ' +
        '(e.g. `npx cdk deploy -c stage=prod -c smsAllowedCountries=FR,DE,GB`, or "smsAllowedCountries": ["FR"] in cdk.json). ' +
        'No organization can allow a country outside it.',
    );
  }
  const emailFrom = context(app, 'emailFrom');
  if (!overrides.email && !emailFrom) {
    throw new Error(
      'Context emailFrom is required: the sender of the deployment\'s e-mail (signup verification, invitations, password resets), ' +
        'an address or "Name <address>" of an SES identity you verified (e.g. `-c emailFrom="Example <no-reply@auth.example.com>"`, ' +
        'plus `-c emailIdentity=example.com` when the verified identity is a parent domain). See docs/deploy.md#e-mail-ses.',
    );
  }
  const stack = new PortcullisStack(app, `Portcullis-${stage}`, {
    stage,
    smsAllowedCountries,
    smsDeploymentDailyLimit: numberContext(app, 'smsDeploymentDailyLimit'),
    smsAccountDailyLimit: numberContext(app, 'smsAccountDailyLimit'),
    emailDeploymentDailyLimit: numberContext(app, 'emailDeploymentDailyLimit'),
    emailAccountDailyLimit: numberContext(app, 'emailAccountDailyLimit'),
    organizationsPerAccount: numberContext(app, 'organizationsPerAccount'),
    issuer: context(app, 'issuer'),
    apiBase: context(app, 'apiBase'),
    sms: { senderId: context(app, 'smsSenderId'), originationNumber: context(app, 'smsOriginationNumber') },
    email: { from: emailFrom ?? '', identity: context(app, 'emailIdentity'), replyTo: context(app, 'emailReplyTo') },
    signupMode: context(app, 'signupMode') as SignupMode | undefined,
    sessionAbsoluteLifetime: secondsContext(app, 'sessionAbsoluteLifetime'),
    sessionIdleTimeout: secondsContext(app, 'sessionIdleTimeout'),
    refreshTokenRotationGrace: secondsContext(app, 'refreshTokenRotationGrace'),
    consoleUrl: context(app, 'consoleUrl'),
    auditRetentionDays: numberContext(app, 'auditRetentionDays'),
    alarmTopicArn: context(app, 'alarmTopicArn'),
    createAlarmTopic: booleanContext(app, 'createAlarmTopic'),
    console: consoleContext(app),
    description: `Portcullis authentication service (${stage})`,
    ...overrides,
  });
  // cdk-nag 3 is a policy-validation plugin, not an aspect: any finding fails the synth (CLI and
  // tests alike), and each acknowledgment is also written into the template as an audit trail.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }));
  return stack;
}
