import { readFileSync } from 'node:fs';
import { get, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifest } from '#shared/http/manifest.ts';
import { useLocalApi } from '#test/support/local-api.ts';
import { launchBrowser } from '#test/support/browser.ts';

const api = useLocalApi();

const committedDocument = () => JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'openapi.json'), 'utf8')) as Record<string, unknown>;

describe('GET /v2/openapi.json', () => {
  it('serves the committed openapi.json, cacheable for five minutes, with the security headers', async () => {
    const response = await fetch(`${api.url()}/v2/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toMatch(/^max-age=/);
    expect(await response.json()).toEqual(committedDocument());
  });

  it('sends it gzip-encoded to clients that accept gzip, and plain to the others', async () => {
    const gzipped = await getRaw(`${api.url()}/v2/openapi.json`, { 'accept-encoding': 'gzip' });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers.vary).toBe('accept-encoding');
    expect(JSON.parse(gunzipSync(gzipped.body).toString('utf8'))).toEqual(committedDocument());
    const plain = await getRaw(`${api.url()}/v2/openapi.json`, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(plain.body.toString('utf8'))).toEqual(committedDocument());
    expect(gzipped.body.length).toBeLessThan(plain.body.length / 10);
  });

  it('documents every manifest route, itself included, and needs no credentials', async () => {
    const document = (await (await fetch(`${api.url()}/v2/openapi.json`)).json()) as { paths: Record<string, Record<string, { operationId: string }>> };
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => `${method.toUpperCase()} ${path} ${operation.operationId}`),
    );
    expect(operations.sort()).toEqual(manifest.map((route) => `${route.method} ${route.path} ${route.id}`).sort());
    expect(operations).toContain('GET /v2/openapi.json getOpenApiDocument');
  });
});

describe('GET /v2/docs/{asset}', () => {
  it('serves the Swagger UI script gzip-encoded when accepted, and the same bytes as the npm package', async () => {
    const packaged = readFileSync(join(import.meta.dirname, '..', '..', 'node_modules', 'swagger-ui-dist', 'swagger-ui-bundle.js'));
    const gzipped = await getRaw(`${api.url()}/v2/docs/swagger-ui-bundle.js`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(gzipped.status).toBe(200);
    expect(gzipped.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(gzipped.headers['cache-control']).toBe('public, max-age=86400');
    expect(gzipped.headers.vary).toBe('accept-encoding');
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    const wire = gzipped.body;
    expect(wire.length).toBeLessThan(packaged.length / 3);
    expect(gunzipSync(wire).equals(packaged)).toBe(true);

    for (const acceptEncoding of ['identity', 'gzip;q=0, identity']) {
      const plain = await getRaw(`${api.url()}/v2/docs/swagger-ui.css`, { 'accept-encoding': acceptEncoding });
      expect(plain.headers['content-type'], acceptEncoding).toBe('text/css; charset=utf-8');
      expect(plain.headers['content-encoding'], acceptEncoding).toBeUndefined();
      expect(plain.body.toString('utf8'), acceptEncoding).toBe(readFileSync(join(import.meta.dirname, '..', '..', 'node_modules', 'swagger-ui-dist', 'swagger-ui.css'), 'utf8'));
    }
  });

  it('refuses any file outside the allow-list with a 400 naming the parameter', async () => {
    for (const asset of ['index.html', 'package.json', '..%2F..%2Fpackage.json', 'swagger-ui-bundle.js.map']) {
      const response = await fetch(`${api.url()}/v2/docs/${asset}`);
      expect(response.status, asset).toBe(400);
      expect(response.headers.get('content-type'), asset).toBe('application/problem+json');
      const problem = (await response.json()) as { code: string; errors: { field: string }[] };
      expect(problem.code, asset).toBe('validation_failed');
      expect(problem.errors.map((error) => error.field), asset).toEqual(['params.asset']);
    }
  });
});

describe('GET /v2/docs in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  it('renders every operation from this server alone, under a CSP without unsafe-inline, with no console error', async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    const problems: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error' || /Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));

    const opened = await page.goto(`${api.url()}/v2/docs`);
    expect(opened?.status()).toBe(200);
    const headers = opened?.headers() ?? {};
    expect(headers['content-type']).toBe('text/html; charset=utf-8');
    expect(headers['x-frame-options']).toBe('DENY');
    const csp = headers['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'self' 'sha256-[\w+/]+=*'(;|$)/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-');

    const startAuthentication = page.locator('#operations-default-startAuthentication, [id$="-startAuthentication"]').first();
    await startAuthentication.waitFor({ state: 'visible', timeout: 30_000 });
    expect(await startAuthentication.textContent()).toContain('/v2/user/authenticate');
    expect(await startAuthentication.textContent()).toContain(summaryOf('startAuthentication'));
    const signup = page.locator('[id$="-signup"]').first();
    await signup.waitFor({ state: 'visible' });
    expect(await signup.textContent()).toContain('/v2/signup');
    expect(await signup.textContent()).toContain(summaryOf('signup'));
    // One block per operation of the document.
    expect(await page.locator('.opblock').count()).toBe(manifest.length);

    const origin = new URL(api.url()).origin;
    expect(requested.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'))).toEqual([]);
    expect(requested).toContain(`${origin}/v2/openapi.json`);
    expect(problems).toEqual([]);
    await page.close();
  });
});

/** A GET without the transparent decompression of fetch: the bytes as they travel. */
function getRaw(url: string, headers: Record<string, string>): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
      });
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) });
      });
      response.on('error', reject);
    }).on('error', reject);
  });
}

function summaryOf(id: string): string {
  const route = manifest.find((candidate) => candidate.id === id);
  if (!route) throw new Error(`no route ${id}`);
  return route.summary;
}
