import { compressible, textAnswer, type CompressibleText } from '#shared/http/compression.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { platformRoutes } from '#shared/routes/platform.ts';
import { buildOpenApiDocument } from '#shared/http/openapi.ts';

// Built once per cold start from the manifest: the same object `npm run openapi` writes to openapi.json.
let document: CompressibleText | undefined;

/** GET /v2/openapi.json — the OpenAPI 3.1 document (250 KB, 14 KB gzipped); it changes only with a deployment. */
export const handler = defineHandler(platformRoutes.getOpenApiDocument, ({ event }) =>
  Promise.resolve(
    textAnswer(
      (document ??= compressible(JSON.stringify(buildOpenApiDocument()))),
      { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
      event.headers['accept-encoding'],
    ),
  ),
);
