/**
 * `npm run client`: writes `client/schema.d.ts`, the TypeScript types of `openapi.json`, with
 * openapi-typescript. The unit tests compare the committed file with `renderClientSchema()`, so a
 * route change that was not regenerated fails the suite (and then the type-check of the e2e tests).
 *
 * The programmatic API is used rather than the CLI so that the script and the test share one call
 * with the same options, and a `redocly.yaml` added for linting cannot change what the CLI emits.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';

export const OPENAPI_DOCUMENT_FILE = join(import.meta.dirname, '..', 'openapi.json');
export const CLIENT_SCHEMA_FILE = join(import.meta.dirname, 'schema.d.ts');

/** The generated module's text for an OpenAPI document (default options, as the CLI would write it). */
export async function renderClientSchema(document: OpenAPI3): Promise<string> {
  return `${COMMENT_HEADER}${astToString(await openapiTS(document, { silent: true }))}`;
}

/** Reads `openapi.json` as committed. */
export function readOpenApiDocument(): OpenAPI3 {
  return JSON.parse(readFileSync(OPENAPI_DOCUMENT_FILE, 'utf8')) as OpenAPI3;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(CLIENT_SCHEMA_FILE, await renderClientSchema(readOpenApiDocument()));
  console.log(`wrote ${CLIENT_SCHEMA_FILE}`);
}
