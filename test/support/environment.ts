import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#local/dynamodb-local.ts';
import { localEnvironment, type LocalEnvironmentOptions } from '#local/environment.ts';
import { ENV } from '#shared/config.ts';

/**
 * Configures this worker's real modules the way `npm start` does: DynamoDB Local, the local key file,
 * the SMS outbox. Called by a setup file, before any handler module reads its config.
 */
export function useTestEnvironment(options: Omit<LocalEnvironmentOptions, 'stage'>): void {
  Object.assign(
    process.env,
    localEnvironment({ ...options, stage: 'test' }),
    // Refused requests log at INFO; keep the test output readable (the log-hygiene test turns it up).
    { POWERTOOLS_LOG_LEVEL: 'WARN', AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey, AWS_REGION: LOCAL_REGION },
    // No rotation grace: the reuse tests replay a spent token at once and mean a replay past the grace.
    // test/e2e/refresh-grace.test.ts runs the deployment's default, refresh-grace-expiry.test.ts a short one.
    { [ENV.sessionRefreshGraceSeconds]: '0' },
  );
  // The organizations' issuer base is the URL of the file's local server (local/server.ts sets it once
  // it listens), never one inherited from the shell or an earlier file.
  Reflect.deleteProperty(process.env, ENV.apiBase);
}
