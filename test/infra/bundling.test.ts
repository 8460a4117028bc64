import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { esbuildOptionsFor } from '#infra/bundling.ts';
import { PROJECT_ROOT } from '#infra/constructs/api-function.ts';
import { authorizers, jobs, manifest } from '#shared/http/manifest.ts';
import { futureRoutes } from './fixtures.ts';
import { portcullisFunctions, synthesize } from './synth.ts';

// Under the project (cdk.out/ is git-ignored) so that a bundle's external `@aws-sdk/*` imports resolve
// from node_modules, as they resolve from the Lambda runtime's own copy once deployed.
mkdirSync(join(PROJECT_ROOT, 'cdk.out'), { recursive: true });
const outdir = mkdtempSync(join(PROJECT_ROOT, 'cdk.out', 'bundling-test-'));
afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});

describe('bundling with esbuild', () => {
  // A missing handler module fails here with "Cannot find entry file at …".
  const { template } = synthesize({ stage: 'dev' }, { bundle: true, outdir });
  const functions = portcullisFunctions(template);

  it('bundles every function into an ESM file with a source map and the require shim', () => {
    const ids = [...manifest, ...Object.values(authorizers), ...jobs].map((definition) => definition.id);
    expect([...functions.keys()].sort()).toEqual([...ids].sort());
    for (const [id, { resource }] of functions) {
      expect(resource.Metadata?.['aws:asset:is-bundled'], id).toBe(true);
      const bundle = join(outdir, String(resource.Metadata?.['aws:asset:path']), 'index.mjs');
      expect(existsSync(`${bundle}.map`), id).toBe(true);
      expect(readFileSync(bundle, 'utf8'), id).toMatch(/^import \{ createRequire \} from 'node:module';/);
    }
  });

  it('produces bundles that Node.js 22 loads and that export the handler', () => {
    for (const [id, { resource }] of functions) {
      const bundle = join(outdir, String(resource.Metadata?.['aws:asset:path']), 'index.mjs');
      const check = `const m = await import(${JSON.stringify(pathToFileURL(bundle).href)}); if (typeof m.handler !== 'function') process.exit(3);`;
      expect(() => execFileSync(process.execPath, ['--input-type=module', '-e', check], { stdio: 'pipe' }), id).not.toThrow();
    }
    // One Node.js start per function (62): a ceiling against hangs on a shared, loaded machine, not a speed target.
  }, 240_000);

  it('bundles byte for byte what the benchmark bundles from infra/bundling.ts (bench/bundle.ts)', async () => {
    for (const id of ['startAuthentication', 'apikeyAuthorizer']) {
      const definition = [...manifest, ...Object.values(authorizers)].find((candidate) => candidate.id === id);
      const resource = functions.get(id)?.resource;
      if (!definition || !resource) throw new Error(`no function ${id}`);
      const file = join(outdir, `bench-${id}`, 'index.mjs');
      await build({ ...esbuildOptionsFor(join(PROJECT_ROOT, definition.handler), file), absWorkingDir: PROJECT_ROOT, logLevel: 'error' });
      const deployed = join(outdir, String(resource.Metadata?.['aws:asset:path']), 'index.mjs');
      expect(readFileSync(file, 'utf8'), id).toBe(readFileSync(deployed, 'utf8'));
    }
  });

  it('fails on a handler module that does not exist (template-only synths stand another file in for it)', () => {
    const routes = futureRoutes.slice(0, 1);
    expect(() => synthesize({ stage: 'dev' }, { bundle: true, outdir, props: { routes } })).toThrow(/Cannot find entry file/);
  });
});
