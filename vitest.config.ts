import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * One project per layer (docs/testing.md). `npm test` runs them all in one `vitest run`, their files
 * side by side in one pool; `npm run test:unit` runs the unit project alone, in seconds.
 *
 * The projects that run handlers against DynamoDB Local list test/support/global-setup.ts: the run
 * starts ONE emulator, whichever of them run, and stops it after the last (test/support/run-once.ts);
 * tests use unique ids, so files can share its table and run in parallel. Every project lists
 * log-capture: every line the workers write is teed to one file per worker and scanned for secrets
 * once at the end of the run; one fails it. log-capture comes first in each list so that its teardown
 * runs after DynamoDB Local has stopped.
 */
const dynamodbLocal = {
  globalSetup: ['test/support/log-capture.ts', 'test/support/global-setup.ts'],
  setupFiles: ['test/support/setup-env.ts', 'test/support/setup-log-capture.ts'],
};
const offline = {
  globalSetup: ['test/support/log-capture.ts'],
  setupFiles: ['test/support/setup-env-offline.ts', 'test/support/setup-log-capture.ts'],
};

export default defineConfig({
  test: {
    pool: 'forks',
    // Vitest's default (cores - 1) is ONE worker on the 2-core CI machines, and most files spend their
    // time waiting on DynamoDB Local, HTTP or Chromium, not on a core: two files at a time keep both
    // cores busy. Files share the run's DynamoDB Local with unique ids (the deployment-wide caps run on
    // tables of their own), so they may overlap.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // scrypt at OWASP cost and the CDK synth make some tests slow on a 2-core machine: these are
    // ceilings against hangs, not speed targets (those live in `npm run bench`).
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      // Pure domain code with in-memory fakes, adapters against mocked clients, source-level rules.
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], ...offline } },
      // Repositories and domain services against DynamoDB Local: races, secrets at rest.
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'], ...dynamodbLocal } },
      // HTTP against the local server, through the typed client.
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], ...dynamodbLocal } },
      // CDK synth assertions: no emulator.
      { extends: true, test: { name: 'infra', include: ['test/infra/**/*.test.ts'], ...offline } },
      // The operator console in Chromium against the local server (SPEC §10): the build is made once per run.
      {
        extends: true,
        test: {
          name: 'console',
          include: ['test/console/**/*.test.ts'],
          ...dynamodbLocal,
          globalSetup: [...dynamodbLocal.globalSetup, 'test/support/console-build.ts'],
        },
      },
      // fast-check over every route through the local server.
      { extends: true, test: { name: 'fuzz', include: ['test/fuzz/**/*.test.ts'], ...dynamodbLocal } },
    ],
  },
});
