import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One DynamoDB Local for the whole run; tests use unique ids, so files can run in parallel.
    // log-capture comes first so that its teardown runs last, after DynamoDB Local has stopped: every
    // line the workers write is teed to a file and scanned for secrets at the end; one fails the run.
    globalSetup: ['test/support/log-capture.ts', 'test/support/global-setup.ts'],
    setupFiles: ['test/support/setup-env.ts', 'test/support/setup-log-capture.ts'],
    pool: 'forks',
    // scrypt at OWASP cost and the CDK synth make some tests slow on a 2-core machine: these are
    // ceilings against hangs, not speed targets (those live in `npm run bench`).
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
