/**
 * Bundle sizes alone, without the cold-start benchmark: bundles every route function and authorizer with
 * the esbuild options CDK uses (infra/bundling.ts) and prints each bundle's minified size against the
 * budget, largest first, with what weighs most in it (esbuild's metafile, grouped by package).
 *
 *   npx tsx bench/bundle-sizes.ts            sizes and the three heaviest packages of each bundle
 *   npx tsx bench/bundle-sizes.ts login      every input of the `login` bundle above 1 KB
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { esbuildOptionsFor } from '#infra/bundling.ts';
import { PROJECT_ROOT } from '#infra/constructs/api-function.ts';
import { authorizers, manifest } from '#shared/http/manifest.ts';

/** The budget every function's minified bundle must stay within. */
const BUDGET_KB = 250;
const OUT_DIR = join(PROJECT_ROOT, 'cdk.out', 'bundle-sizes');

/** `node_modules/zod/v4/core/schemas.js` → `zod`; project files keep their folder (`shared/domain/mfa`). */
function groupOf(input: string): string {
  const modules = input.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const [scope = '', name = ''] = input.slice(modules + 'node_modules/'.length).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  return input.split('/').slice(0, -1).join('/') || input;
}

async function bundle(id: string, entry: string): Promise<{ id: string; kb: number; metafile: Metafile }> {
  const outfile = join(OUT_DIR, id, 'index.mjs');
  const result = await build({ ...esbuildOptionsFor(join(PROJECT_ROOT, entry), outfile), absWorkingDir: PROJECT_ROOT, logLevel: 'error', metafile: true });
  return { id, kb: statSync(outfile).size / 1024, metafile: result.metafile };
}

function weights(metafile: Metafile, by: (input: string) => string): [string, number][] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) totals.set(by(input), (totals.get(by(input)) ?? 0) + bytesInOutput);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

const entries = [
  ...manifest.map((route) => ({ id: route.id, entry: route.handler })),
  ...Object.values(authorizers).map((authorizer) => ({ id: authorizer.id, entry: authorizer.handler })),
];
const only = process.argv[2];

if (only) {
  const target = entries.find((entry) => entry.id === only);
  if (!target) throw new Error(`no function ${only}`);
  const { kb, metafile } = await bundle(target.id, target.entry);
  console.log(`${target.id}: ${kb.toFixed(1)} KB`);
  for (const [input, bytes] of weights(metafile, (input) => input)) if (bytes >= 1024) console.log(`${(bytes / 1024).toFixed(1).padStart(8)} KB  ${input}`);
} else {
  const results: Awaited<ReturnType<typeof bundle>>[] = [];
  // Two at a time: the machine may have two cores.
  for (let index = 0; index < entries.length; index += 2) {
    results.push(...(await Promise.all(entries.slice(index, index + 2).map(({ id, entry }) => bundle(id, entry)))));
  }
  results.sort((a, b) => b.kb - a.kb);
  for (const { id, kb, metafile } of results) {
    const heaviest = weights(metafile, groupOf)
      .slice(0, 3)
      .map(([group, bytes]) => `${group} ${(bytes / 1024).toFixed(0)}`)
      .join(', ');
    console.log(`${kb > BUDGET_KB ? '✗' : ' '} ${id.padEnd(26)} ${kb.toFixed(1).padStart(6)} KB  ${heaviest}`);
  }
  const over = results.filter((result) => result.kb > BUDGET_KB).length;
  console.log(`${results.length - over} of ${results.length} within ${BUDGET_KB} KB`);
}
