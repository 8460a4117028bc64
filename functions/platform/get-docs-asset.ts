import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { compressible, textAnswer, type CompressibleText } from '#shared/http/compression.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { platformRoutes } from '#shared/routes/platform.ts';
import { DOCS_ASSETS, type DocsAssetName } from '#shared/schemas/docs.ts';

const loaded = new Map<DocsAssetName, CompressibleText>();

/**
 * Deployed, the file sits next to index.mjs (CDK copies the route's `bundleFiles`); run from the
 * repository (npm start, tests), it is read from node_modules. Compressed once per cold start: the
 * script shrinks from 1.7 MB to under 0.5 MB on the wire.
 */
function load(name: DocsAssetName): CompressibleText {
  let asset = loaded.get(name);
  if (!asset) {
    const { module } = DOCS_ASSETS[name];
    const bundled = join(import.meta.dirname, basename(module));
    asset = compressible(readFileSync(existsSync(bundled) ? bundled : join(import.meta.dirname, '..', '..', 'node_modules', module)));
    loaded.set(name, asset);
  }
  return asset;
}

/** GET /v2/docs/{asset} — a file of the reference page, from the allow-list only (any other name is a 400). */
export const handler = defineHandler(platformRoutes.getDocsAsset, ({ params, event }) =>
  // The file names carry no version: a day of caching lets an upgrade show up by the next day.
  Promise.resolve(
    textAnswer(load(params.asset), { 'content-type': DOCS_ASSETS[params.asset].contentType, 'cache-control': 'public, max-age=86400' }, event.headers['accept-encoding']),
  ),
);
