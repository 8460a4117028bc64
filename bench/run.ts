/**
 * `npm run bench`: the console's first load, bundles, cold starts, round trips, warm latency, load and cost, side by side with
 * a baseline function, against one DynamoDB Local and loopback stand-ins for KMS and SNS. Writes
 * bench/results/latest.json, latest.md and latest.svg. `--quick` makes fewer repetitions (a smoke run).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { PROJECT_ROOT } from '#infra/constructs/api-function.ts';
import { authorizers, manifest, routes, type RouteDefinition } from '#shared/http/manifest.ts';
import { createTable, localDynamoDbClient, LOCAL_CREDENTIALS, startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { BASELINE_ID, bundleAll, type BundledFunction } from './bundle.ts';
import { measureConsole } from './console-size.ts';
import { authorizerEvent, gatewayEvent, type Credentials, type EventInput } from './events.ts';
import { startFakeAws } from './fake-aws.ts';
import { instrument, resetTally, sizeWrites, type ItemProbe, type Tally } from './instrument.ts';
import { PASSWORD_HASHING_COLD, writeReports, type BenchResults, type ColdResult, type OperationResult } from './report.ts';
import { BENCH_REDIRECT_URI, PASSWORD, phoneOf, seedTenant, SYSTEM, type BenchTenant } from './tenant.ts';

const QUICK = process.argv.includes('--quick');
const COLD_RUNS = QUICK ? 2 : 5;
const WARM = QUICK ? 10 : 100;
const WARM_SLOW = QUICK ? 3 : 10; // operations that hash a password (scrypt): a few suffice
const LOAD_PAIRS = QUICK ? 40 : 300;
const LOAD_CONCURRENCY = 10;

const exec = promisify(execFile);
const started = Date.now();
const log = (message: string) => {
  process.stdout.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}\n`);
};

type Handler = (event: unknown, context: Context) => Promise<unknown>;
interface Answer {
  status: number;
  /** The JSON body (empty for an HTML page or no body). */
  body: Record<string, unknown>;
  headers: Record<string, string>;
  cookies: string[];
  ms: number;
  tally: Tally;
}

function lambdaContext(name: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    memoryLimitInMB: '256',
    awsRequestId: 'bench',
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 10_000,
  } as Context;
}

const handlers = new Map<string, Handler>();
async function handlerOf(id: string): Promise<Handler> {
  const definition = [...manifest, ...Object.values(authorizers)].find((candidate) => candidate.id === id);
  if (!definition) throw new Error(`no function ${id}`);
  let handler = handlers.get(id);
  if (!handler) {
    handler = ((await import(join(PROJECT_ROOT, definition.handler))) as { handler: Handler }).handler;
    handlers.set(id, handler);
  }
  return handler;
}

/** Runs one function in-process and answers its status, body, duration and what it cost. */
async function invoke(id: string, event: unknown): Promise<Answer> {
  const handler = await handlerOf(id);
  resetTally();
  const before = performance.now();
  const result = (await handler(event, lambdaContext(id))) as {
    statusCode?: number;
    body?: string;
    headers?: Record<string, string>;
    cookies?: string[];
    isAuthorized?: boolean;
    context?: unknown;
  };
  const ms = performance.now() - before;
  const tally = resetTally();
  if (result.isAuthorized !== undefined) return { status: result.isAuthorized ? 200 : 403, body: { context: result.context }, headers: {}, cookies: [], ms, tally };
  const headers = result.headers ?? {};
  // The hosted login answers HTML pages: only JSON bodies are parsed.
  const body = result.body && /json/.test(headers['content-type'] ?? 'application/json') ? (JSON.parse(result.body) as Record<string, unknown>) : {};
  return { status: result.statusCode ?? 200, body, headers, cookies: result.cookies ?? [], ms, tally };
}

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
};
const median = (values: number[]) => quantile(values, 0.5);
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);

async function main(): Promise<void> {
  const outDir = join(PROJECT_ROOT, 'cdk.out', 'bench');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  log('building the console (its first load, gzipped)');
  const consoleSize = await measureConsole();
  log(`console first load: ${(consoleSize.firstLoad.gzipBytes / 1024).toFixed(1)} KB gzipped`);

  log('bundling every function as CDK does');
  const bundles = await bundleAll(outDir);
  const baselineBundle = bundles.find((bundle) => bundle.id === BASELINE_ID) as BundledFunction;

  log('starting DynamoDB Local and the KMS/SNS stand-ins');
  const db = await startDynamoDbLocal();
  const aws = await startFakeAws();
  const tableName = 'portcullis-bench';
  const admin = localDynamoDbClient(db.endpoint);
  await createTable(admin, tableName);
  admin.destroy();

  // What CDK gives a deployed function (KMS keys, SNS), with the endpoints pointing here.
  const env: Record<string, string> = {
    STAGE: 'bench',
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: db.endpoint,
    TOKEN_ISSUER: 'urn:portcullis:bench',
    // An execute-api URL's length, as CDK sets it: the organizations' `iss` is built on it.
    API_BASE: 'https://0123456789.execute-api.us-east-1.amazonaws.com',
    KEY_PROVIDER: 'kms',
    SIGNING_KMS_KEY_ID: 'arn:aws:kms:us-east-1:000000000000:key/bench-signing',
    DATA_KMS_KEY_ID: 'arn:aws:kms:us-east-1:000000000000:key/bench-data',
    SMS_PROVIDER: 'sns',
    // The bench tenant's users are French; its organization sends every SMS of the run (bench/tenant.ts).
    SMS_ALLOWED_COUNTRIES: 'FR',
    SMS_ACCOUNT_DAILY_LIMIT: '1000000',
    SMS_DEPLOYMENT_DAILY_LIMIT: '1000000',
    AWS_ENDPOINT_URL_KMS: aws.endpoint,
    AWS_ENDPOINT_URL_SNS: aws.endpoint,
    AWS_ENDPOINT_URL_SESV2: aws.endpoint,
    EMAIL_PROVIDER: 'ses',
    EMAIL_FROM: 'Portcullis <no-reply@bench.example>',
    EMAIL_CONFIGURATION_SET: 'portcullis-bench',
    // The signup measured is the one that creates the account and signs in (a deployment's default,
    // verify-email, answers 202 and mails a link: a different flow, not the one the targets name).
    SIGNUP_MODE: 'open',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    POWERTOOLS_SERVICE_NAME: 'portcullis',
    // Warnings and errors only, in every process alike: the benchmark's output stays readable.
    POWERTOOLS_LOG_LEVEL: 'WARN',
    // No EMF metric lines on the console either (one per counted invocation in Lambda: a stdout write).
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  Object.assign(process.env, env);

  const runtime = await import('#shared/compose/runtime.ts');
  // What the key function does at deployment: the functions only read keyrings.
  await (await import('#shared/compose/platform.ts')).keyProvisioning().provision();
  // Sizes what each write touches (DynamoDB Local's write units are not AWS's: see instrument.ts); not counted.
  const probeClient = DynamoDBDocumentClient.from(localDynamoDbClient(db.endpoint));
  const sizeProbe: ItemProbe = async (table, key) => (await probeClient.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
  instrument(runtime.documentClient(), 'dynamodb', sizeProbe);
  instrument(await runtime.kmsClient(), 'kms');
  instrument(await runtime.snsClient(), 'sns');

  const usersNeeded = WARM + 20 + 20 + LOAD_PAIRS + 2 * COLD_RUNS + 5;
  log(`seeding a tenant with ${usersNeeded} end users`);
  const tenant = await seedTenant(usersNeeded);
  let nextUser = 0;
  const takeUser = () => {
    const user = tenant.users[nextUser++];
    if (!user) throw new Error('out of seeded end users');
    return user;
  };
  const keyCredentials: Credentials = { apiKey: tenant.apiKey, keyId: tenant.keyId, accountId: tenant.accountId, organizationId: tenant.organizationId };

  const logIn = async () => {
    const answer = await invoke('login', gatewayEvent(routes.login, {}, { body: { email: tenant.ownerEmail, password: PASSWORD } }));
    if (answer.status !== 200) throw new Error(`login answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return { answer, accessToken: String(answer.body.accessToken), refreshToken: String(answer.body.refreshToken) };
  };
  const session = await logIn();
  const operatorCredentials: Credentials = { accessToken: session.accessToken, userId: tenant.ownerId, ...keyCredentials };

  const pinOf = (phone: string): string => /code is (\d+)/.exec(aws.lastSms.get(phone) ?? '')?.[1] ?? '';
  const tokenOf = (phone: string): string => /token=([\w-]+)/.exec(aws.lastSms.get(phone) ?? '')?.[1] ?? '';
  const startEvent = (email: string, context?: Record<string, string>) =>
    gatewayEvent(routes.startAuthentication, keyCredentials, { body: { email, system: SYSTEM, ...(context ? { context } : {}) } });
  const completeEvent = (email: string, challengeId: string, factor: Record<string, string>) =>
    gatewayEvent(routes.completeAuthentication, keyCredentials, { body: { email, system: SYSTEM, challengeId, ...factor } });

  // An OIDC token exchange: the code the hosted login would have minted (not counted: `invoke` resets
  // the tally), for a public client with PKCE, exchanged form-encoded as a relying party does.
  const { authorizationCodes } = await import('#shared/compose/oidc.ts');
  const { s256Challenge } = await import('#shared/domain/oidc/pkce.ts');
  const verifier = 'bench-pkce-verifier-'.padEnd(64, 'v');
  const tokenExchangeEvent = async () => {
    const user = tenant.users[0];
    if (!user) throw new Error('no seeded end user');
    const code = await authorizationCodes().issue({
      organizationId: tenant.organizationId,
      accountId: tenant.accountId,
      clientId: SYSTEM,
      redirectUri: BENCH_REDIRECT_URI,
      codeChallenge: s256Challenge(verifier),
      scope: ['openid', 'email'],
      nonce: 'bench',
      userId: user.id,
      email: user.email,
      phone: user.phone,
      amr: ['sms'],
      authTime: Math.floor(Date.now() / 1000),
    });
    const form = { grant_type: 'authorization_code', code, redirect_uri: BENCH_REDIRECT_URI, code_verifier: verifier, client_id: SYSTEM };
    return gatewayEvent(routes.exchangeOAuthToken, {}, {
      params: { orgId: tenant.organizationId },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  };

  // The hosted login's entry, as a relying party's redirect sends the browser there: a good request
  // opens a login transaction and answers a 303 to its page, with the browser's cookie.
  const authorizeEvent = () =>
    gatewayEvent(routes.startAuthorization, {}, {
      params: { orgId: tenant.organizationId },
      query: {
        response_type: 'code',
        client_id: SYSTEM,
        redirect_uri: BENCH_REDIRECT_URI,
        scope: 'openid email',
        state: 'bench-state',
        nonce: 'bench-nonce',
        code_challenge: s256Challenge(verifier),
        code_challenge_method: 'S256',
      },
    });
  // Its first page (the e-mail form), opened by the browser that holds the transaction's cookie.
  const loginPageEvent = async () => {
    const opened = await invoke('startAuthorization', authorizeEvent());
    const location = new URL(opened.headers.location ?? '', 'https://bench.local');
    const event = gatewayEvent(routes.showLoginPage, {}, { params: { orgId: tenant.organizationId }, query: { login: location.searchParams.get('login') ?? '' } });
    return { ...event, cookies: opened.cookies.map((cookie) => cookie.split(';')[0] ?? '') };
  };

  // ---- Round trips, capacity and warm latency, in-process --------------------------------------
  const operations: OperationResult[] = [];
  async function measure(name: string, functionId: string, runs: number, next: () => Promise<Answer>, expect: number): Promise<void> {
    const answers: Answer[] = [];
    for (let index = 0; index < runs; index++) {
      const answer = await next();
      if (answer.status !== expect) throw new Error(`${name}: expected ${expect}, got ${answer.status} ${JSON.stringify(answer.body)}`);
      answers.push(answer);
    }
    // The first call of a process may unwrap keys (KMS) and open connections: reported apart.
    const warm = answers.length > 1 ? answers.slice(1) : answers;
    const first = answers[0] as Answer;
    operations.push({
      name,
      functionId,
      runs: warm.length,
      dynamodbCalls: median(warm.map((a) => a.tally.dynamodb)),
      dynamodbCallsMax: Math.max(...warm.map((a) => a.tally.dynamodb)),
      dynamodbOperations: (warm[0] as Answer).tally.operations,
      readUnits: mean(warm.map((a) => a.tally.readUnits)),
      writeUnits: mean(warm.map((a) => a.tally.writeUnits)),
      kmsFirst: first.tally.kms,
      kmsWarm: Math.max(...warm.map((a) => a.tally.kms)),
      sns: median(warm.map((a) => a.tally.sns)),
      p50: median(warm.map((a) => a.ms)),
      p95: quantile(warm.map((a) => a.ms), 0.95),
      p99: quantile(warm.map((a) => a.ms), 0.99),
      dynamodbShare: warm.reduce((sum, a) => sum + a.tally.dynamodbBusyMs, 0) / warm.reduce((sum, a) => sum + a.ms, 0),
      memoryMb: manifest.find((d) => d.id === functionId)?.memoryMb ?? 256,
    });
    log(`measured ${name}: ${operations.at(-1)?.dynamodbCalls} DynamoDB calls, p50 ${operations.at(-1)?.p50.toFixed(1)} ms`);
  }

  log('measuring the sign-in and session flows in-process');
  const pinPairs: { email: string; challengeId: string; pin: string }[] = [];
  await measure(
    'POST /v2/user/authenticate (PIN)',
    'startAuthentication',
    WARM,
    async () => {
      const user = takeUser();
      const answer = await invoke('startAuthentication', startEvent(user.email));
      pinPairs.push({ email: user.email, challengeId: String(answer.body.challengeId), pin: pinOf(user.phone) });
      return answer;
    },
    202,
  );
  let pinIndex = 0;
  await measure(
    'POST /v2/system/authenticate/user (PIN)',
    'completeAuthentication',
    WARM,
    () => {
      const pair = pinPairs[pinIndex++] as (typeof pinPairs)[number];
      return invoke('completeAuthentication', completeEvent(pair.email, pair.challengeId, { pin: pair.pin }));
    },
    200,
  );

  const linkPairs: { email: string; challengeId: string; token: string }[] = [];
  await measure(
    'POST /v2/user/authenticate (magic link)',
    'startAuthentication',
    20,
    async () => {
      const user = takeUser();
      const answer = await invoke('startAuthentication', startEvent(user.email, { sensitivity: 'link' }));
      linkPairs.push({ email: user.email, challengeId: String(answer.body.challengeId), token: tokenOf(user.phone) });
      return answer;
    },
    202,
  );
  let linkIndex = 0;
  await measure(
    'POST /v2/system/authenticate/user (magic link)',
    'completeAuthentication',
    20,
    () => {
      const pair = linkPairs[linkIndex++] as (typeof linkPairs)[number];
      return invoke('completeAuthentication', completeEvent(pair.email, pair.challengeId, { passwordless: pair.token }));
    },
    200,
  );
  let decoy = 0;
  await measure(
    'POST /v2/user/authenticate (unknown email, decoy)',
    'startAuthentication',
    20,
    () => invoke('startAuthentication', startEvent(`nobody-${decoy++}@example.com`)),
    202,
  );

  let signups = 0;
  await measure(
    'POST /v2/auth/signup',
    'signup',
    WARM_SLOW,
    () =>
      invoke(
        'signup',
        gatewayEvent(routes.signup, {}, { body: { email: `bench-signup-${signups++}-${Date.now()}@example.com`, password: PASSWORD, accountName: 'Signup' } }),
      ),
    201,
  );
  await measure('POST /v2/auth/login', 'login', WARM_SLOW, async () => (await logIn()).answer, 200);
  let refreshToken = session.refreshToken;
  await measure(
    'POST /v2/auth/refresh',
    'refresh',
    WARM,
    async () => {
      const answer = await invoke('refresh', gatewayEvent(routes.refresh, {}, { body: { refreshToken } }));
      refreshToken = String(answer.body.refreshToken);
      return answer;
    },
    200,
  );
  await measure(
    'POST /v2/auth/logout',
    'logout',
    WARM_SLOW,
    async () => {
      const { refreshToken: token } = await logIn();
      return invoke('logout', gatewayEvent(routes.logout, {}, { body: { refreshToken: token } }));
    },
    204,
  );
  await measure('GET /v2/me', 'getMe', WARM, () => invoke('getMe', gatewayEvent(routes.getMe, operatorCredentials)), 200);
  await measure('GET /.well-known/jwks.json', 'getJwks', WARM, () => invoke('getJwks', gatewayEvent(routes.getJwks, {})), 200);
  await measure('GET {iss}/oauth2/authorize (hosted login entry)', 'startAuthorization', WARM, () => invoke('startAuthorization', authorizeEvent()), 303);
  await measure('GET {iss}/oauth2/login (the e-mail page)', 'showLoginPage', WARM, async () => invoke('showLoginPage', await loginPageEvent()), 200);
  await measure('POST {iss}/oauth2/token (code + PKCE)', 'exchangeOAuthToken', WARM, async () => invoke('exchangeOAuthToken', await tokenExchangeEvent()), 200);
  const probe = routes.getMe;
  await measure(
    'bearer authorizer (cache miss)',
    'bearerAuthorizer',
    WARM,
    () => invoke('bearerAuthorizer', authorizerEvent(probe, `Bearer ${session.accessToken}`, operatorCredentials)),
    200,
  );
  await measure(
    'apikey authorizer (cache miss)',
    'apikeyAuthorizer',
    WARM,
    () => invoke('apikeyAuthorizer', authorizerEvent(routes.startAuthentication, tenant.apiKey, keyCredentials)),
    200,
  );

  // ---- Load: the local server, the PIN pair, fixed requests at fixed concurrency ------------------
  log(`load: ${LOAD_PAIRS} PIN sign-ins (start + complete) at concurrency ${LOAD_CONCURRENCY}`);
  const { startLocalServer } = await import('#local/server.ts');
  const server = await startLocalServer({ port: 0 });
  const loadUsers = Array.from({ length: LOAD_PAIRS }, () => takeUser());
  const statuses = new Map<number, number>();
  const latencies: number[] = [];
  let failures = 0;
  const post = async (path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const before = performance.now();
    const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', apikey: tenant.apiKey }, body: JSON.stringify(body) });
    const json = (await response.json()) as Record<string, unknown>;
    latencies.push(performance.now() - before);
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    return { status: response.status, json };
  };
  sizeWrites(false);
  const loadStarted = performance.now();
  let cursor = 0;
  await Promise.all(
    Array.from({ length: LOAD_CONCURRENCY }, async () => {
      for (let index = cursor++; index < loadUsers.length; index = cursor++) {
        const user = loadUsers[index] as BenchTenant['users'][number];
        try {
          const started = await post('/v2/user/authenticate', { email: user.email, system: SYSTEM });
          const completed = await post('/v2/system/authenticate/user', { email: user.email, system: SYSTEM, challengeId: started.json.challengeId, pin: pinOf(user.phone) });
          if (started.status !== 202 || completed.status !== 200 || completed.json.authenticated !== true) failures++;
        } catch {
          failures++;
        }
      }
    }),
  );
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  sizeWrites(true);
  await server.close();
  const load = {
    pairs: LOAD_PAIRS,
    requests: LOAD_PAIRS * 2,
    concurrency: LOAD_CONCURRENCY,
    seconds: loadSeconds,
    signInsPerSecond: LOAD_PAIRS / loadSeconds,
    requestsPerSecond: (LOAD_PAIRS * 2) / loadSeconds,
    errors: failures,
    statuses: Object.fromEntries(statuses),
    p50: median(latencies),
    p95: quantile(latencies, 0.95),
    p99: quantile(latencies, 0.99),
  };
  log(`load: ${load.signInsPerSecond.toFixed(0)} sign-ins/s, ${failures} errors`);

  // ---- Cold starts: a fresh Node.js process per run ---------------------------------------------
  log(`cold starts: ${COLD_RUNS} fresh processes per function (${bundles.length} functions incl. the baseline)`);
  const eventDir = mkdtempSync(join(tmpdir(), 'portcullis-bench-'));
  let coldCounter = 0;
  const coldEvent = async (bundle: BundledFunction): Promise<unknown> => {
    coldCounter++;
    if (bundle.id === BASELINE_ID) return {};
    if (bundle.id === 'bearerAuthorizer') return authorizerEvent(probe, `Bearer ${session.accessToken}`, operatorCredentials);
    if (bundle.id === 'apikeyAuthorizer') return authorizerEvent(routes.startAuthentication, tenant.apiKey, keyCredentials);
    const route = manifest.find((candidate) => candidate.id === bundle.id) as RouteDefinition;
    switch (route.id) {
      case 'startAuthentication':
        return startEvent(takeUser().email);
      case 'completeAuthentication': {
        const user = takeUser();
        const answer = await invoke('startAuthentication', startEvent(user.email));
        return completeEvent(user.email, String(answer.body.challengeId), { pin: pinOf(user.phone) });
      }
      case 'signup':
        return gatewayEvent(route, {}, { body: { email: `bench-cold-${coldCounter}-${Date.now()}@example.com`, password: PASSWORD, accountName: 'Cold' } });
      case 'login':
        return gatewayEvent(route, {}, { body: { email: tenant.ownerEmail, password: PASSWORD } });
      case 'refresh':
      case 'logout':
        return gatewayEvent(route, {}, { body: { refreshToken: (await logIn()).refreshToken } });
      case 'exchangeOAuthToken':
        return tokenExchangeEvent();
      case 'startAuthorization':
        return authorizeEvent();
      case 'showLoginPage':
        return loginPageEvent();
      default:
        return gatewayEvent(route, operatorCredentials, genericInput(route, tenant, coldCounter));
    }
  };
  const coldRuns = new Map<string, { totalMs: number; importMs: number; firstRequestMs: number; status: number }[]>();
  const order = [baselineBundle, ...bundles.filter((bundle) => bundle.id !== BASELINE_ID)];
  for (let run = 0; run < COLD_RUNS; run++) {
    for (const bundle of order) {
      const eventFile = join(eventDir, `${bundle.id}.json`);
      writeFileSync(eventFile, JSON.stringify(await coldEvent(bundle)));
      const { stdout } = await exec(process.execPath, [join(PROJECT_ROOT, 'bench', 'cold-start.ts'), bundle.file, eventFile], {
        cwd: PROJECT_ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
        maxBuffer: 16 * 1024 * 1024,
      });
      const line = stdout.trim().split('\n').reverse().find((candidate) => candidate.startsWith('{"importMs"'));
      if (!line) throw new Error(`${bundle.id}: the cold start printed no result:\n${stdout}`);
      coldRuns.set(bundle.id, [...(coldRuns.get(bundle.id) ?? []), JSON.parse(line) as { totalMs: number; importMs: number; firstRequestMs: number; status: number }]);
    }
    log(`cold starts: round ${run + 1} of ${COLD_RUNS} done`);
  }
  rmSync(eventDir, { recursive: true, force: true });
  const baselineCold = median((coldRuns.get(BASELINE_ID) ?? []).map((r) => r.totalMs));
  // One password hash, timed here: login and signup are judged without it (PASSWORD_HASHING_COLD).
  const { hashPassword } = await import('#shared/domain/sessions/passwords.ts');
  const scryptRuns: number[] = [];
  for (let run = 0; run < 3; run++) {
    const begun = performance.now();
    await hashPassword(PASSWORD);
    scryptRuns.push(performance.now() - begun);
  }
  const scryptMs = median(scryptRuns);
  const cold: ColdResult[] = bundles.map((bundle) => {
    const runs = coldRuns.get(bundle.id) ?? [];
    const total = median(runs.map((r) => r.totalMs));
    return {
      id: bundle.id,
      bytes: bundle.bytes,
      coldMs: total,
      importMs: median(runs.map((r) => r.importMs)),
      firstRequestMs: median(runs.map((r) => r.firstRequestMs)),
      ratio: (PASSWORD_HASHING_COLD.includes(bundle.id) ? Math.max(total - scryptMs, 0) : total) / baselineCold,
      statuses: [...new Set(runs.map((r) => r.status))],
    };
  });

  await db.stop();
  await aws.close();

  const results: BenchResults = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    quick: QUICK,
    machine: { cpus: (await import('node:os')).cpus().length },
    baseline: { coldMs: baselineCold, bytes: baselineBundle.bytes },
    scryptMs,
    cold,
    operations,
    load,
    console: consoleSize,
    durationSeconds: (Date.now() - started) / 1000,
  };
  const files = writeReports(results);
  log(`wrote ${files.join(', ')}`);
}

/** Path parameters from the tenant, a body where one is cheap to give: the function's first request. */
function genericInput(route: RouteDefinition, tenant: BenchTenant, counter: number): EventInput {
  const missing = 'zzz_00000000000000000000000000000000';
  const endUser = tenant.users[0]?.id ?? missing;
  const params: Record<string, string> = {
    accountId: tenant.accountId,
    orgId: tenant.organizationId,
    groupId: tenant.groupId,
    systemName: SYSTEM,
    userId: route.path.includes('/members/') ? tenant.ownerId : endUser,
    keyId: tenant.keyId,
    invitationId: missing,
    token: missing,
  };
  // Deleting what the other functions use would change their first request: deletes aim at a missing id.
  if (route.method === 'DELETE') {
    const last = /\{(\w+)\}$/.exec(route.path)?.[1];
    if (last) params[last] = missing;
  }
  const bodies: Partial<Record<string, unknown>> = {
    createOrganization: { name: `Cold ${counter}` },
    createGroup: { name: `Cold ${counter}`, organizations: [tenant.organizationId] },
    createSystem: { name: `cold-${counter}`, policy: { factors: ['pin'] } },
    createEndUser: { email: `cold-${counter}@example.com`, phone: phoneOf(900_000 + counter) },
    createAccessKey: { name: `cold ${counter}`, permissions: ['authenticate'], organizations: [tenant.organizationId] },
    createInvitation: { email: `invitee-${counter}@example.com`, role: 'viewer' },
    updateAccount: { name: 'Bench Account' },
    updateOrganization: { name: 'Bench Organization' },
    updateGroup: { name: 'Bench Group' },
  };
  const body = bodies[route.id] ?? (route.method === 'GET' || route.method === 'DELETE' ? undefined : {});
  return { params, ...(body === undefined ? {} : { body }) };
}

await main();
process.exit(0);
