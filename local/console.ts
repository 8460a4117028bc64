/**
 * The console at `/` of the local server (SPEC §10), as CloudFront serves it in a deployment: the
 * built files of `console/dist`, any path that is no file answered with index.html (the single-page
 * app's routes), and the same security headers (CSP, nosniff, DENY, no-referrer; no HSTS on plain
 * HTTP). `npm start` builds the console first when the build is missing or older than its sources.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { CONSOLE_CSP } from '#shared/http/console-headers.ts';

const REPOSITORY_ROOT = resolve(import.meta.dirname, '..');
export const CONSOLE_ROOT = join(REPOSITORY_ROOT, 'console');
export const CONSOLE_DIST = join(CONSOLE_ROOT, 'dist');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

export const CONSOLE_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;

/**
 * Answers a GET or HEAD for the console; false when the request is not the console's (`/v2/*`,
 * `/_local/*`, other methods), so the API's routing takes it.
 */
export function serveConsole(directory: string, request: IncomingMessage, response: ServerResponse, pathname: string): boolean {
  const method = request.method ?? 'GET';
  if ((method !== 'GET' && method !== 'HEAD') || pathname.startsWith('/v2/') || pathname === '/v2' || pathname.startsWith('/_local/')) return false;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    decoded = '/';
  }
  const root = resolve(directory);
  const candidate = resolve(root, `.${decoded}`);
  const inside = candidate === root || candidate.startsWith(root + sep);
  const isFile = inside && candidate !== root && existsSync(candidate) && statSync(candidate).isFile();
  // The single-page-app fallback (CloudFront's SPA function does the same): a path with no file is a route.
  const file = isFile ? candidate : join(root, 'index.html');
  if (!isFile && extname(decoded) !== '' && !decoded.endsWith('.html')) {
    response.writeHead(404, { ...CONSOLE_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
    response.end('Not Found');
    return true;
  }
  if (!existsSync(file)) {
    response.writeHead(503, { ...CONSOLE_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
    response.end('The console is not built: run npm start, which builds it.');
    return true;
  }
  const hashed = file.startsWith(join(root, 'assets') + sep);
  response.writeHead(200, {
    ...CONSOLE_HEADERS,
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  response.end(method === 'HEAD' ? undefined : readFileSync(file));
  return true;
}

/** The newest modification time among the console's sources and the typed client it imports. */
function newestSource(): number {
  let newest = 0;
  const visit = (path: string): void => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) visit(join(path, entry));
    } else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const path of [join(CONSOLE_ROOT, 'src'), join(CONSOLE_ROOT, 'index.html'), join(CONSOLE_ROOT, 'vite.config.ts'), join(REPOSITORY_ROOT, 'client')]) {
    if (existsSync(path)) visit(path);
  }
  return newest;
}

/** Whether `console/dist` is missing or older than a source. */
export function consoleIsStale(directory = CONSOLE_DIST): boolean {
  const index = join(directory, 'index.html');
  return !existsSync(index) || statSync(index).mtimeMs < newestSource();
}

/**
 * Builds the console with Vite when it is missing or stale (or always, with `force`); answers whether
 * it built. `manifest` adds Vite's .vite/manifest.json, which the bench reads and the deployment leaves out.
 */
export async function ensureConsoleBuilt(options: { force?: boolean; outDir?: string; manifest?: boolean } = {}): Promise<boolean> {
  const outDir = options.outDir ?? CONSOLE_DIST;
  if (!options.force && !consoleIsStale(outDir)) return false;
  const { build } = await import('vite');
  // Always React's production build, whatever NODE_ENV the caller runs under: vitest sets `test`, and
  // Vite and its React plugin read NODE_ENV itself (not only the mode) to pick React's development
  // build and JSX runtime, which the tests and the screenshots must not get.
  const callersNodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(CONSOLE_ROOT, 'vite.config.ts'), logLevel: 'warn', mode: 'production', build: { outDir, emptyOutDir: true, manifest: options.manifest ?? false } });
  } finally {
    if (callersNodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = callersNodeEnv;
  }
  return true;
}
