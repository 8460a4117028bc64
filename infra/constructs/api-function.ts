import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { Duration, Stack, Tags, Validations } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { ENV } from '#shared/config.ts';
import { METRICS_NAMESPACE, METRICS_SERVICE } from '#shared/metrics-names.ts';
import { BUNDLING } from '../bundling.ts';
import type { AccessRole } from './access-role.ts';

/** The repository root: where `package.json`, its lock file and the handler modules live. */
export const PROJECT_ROOT = join(import.meta.dirname, '..', '..');

/** Tag that marks a function as one of ours (a route or an authorizer), valued with its id. */
export const FUNCTION_TAG = 'portcullis:function';

export interface ApiFunctionProps {
  /** Absolute path of the handler module; it exports `handler`. */
  readonly entry: string;
  /** Deployment stage, passed to the function as `STAGE`. */
  readonly stage: string;
  /**
   * The role to run as: it holds the function's grants, names the log group the function writes to
   * (Lambda's advanced logging: each function's streams are named after it), and brings the
   * environment variables that go with its grants. Functions of the same access may share one.
   */
  readonly role: AccessRole;
  /** @default - none */
  readonly description?: string;
  /** @default 256 */
  readonly memoryMb?: number;
  /**
   * Extra environment variables. Anything that comes with a permission comes from the role instead,
   * never from here.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Files of node_modules (module specifiers, e.g. `swagger-ui-dist/swagger-ui.css`) the handler reads
   * at run time: each is copied next to the bundle's index.mjs under its own file name.
   * @default - none
   */
  readonly bundleFiles?: readonly string[];
}

/**
 * One Lambda function of the API: Node.js 22 on arm64, ESM bundle with source maps, X-Ray tracing.
 * Its permissions are its role's (`AccessRole`), which also sets the matching environment, so that
 * configuration and IAM never disagree.
 */
export class ApiFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: AccessRole;

  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    super(scope, id);
    this.role = props.role;

    this.function = new NodejsFunction(this, 'Function', {
      entry: bundleableEntry(this, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memoryMb ?? 256,
      // API Gateway gives up after 30 s; a cold start with a KMS unwrap stays well under 10.
      timeout: Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      role: props.role.role,
      logGroup: props.role.logGroup,
      description: props.description,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        [ENV.stage]: props.stage,
        // Powertools' logger and metrics read these: the `service` key of every log line and metric
        // dimension, and the namespace the alarms watch (shared/metrics-names.ts).
        POWERTOOLS_SERVICE_NAME: METRICS_SERVICE,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        ...props.environment,
        ...props.role.environment,
      },
      bundling: {
        // The options live in infra/bundling.ts, where the benchmark reads them too.
        ...BUNDLING,
        format: OutputFormat.ESM,
        mainFields: [...BUNDLING.mainFields],
        externalModules: [...BUNDLING.externalModules],
        ...(props.bundleFiles?.length ? { commandHooks: copyAfterBundling(props.bundleFiles) } : {}),
      },
    });
    // Not invoked before every policy of its role exists (the SMS policy is not the role's default one).
    this.function.node.addDependency(props.role);
    Tags.of(this).add(FUNCTION_TAG, id);

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'The spec fixes Node.js 22 (LTS) so that Lambda runs the same major version as npm start and the tests.',
    });
  }
}

/**
 * Bundling hooks that copy files of node_modules next to index.mjs. The paths are taken from the
 * bundler's `inputDir` (the project root, or its mount when bundling runs in Docker); a missing file
 * fails the synth rather than the first request.
 */
function copyAfterBundling(modules: readonly string[]): ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir, outputDir) =>
      modules.map((module) => {
        if (!existsSync(join(PROJECT_ROOT, 'node_modules', module))) throw new Error(`bundleFiles: node_modules/${module} does not exist (npm install?)`);
        return `cp "${posix.join(inputDir, 'node_modules', module)}" "${posix.join(outputDir, posix.basename(module))}"`;
      }),
  };
}

/**
 * The entry to hand to NodejsFunction, which insists the file exists even when it will not bundle.
 * When this stack skips bundling (`cdk ls`, synth of another stack, the template tests) the entry is
 * only a name, so a handler not written yet stands in for this module; whenever bundling runs, a
 * missing handler still fails the synth.
 */
function bundleableEntry(scope: Construct, entry: string): string {
  return Stack.of(scope).bundlingRequired || existsSync(entry) ? entry : import.meta.filename;
}
