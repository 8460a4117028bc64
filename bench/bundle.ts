/**
 * Bundles every function of the manifest (routes and authorizers) and the baseline exactly as CDK does:
 * esbuild with the options of infra/bundling.ts, into `<outDir>/<id>/index.mjs`. The output sits
 * under the project (cdk.out/, git-ignored) so that the external `@aws-sdk/*` imports resolve from
 * node_modules, as they resolve from the Lambda runtime's own copy once deployed.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptionsFor } from '#infra/bundling.ts';
import { PROJECT_ROOT } from '#infra/constructs/api-function.ts';
import { authorizers, manifest } from '#shared/http/manifest.ts';

export const BASELINE_ID = 'baseline';

export interface BundledFunction {
  id: string;
  /** Handler module, relative to the project root. */
  entry: string;
  file: string;
  bytes: number;
}

export async function bundleAll(outDir: string): Promise<BundledFunction[]> {
  const entries = [
    ...manifest.map((route) => ({ id: route.id, entry: route.handler })),
    ...Object.values(authorizers).map((authorizer) => ({ id: authorizer.id, entry: authorizer.handler })),
    { id: BASELINE_ID, entry: 'bench/baseline.ts' },
  ];
  const bundled: BundledFunction[] = [];
  // Two at a time: esbuild is quick, the machine may have two cores.
  for (let index = 0; index < entries.length; index += 2) {
    bundled.push(
      ...(await Promise.all(
        entries.slice(index, index + 2).map(async ({ id, entry }) => {
          const file = join(outDir, id, 'index.mjs');
          await build({ ...esbuildOptionsFor(join(PROJECT_ROOT, entry), file), absWorkingDir: PROJECT_ROOT, logLevel: 'error' });
          return { id, entry, file, bytes: statSync(file).size };
        }),
      )),
    );
  }
  return bundled;
}
