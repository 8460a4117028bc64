/**
 * The API reference page's assets: a fixed allow-list, nothing else is ever read from disk. Each is a
 * file of the npm-packaged renderer (Swagger UI), served from this deployment rather than a CDN.
 */
import * as z from './zod.ts';

export interface DocsAsset {
  /** Module specifier of the file in node_modules; CDK copies it next to the function's index.mjs. */
  module: string;
  contentType: string;
}

export const DOCS_ASSETS = {
  'swagger-ui-bundle.js': { module: 'swagger-ui-dist/swagger-ui-bundle.js', contentType: 'text/javascript; charset=utf-8' },
  'swagger-ui.css': { module: 'swagger-ui-dist/swagger-ui.css', contentType: 'text/css; charset=utf-8' },
} as const satisfies Record<string, DocsAsset>;

export type DocsAssetName = keyof typeof DOCS_ASSETS;

const ASSET_NAMES = Object.keys(DOCS_ASSETS) as [DocsAssetName, ...DocsAssetName[]];

export const DocsAssetParams = z.object({
  asset: z.enum(ASSET_NAMES, { error: `must be one of ${ASSET_NAMES.join(', ')}` }),
});

/** The OpenAPI document is free-form JSON here: its own schema is the OpenAPI 3.1 specification. */
export const OpenApiDocument = z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) });
