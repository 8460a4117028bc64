/**
 * The local API: a plain HTTP server that turns each request into an API Gateway HTTP API v2 event,
 * runs the same authorizer and the same handler modules CDK deploys (mounted from the manifest), and
 * writes their responses back unchanged. It also mimics the gateway's own answers: 404 for unknown
 * routes, 401 when a `bearer` or `apikey` route lacks the header its authorizer reads, 403 when an
 * authorizer denies.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  APIGatewayRequestAuthorizerEventV2,
  Context,
} from 'aws-lambda';
import { config, ENV, loadConfig } from '#shared/config.ts';
import { localOutbox } from '#shared/compose/sign-in.ts';
import { localEmailOutbox } from '#shared/compose/shared.ts';
import { authorizers, manifest, type RouteDefinition } from '#shared/http/manifest.ts';
import { serveConsole } from './console.ts';

const REPOSITORY_ROOT = resolve(import.meta.dirname, '..');
/** API Gateway HTTP API's payload limit. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;
type RouteHandler = LambdaHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 | string | undefined>;
type AuthorizerHandler = LambdaHandler<APIGatewayRequestAuthorizerEventV2, { isAuthorized: boolean; context?: Record<string, unknown> }>;

interface MountedRoute {
  definition: RouteDefinition;
  pattern: RegExp;
  parameterNames: string[];
  handler: RouteHandler;
}

async function importHandler<T>(modulePath: string): Promise<T> {
  // An absolute path (not a file: URL) so that under vitest the handlers load through the same module
  // graph as the test, sharing its singletons; Node resolves it the same way on POSIX.
  const module = (await import(join(REPOSITORY_ROOT, modulePath))) as { handler?: T };
  if (!module.handler) throw new Error(`${modulePath} does not export a handler`);
  return module.handler;
}

function compilePath(path: string): { pattern: RegExp; parameterNames: string[] } {
  const parameterNames: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      const parameter = /^\{(\w+)\}$/.exec(segment);
      if (!parameter?.[1]) return segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      parameterNames.push(parameter[1]);
      return '([^/]+)';
    })
    .join('/');
  return { pattern: new RegExp(`^${source}$`), parameterNames };
}

function lambdaContext(functionName: string, requestId: string): Context {
  const deadline = Date.now() + 10_000;
  // The deprecated callback members (done/fail/succeed) are left out: nothing here calls them.
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  } as Context;
}

async function readBody(request: IncomingMessage): Promise<Buffer | 'too_large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_PAYLOAD_BYTES) return 'too_large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Headers as API Gateway v2 delivers them: lower-case names, repeated values joined by commas. */
function gatewayHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && name !== 'cookie') headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

function isTextual(contentType: string | undefined): boolean {
  return !contentType || /^(text\/|application\/(json|[\w.+-]*\+json|x-www-form-urlencoded|xml))/i.test(contentType);
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function writeResult(response: ServerResponse, result: APIGatewayProxyStructuredResultV2 | string | undefined): void {
  // Payload format 2.0: anything but a structured result is a 200 with JSON of what was returned.
  if (typeof result !== 'object' || typeof result.statusCode !== 'number') {
    send(response, 200, result ?? null);
    return;
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  response.writeHead(result.statusCode, headers);
  response.end(result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'));
}

export interface LocalServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface LocalServerOptions {
  /** @default 3000 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /**
   * Serve the operator console's build from this directory at `/` (local/console.ts); without it,
   * only the API and `/_local/*` answer, as before.
   */
  consoleDirectory?: string;
}

/** Mounts every manifest route and the authorizers, and listens. */
export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const mounted: MountedRoute[] = await Promise.all(
    manifest.map(async (definition) => ({
      definition,
      ...compilePath(definition.path),
      handler: await importHandler<RouteHandler>(definition.handler),
    })),
  );
  // The authorizers API Gateway runs before `bearer` and `apikey` routes, with the same cache semantics:
  // keyed on the identity source, for the configured TTL.
  const gatewayAuthorizers = {
    bearer: { definition: authorizers.bearer, handler: await importHandler<AuthorizerHandler>(authorizers.bearer.handler) },
    apikey: { definition: authorizers.apikey, handler: await importHandler<AuthorizerHandler>(authorizers.apikey.handler) },
  };
  const authorizerCache = new Map<string, { expiresAt: number; result: Awaited<ReturnType<AuthorizerHandler>> }>();

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = (request.method ?? 'GET').toUpperCase();

    if (method === 'GET' && url.pathname === '/_local/sms') {
      // `?to=+336…` unencoded reads as a space: take a leading space for the `+` it was.
      const to = url.searchParams.get('to')?.replace(/^ /, '+');
      send(response, 200, { items: localOutbox().list(to ?? undefined) });
      return;
    }
    if (method === 'GET' && url.pathname === '/_local/email') {
      send(response, 200, { items: localEmailOutbox().list(url.searchParams.get('to') ?? undefined) });
      return;
    }

    if (options.consoleDirectory && serveConsole(options.consoleDirectory, request, response, url.pathname)) return;

    let route: MountedRoute | undefined;
    let match: RegExpExecArray | null = null;
    for (const candidate of mounted) {
      if (candidate.definition.method !== method) continue;
      match = candidate.pattern.exec(url.pathname);
      if (match) {
        route = candidate;
        break;
      }
    }
    if (!route || !match) {
      send(response, 404, { message: 'Not Found' });
      return;
    }

    const body = await readBody(request);
    if (body === 'too_large') {
      send(response, 413, { message: 'Request Entity Too Large' });
      return;
    }
    const headers = gatewayHeaders(request);
    const requestId = randomUUID();
    const now = new Date();
    let pathParameters: Record<string, string>;
    try {
      pathParameters = Object.fromEntries(
        route.parameterNames.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? '')]),
      );
    } catch {
      // Malformed percent-encoding (`/v2/systems/%E0%A4%A`): the gateway rejects it before any function runs.
      send(response, 400, { message: 'Bad Request' });
      return;
    }
    const query = new URLSearchParams(url.search);
    const queryStringParameters: Record<string, string> = {};
    for (const key of new Set(query.keys())) queryStringParameters[key] = query.getAll(key).join(',');
    const textual = isTextual(headers['content-type']);
    const routeKey = `${route.definition.method} ${route.definition.path}`;
    const sourceIp = request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';

    const event: APIGatewayProxyEventV2 = {
      version: '2.0',
      routeKey,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      ...(request.headers.cookie ? { cookies: request.headers.cookie.split(/;\s*/) } : {}),
      ...(Object.keys(queryStringParameters).length ? { queryStringParameters } : {}),
      ...(route.parameterNames.length ? { pathParameters } : {}),
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: headers.host ?? 'localhost',
        domainPrefix: 'localhost',
        http: { method, path: url.pathname, protocol: `HTTP/${request.httpVersion}`, sourceIp, userAgent: headers['user-agent'] ?? '' },
        requestId,
        routeKey,
        stage: '$default',
        time: now.toISOString(),
        timeEpoch: now.getTime(),
      },
      ...(body.length ? { body: textual ? body.toString('utf8') : body.toString('base64') } : {}),
      isBase64Encoded: body.length > 0 && !textual,
    };

    const auth = route.definition.auth;
    if (auth === 'bearer' || auth === 'apikey') {
      const authorizer = gatewayAuthorizers[auth];
      const identity = headers[authorizer.definition.identityHeader];
      if (!identity) {
        send(response, 401, { message: 'Unauthorized' });
        return;
      }
      const cacheKey = `${auth}:${identity}`;
      let cached = authorizerCache.get(cacheKey);
      if (!cached || cached.expiresAt <= Date.now()) {
        const authorizerEvent: APIGatewayRequestAuthorizerEventV2 = {
          ...event,
          type: 'REQUEST',
          routeArn: `arn:aws:execute-api:local:000000000000:local/$default/${method}${url.pathname}`,
          identitySource: [identity],
          cookies: event.cookies ?? [],
          pathParameters: event.pathParameters ?? {},
          queryStringParameters: event.queryStringParameters ?? {},
          stageVariables: {},
        };
        const result = await authorizer.handler(authorizerEvent, lambdaContext(authorizer.definition.id, requestId));
        cached = { expiresAt: Date.now() + authorizer.definition.cacheTtlSeconds * 1000, result };
        authorizerCache.set(cacheKey, cached);
      }
      if (!cached.result.isAuthorized) {
        send(response, 403, { message: 'Forbidden' });
        return;
      }
      (event.requestContext as unknown as Record<string, unknown>).authorizer = { lambda: cached.result.context ?? {} };
    }

    writeResult(response, await route.handler(event, lambdaContext(route.definition.id, requestId)));
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      // What API Gateway answers when the integration itself fails.
      console.error('local server: handler crashed', error);
      if (!response.headersSent) send(response, 500, { message: 'Internal Server Error' });
      else response.end();
    });
  });
  server.listen(options.port ?? 3000, options.host ?? '127.0.0.1');
  await new Promise<void>((done, fail) => {
    server.once('listening', done);
    server.once('error', fail);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  const close = () =>
    new Promise<void>((done) => {
      server.close(() => {
        done();
      });
      server.closeAllConnections();
    });
  try {
    adoptAsApiBase(url, port);
  } catch (error) {
    await close();
    throw error;
  }
  return { url, port, close };
}

/**
 * Organizations issue end-user tokens as `{API_BASE}/v2/organizations/{orgId}` and serve their keys
 * under that URL, so locally API_BASE is this server's URL, known once it listens (port 0 picks a free
 * one), unless the environment names another (a tunnel or proxy in front). The handlers read their
 * config once, on first use: a read before this point would have pinned another issuer, refused here.
 */
function adoptAsApiBase(url: string, port: number): void {
  process.env[ENV.apiBase] ||= url;
  // E-mailed links open the console, at `localhost` rather than the IP address: browsers refuse
  // WebAuthn on an IP address, and the console's cookie is per host name (SPEC §11).
  process.env[ENV.consoleUrl] ||= `http://localhost:${String(port)}`;
  const wanted = loadConfig().apiBase;
  if (config().apiBase !== wanted) {
    throw new Error(`The config was read before the local server knew its URL: it has API_BASE ${config().apiBase}, not ${wanted}. Start the server first.`);
  }
}
