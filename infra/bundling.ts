/**
 * The esbuild options of every function, in one place: the CDK construct hands them to NodejsFunction
 * (infra/constructs/api-function.ts) and the benchmark (bench/bundle.ts) runs esbuild with the very
 * same flags NodejsFunction derives from them, so the bundles it measures are the ones that deploy.
 */

/** The AWS SDK v3 is left out of every bundle: the Node.js 22 Lambda runtime provides it. */
export const EXTERNAL_MODULES = ['@aws-sdk/*'];

export const BUNDLING = {
  format: 'esm',
  target: 'node22',
  minify: true,
  sourceMap: true,
  // Stack traces need the mappings, not a second copy of the source in every bundle.
  sourcesContent: false,
  // Prefer the ESM build of dependencies that ship both, for tree shaking.
  mainFields: ['module', 'main'],
  // CommonJS dependencies bundled into an ESM file still call `require`, which ESM lacks.
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  externalModules: EXTERNAL_MODULES,
} as const;

/**
 * The options of esbuild's JS API equal to the command line NodejsFunction builds from `BUNDLING`
 * (`--bundle --target --platform=node --format --outfile=…/index.mjs --minify --sourcemap
 * --sources-content=false --external:… --banner:js=… --main-fields=…`).
 */
export function esbuildOptionsFor(entry: string, outfile: string) {
  return {
    entryPoints: [entry],
    bundle: true,
    target: BUNDLING.target,
    platform: 'node' as const,
    format: BUNDLING.format,
    outfile,
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourceMap,
    sourcesContent: BUNDLING.sourcesContent,
    external: [...BUNDLING.externalModules],
    banner: { js: BUNDLING.banner },
    mainFields: [...BUNDLING.mainFields],
  };
}
