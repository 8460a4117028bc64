import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifest } from '#shared/http/manifest.ts';
import { buildOpenApiDocument } from '#shared/http/openapi.ts';

describe('OpenAPI document', () => {
  const document = buildOpenApiDocument() as { paths: Record<string, Record<string, { operationId: string }>> };

  it('has exactly the manifest routes', () => {
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => `${method.toUpperCase()} ${path} ${operation.operationId}`),
    );
    expect(operations.sort()).toEqual(manifest.map((route) => `${route.method} ${route.path} ${route.id}`).sort());
  });

  it('documents request bodies from the same schemas the handlers validate with', () => {
    const signup = document.paths['/v2/signup']?.post as unknown as { requestBody: { content: Record<string, { schema: { required: string[]; additionalProperties: boolean } }> } };
    const schema = signup.requestBody.content['application/json']?.schema;
    expect(schema?.required.sort()).toEqual(['accountName', 'email', 'password']);
    expect(schema?.additionalProperties).toBe(false);
  });

  it('is what openapi.json holds (run `npm run openapi` after changing a route)', () => {
    const committed = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'openapi.json'), 'utf8')) as unknown;
    expect(committed).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
  });
});
