/**
 * Configuration, read once per cold start from environment variables that CDK (or the local server)
 * sets. A missing required variable fails the cold start loudly instead of a request later.
 */
import { AUDIT_RETENTION_DAYS } from './domain/kernel/audit-events.ts';
import { parseCountryList } from './domain/kernel/country-list.ts';
import { REFRESH_ROTATION_GRACE_MAX_SECONDS, REFRESH_ROTATION_GRACE_SECONDS } from './domain/sessions/refresh-grace.ts';

/**
 * What the deployment allows above every tenant (SPEC §6 "Above the tenants…"): no organization
 * setting can widen these. CDK sets them from the construct props (infra/portcullis.ts); the local
 * server and the tests from local/environment.ts.
 */
export interface DeploymentLimits {
  /** ISO 3166-1 alpha-2 codes SMS may go to; an organization's own list can only narrow it. Required. */
  smsAllowedCountries: string[];
  /** SMS the whole deployment sends per UTC day, every account together. @default 10000 */
  smsDeploymentDailyLimit: number;
  /** SMS one account sends per UTC day, its organizations together (and the most one organization may set). @default 1000 */
  smsAccountDailyLimit: number;
  /** Active organizations one account may have. @default 1000 */
  organizationsPerAccount: number;
  /** E-mails (sign-in factors `email_pin`/`email_link`) the whole deployment sends per UTC day. @default 10000 */
  emailDeploymentDailyLimit: number;
  /** Sign-in e-mails one account sends per UTC day, its organizations together. @default 1000 */
  emailAccountDailyLimit: number;
}

/** The defaults of `DeploymentLimits` (the CDK props document the same numbers). */
export const DEPLOYMENT_LIMIT_DEFAULTS = {
  smsDeploymentDailyLimit: 10_000,
  smsAccountDailyLimit: 1_000,
  organizationsPerAccount: 1_000,
  emailDeploymentDailyLimit: 10_000,
  emailAccountDailyLimit: 1_000,
} as const;

/** What `POST /v2/signup` does (SPEC §4): create at once, e-mail a link first, or refuse. */
export const SIGNUP_MODES = ['open', 'verify-email', 'closed'] as const;
export type SignupMode = (typeof SIGNUP_MODES)[number];

/** Operator session lifetimes (SPEC §4), deployment settings. */
export const SESSION_LIFETIME_DEFAULTS = {
  /** A session ends this long after its login, whatever its refreshes. 30 days. */
  absoluteSeconds: 30 * 24 * 60 * 60,
  /** A session ends after this long unused. 7 days. */
  idleSeconds: 7 * 24 * 60 * 60,
} as const;

export interface Config {
  stage: string;
  region: string;
  tableName: string;
  /** Only set locally and in tests (DynamoDB Local). */
  dynamodbEndpoint: string | undefined;
  /** `iss` of operator tokens. */
  tokenIssuer: string;
  /**
   * The deployment's public URL, no trailing slash: organization `o` issues end-user tokens as
   * `{apiBase}/v2/organizations/o` (SPEC §9). Required in the cloud; locally the local server's URL.
   */
  apiBase: string;
  accessTokenTtlSeconds: number;
  /** How long audit events are kept (DynamoDB TTL). @default 400 */
  auditRetentionDays: number;
  keys:
    | { provider: 'kms'; signingKmsKeyId: string; dataKmsKeyId: string }
    | { provider: 'local'; keyFile: string };
  sms:
    | { provider: 'sns'; senderId: string | undefined; originationNumber: string | undefined }
    | { provider: 'outbox' };
  limits: DeploymentLimits;
  email:
    | { provider: 'ses'; from: string; configurationSet: string; replyTo: string | undefined }
    | { provider: 'outbox' };
  /**
   * Where e-mailed links point (the console, SPEC §10: `/accept`, `/reset-password`, `/verify-email`),
   * no trailing slash. @default - `apiBase` (the local server serves the console at `/`)
   */
  consoleUrl: string;
  signupMode: SignupMode;
  /**
   * `refreshGraceSeconds`: the refresh-token rotation grace, 0 (off) to 60.
   * @default 15 (`REFRESH_ROTATION_GRACE_SECONDS`)
   */
  sessions: { absoluteSeconds: number; idleSeconds: number; refreshGraceSeconds: number };
  /**
   * The operators' passkeys (SPEC §11): the RP ID and the origins a WebAuthn response may come from.
   * @default - the console's host and origin (`consoleUrl`); a loopback IP address reads as
   * `localhost`, since browsers refuse WebAuthn on IP addresses
   */
  operatorPasskeys: { rpId: string; origins: string[] };
}

/** Environment variable names, shared with the CDK constructs and the local server. */
export const ENV = {
  stage: 'STAGE',
  tableName: 'TABLE_NAME',
  dynamodbEndpoint: 'DYNAMODB_ENDPOINT',
  tokenIssuer: 'TOKEN_ISSUER',
  apiBase: 'API_BASE',
  keyProvider: 'KEY_PROVIDER',
  signingKmsKeyId: 'SIGNING_KMS_KEY_ID',
  dataKmsKeyId: 'DATA_KMS_KEY_ID',
  localKeyFile: 'LOCAL_KEY_FILE',
  smsProvider: 'SMS_PROVIDER',
  smsSenderId: 'SMS_SENDER_ID',
  smsOriginationNumber: 'SMS_ORIGINATION_NUMBER',
  auditRetentionDays: 'AUDIT_RETENTION_DAYS',
  smsAllowedCountries: 'SMS_ALLOWED_COUNTRIES',
  smsDeploymentDailyLimit: 'SMS_DEPLOYMENT_DAILY_LIMIT',
  smsAccountDailyLimit: 'SMS_ACCOUNT_DAILY_LIMIT',
  organizationsPerAccount: 'ORGANIZATIONS_PER_ACCOUNT',
  emailDeploymentDailyLimit: 'EMAIL_DEPLOYMENT_DAILY_LIMIT',
  emailAccountDailyLimit: 'EMAIL_ACCOUNT_DAILY_LIMIT',
  emailProvider: 'EMAIL_PROVIDER',
  emailFrom: 'EMAIL_FROM',
  emailReplyTo: 'EMAIL_REPLY_TO',
  emailConfigurationSet: 'EMAIL_CONFIGURATION_SET',
  consoleUrl: 'CONSOLE_URL',
  signupMode: 'SIGNUP_MODE',
  sessionAbsoluteSeconds: 'SESSION_ABSOLUTE_SECONDS',
  sessionIdleSeconds: 'SESSION_IDLE_SECONDS',
  sessionRefreshGraceSeconds: 'SESSION_REFRESH_GRACE_SECONDS',
  passkeyRpId: 'PASSKEY_RP_ID',
  passkeyOrigins: 'PASSKEY_ORIGINS',
} as const;

type Env = Record<string, string | undefined>;

function positiveInteger(env: Env, name: string, fallback: number, maxDigits = 6): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (!new RegExp(`^[1-9]\\d{0,${String(maxDigits - 1)}}$`).test(value)) throw new Error(`Environment variable ${name} must be a positive whole number`);
  return Number(value);
}

/** The rotation grace: whole seconds from 0 (off) to `REFRESH_ROTATION_GRACE_MAX_SECONDS`. */
function refreshGraceSeconds(env: Env): number {
  const name = ENV.sessionRefreshGraceSeconds;
  const value = env[name];
  if (value === undefined || value === '') return REFRESH_ROTATION_GRACE_SECONDS;
  if (!/^(0|[1-9]\d?)$/.test(value) || Number(value) > REFRESH_ROTATION_GRACE_MAX_SECONDS) {
    throw new Error(`Environment variable ${name} must be a whole number of seconds from 0 to ${String(REFRESH_ROTATION_GRACE_MAX_SECONDS)}`);
  }
  return Number(value);
}

/** What `npm start` serves on unless told otherwise (local/start.ts). */
export const LOCAL_API_BASE = 'http://127.0.0.1:3000';

/** An absolute http(s) URL with no query, fragment or credentials, without its trailing slash. */
function baseUrl(name: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new Error(`Missing required environment variable ${name}`);
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || !/^https?:$/.test(url.protocol) || url.username || url.password || /[?#]/.test(value)) {
    throw new Error(`Environment variable ${name} must be an absolute http(s) URL without query or fragment, not ${JSON.stringify(value)}`);
  }
  return value.replace(/\/+$/, '');
}

function required(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`Missing required environment variable ${name}`);
  return value;
}

function signupMode(value: string | undefined): SignupMode {
  // The safe default of a deployment: nobody gets an account without proving the address.
  if (value === undefined || value === '') return 'verify-email';
  if (!(SIGNUP_MODES as readonly string[]).includes(value)) throw new Error(`Environment variable ${ENV.signupMode} must be one of ${SIGNUP_MODES.join(', ')}`);
  return value as SignupMode;
}

/**
 * The operators' relying party: the console's host and origin unless PASSKEY_RP_ID / PASSKEY_ORIGINS
 * (comma-separated) say otherwise. `127.0.0.1` and `[::1]` read as `localhost` (same machine, and the
 * only loopback name WebAuthn accepts).
 */
function operatorPasskeys(env: Env, consoleUrl: string): { rpId: string; origins: string[] } {
  const url = new URL(consoleUrl);
  const loopback = url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (loopback) url.hostname = 'localhost';
  const rpId = env[ENV.passkeyRpId] || url.hostname;
  const listed = env[ENV.passkeyOrigins];
  const origins = listed ? listed.split(',').map((origin) => baseUrl(ENV.passkeyOrigins, origin.trim())) : [url.origin];
  return { rpId, origins };
}

/** Builds the typed config from an environment; throws naming the first missing variable. */
export function loadConfig(env: Env = process.env): Config {
  const keyProvider = env[ENV.keyProvider] ?? 'kms';
  const smsProvider = env[ENV.smsProvider] ?? 'sns';
  const stage = env[ENV.stage] ?? 'dev';
  const emailProvider = env[ENV.emailProvider] ?? 'ses';
  const tableName = required(env, ENV.tableName);
  const apiBase = baseUrl(ENV.apiBase, env[ENV.apiBase] || (keyProvider === 'local' ? LOCAL_API_BASE : undefined));
  return {
    stage,
    region: env.AWS_REGION ?? 'us-east-1',
    tableName,
    dynamodbEndpoint: env[ENV.dynamodbEndpoint] || undefined,
    tokenIssuer: env[ENV.tokenIssuer] ?? `urn:portcullis:${stage}`,
    // An issuer that relying parties pin: a deployed function without it must not start at all.
    apiBase,
    accessTokenTtlSeconds: 15 * 60,
    auditRetentionDays: positiveInteger(env, ENV.auditRetentionDays, AUDIT_RETENTION_DAYS),
    limits: {
      // Required, with no default: which countries a deployment pays SMS to is the deployer's call.
      smsAllowedCountries: parseCountryList(required(env, ENV.smsAllowedCountries), `Environment variable ${ENV.smsAllowedCountries}`),
      smsDeploymentDailyLimit: positiveInteger(env, ENV.smsDeploymentDailyLimit, DEPLOYMENT_LIMIT_DEFAULTS.smsDeploymentDailyLimit, 9),
      smsAccountDailyLimit: positiveInteger(env, ENV.smsAccountDailyLimit, DEPLOYMENT_LIMIT_DEFAULTS.smsAccountDailyLimit, 9),
      organizationsPerAccount: positiveInteger(env, ENV.organizationsPerAccount, DEPLOYMENT_LIMIT_DEFAULTS.organizationsPerAccount),
      emailDeploymentDailyLimit: positiveInteger(env, ENV.emailDeploymentDailyLimit, DEPLOYMENT_LIMIT_DEFAULTS.emailDeploymentDailyLimit, 9),
      emailAccountDailyLimit: positiveInteger(env, ENV.emailAccountDailyLimit, DEPLOYMENT_LIMIT_DEFAULTS.emailAccountDailyLimit, 9),
    },
    // Only functions that send e-mail read these (the SES sender is built on first use).
    email:
      emailProvider === 'outbox'
        ? { provider: 'outbox' }
        : { provider: 'ses', from: env[ENV.emailFrom] ?? '', configurationSet: env[ENV.emailConfigurationSet] ?? '', replyTo: env[ENV.emailReplyTo] || undefined },
    consoleUrl: env[ENV.consoleUrl] ? baseUrl(ENV.consoleUrl, env[ENV.consoleUrl]) : apiBase,
    signupMode: signupMode(env[ENV.signupMode]),
    operatorPasskeys: operatorPasskeys(env, env[ENV.consoleUrl] ? baseUrl(ENV.consoleUrl, env[ENV.consoleUrl]) : apiBase),
    sessions: {
      absoluteSeconds: positiveInteger(env, ENV.sessionAbsoluteSeconds, SESSION_LIFETIME_DEFAULTS.absoluteSeconds, 9),
      idleSeconds: positiveInteger(env, ENV.sessionIdleSeconds, SESSION_LIFETIME_DEFAULTS.idleSeconds, 9),
      refreshGraceSeconds: refreshGraceSeconds(env),
    },
    keys:
      keyProvider === 'local'
        ? { provider: 'local', keyFile: required(env, ENV.localKeyFile) }
        : {
            provider: 'kms',
            // A function that never unwraps keys gets no key ids; reading them is then an error.
            signingKmsKeyId: env[ENV.signingKmsKeyId] ?? '',
            dataKmsKeyId: env[ENV.dataKmsKeyId] ?? '',
          },
    sms:
      smsProvider === 'outbox'
        ? { provider: 'outbox' }
        : {
            provider: 'sns',
            senderId: env[ENV.smsSenderId] || undefined,
            originationNumber: env[ENV.smsOriginationNumber] || undefined,
          },
  };
}

let cached: Config | undefined;

/** The process's config, loaded on first use (module load of a handler = cold start). */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
