/** `npm run openapi`: writes openapi.json from the manifest (the test suite checks it is current). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApiDocument } from '#shared/http/openapi.ts';

export const OPENAPI_FILE = join(import.meta.dirname, '..', 'openapi.json');

writeFileSync(OPENAPI_FILE, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
console.log(`wrote ${OPENAPI_FILE}`);
