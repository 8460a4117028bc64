import { ENV } from '#shared/config.ts';

/**
 * The SMS allow-list of `npm start` and the tests (a deployment must choose its own: the CDK context
 * `smsAllowedCountries` is required). A few countries whose numbers the tests and the seed use;
 * docs/deployment-limits.md lists them.
 */
export const LOCAL_SMS_ALLOWED_COUNTRIES = ['FR', 'DE', 'GB', 'US', 'CA'] as const;

export interface LocalEnvironmentOptions {
  tableName: string;
  dynamodbEndpoint: string;
  keyFile: string;
  stage?: string;
}

/** The environment the local server and the tests give the real handler modules. */
export function localEnvironment(options: LocalEnvironmentOptions): Record<string, string> {
  return {
    [ENV.stage]: options.stage ?? 'local',
    [ENV.tableName]: options.tableName,
    [ENV.dynamodbEndpoint]: options.dynamodbEndpoint,
    [ENV.tokenIssuer]: `urn:portcullis:${options.stage ?? 'local'}`,
    [ENV.keyProvider]: 'local',
    [ENV.localKeyFile]: options.keyFile,
    [ENV.smsProvider]: 'outbox',
    [ENV.emailProvider]: 'outbox',
    // Locally anyone may sign up at once (SPEC §4); a deployment defaults to `verify-email`.
    [ENV.signupMode]: process.env[ENV.signupMode] ?? 'open',
    // The other deployment limits keep their defaults (shared/config.ts); tests set small ones.
    [ENV.smsAllowedCountries]: LOCAL_SMS_ALLOWED_COUNTRIES.join(','),
    POWERTOOLS_SERVICE_NAME: 'portcullis',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO',
    // No CloudWatch here: the metrics' EMF lines would only clutter the console (and the test output).
    // `POWERTOOLS_METRICS_DISABLED=false npm start` prints them, to see what a deployment would record.
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
  };
}
