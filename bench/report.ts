/**
 * Turns the measurements into the cost model, the target verdicts and the three result files:
 * bench/results/latest.json (everything), latest.md (the tables bench/README.md shows) and latest.svg
 * (cold init and warm latency per function, hand-written SVG).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '#infra/constructs/api-function.ts';
import type { ConsoleSize } from './console-size.ts';
import { ALTERNATIVES, PRICES } from './prices.ts';

export interface ColdResult {
  id: string;
  bytes: number;
  /** Median of import + first request in a fresh process, ms. */
  coldMs: number;
  importMs: number;
  firstRequestMs: number;
  /**
   * coldMs / the baseline's coldMs; for the functions whose first request hashes a password
   * (`PASSWORD_HASHING_COLD`), (coldMs − one scrypt hash) / the baseline's: judged apart for scrypt.
   */
  ratio: number;
  /** HTTP statuses of the first requests (what the function answered). */
  statuses: number[];
}

export interface OperationResult {
  name: string;
  functionId: string;
  runs: number;
  /** Median DynamoDB calls per warm request, and the most seen. */
  dynamodbCalls: number;
  dynamodbCallsMax: number;
  dynamodbOperations: string[];
  /** Mean units per warm request: reads as DynamoDB Local reports them, writes computed from the items written (bench/instrument.ts). */
  readUnits: number;
  writeUnits: number;
  kmsFirst: number;
  kmsWarm: number;
  sns: number;
  p50: number;
  p95: number;
  p99: number;
  /** Share of the handler's time with a DynamoDB call in flight. */
  dynamodbShare: number;
  memoryMb: number;
}

export interface LoadResult {
  pairs: number;
  requests: number;
  concurrency: number;
  seconds: number;
  signInsPerSecond: number;
  requestsPerSecond: number;
  errors: number;
  statuses: Record<string, number>;
  p50: number;
  p95: number;
  p99: number;
}

export interface BenchResults {
  generatedAt: string;
  node: string;
  quick: boolean;
  machine: { cpus: number };
  baseline: { coldMs: number; bytes: number };
  /** Median time of one scrypt password hash in the bench process, ms (see PASSWORD_HASHING_COLD). */
  scryptMs?: number;
  cold: ColdResult[];
  operations: OperationResult[];
  load: LoadResult;
  /** The console's first load and pages, gzipped (bench/console-size.ts). */
  console: ConsoleSize;
  durationSeconds: number;
}

/**
 * Functions whose first request hashes a password with scrypt at OWASP cost (~100 ms at 1 GB in
 * Lambda, far more on a shared machine): that hash is the point, not start-up cost, so their cold
 * init is judged without one hash (`scryptMs`, measured in the bench process).
 */
export const PASSWORD_HASHING_COLD: readonly string[] = ['login', 'signup'];

export const TARGETS = {
  coldRatio: 1.25,
  bundleBytes: 250 * 1024,
  startDynamodbCalls: 3,
  // Read, take the attempt (before the code is compared: SPEC §6 attempt budgets), consume.
  completeDynamodbCalls: 3,
  warmKmsCalls: 0,
  dollarsPerMillionPinSignIns: 4,
  // The console's entry, its static imports and CSS, gzipped (issue 19).
  consoleFirstLoadGzipBytes: 200 * 1024,
} as const;

/** $ per million requests of one operation: gateway, Lambda requests and GB-s, DynamoDB units. */
export function costPerMillion(operation: OperationResult, options: { viaGateway: boolean } = { viaGateway: true }) {
  const billedSeconds = Math.ceil(operation.p50) / 1000; // Lambda bills whole milliseconds
  const gateway = options.viaGateway ? PRICES.httpApi.perMillionRequests : 0;
  const lambdaRequests = PRICES.lambdaArm64.perMillionRequests;
  const lambdaDuration = (operation.memoryMb / 1024) * billedSeconds * PRICES.lambdaArm64.perGbSecond * 1e6;
  const reads = operation.readUnits * PRICES.dynamodbOnDemand.perMillionReadRequestUnits;
  const writes = operation.writeUnits * PRICES.dynamodbOnDemand.perMillionWriteRequestUnits;
  return { gateway, lambdaRequests, lambdaDuration, reads, writes, total: gateway + lambdaRequests + lambdaDuration + reads + writes };
}

const byName = (results: BenchResults, name: string) => results.operations.find((operation) => operation.name === name);

export function costModel(results: BenchResults) {
  const start = byName(results, 'POST /v2/user/authenticate (PIN)');
  const complete = byName(results, 'POST /v2/system/authenticate/user (PIN)');
  const login = byName(results, 'POST /v2/auth/login');
  const bearer = byName(results, 'bearer authorizer (cache miss)');
  const pin = start && complete ? [costPerMillion(start), costPerMillion(complete)] : [];
  const sum = (parts: ReturnType<typeof costPerMillion>[]) => ({
    gateway: parts.reduce((total, part) => total + part.gateway, 0),
    lambdaRequests: parts.reduce((total, part) => total + part.lambdaRequests, 0),
    lambdaDuration: parts.reduce((total, part) => total + part.lambdaDuration, 0),
    reads: parts.reduce((total, part) => total + part.reads, 0),
    writes: parts.reduce((total, part) => total + part.writes, 0),
    total: parts.reduce((total, part) => total + part.total, 0),
  });
  // The apikey authorizer's answer is cached 60 s per key: per sign-in its cost rounds to nothing.
  // An operator login is public (no authorizer); the bearer authorizer runs once per token and minute after.
  return {
    pinSignIn: sum(pin),
    operatorLogin: sum(login ? [costPerMillion(login)] : []),
    bearerAuthorizerPerMillionMisses: bearer ? costPerMillion(bearer, { viaGateway: false }).total : 0,
  };
}

export function verdicts(results: BenchResults) {
  const functions = results.cold.filter((entry) => entry.id !== 'baseline');
  const worstRatio = functions.reduce((worst, entry) => (entry.ratio > worst.ratio ? entry : worst));
  const biggest = functions.reduce((worst, entry) => (entry.bytes > worst.bytes ? entry : worst));
  const start = byName(results, 'POST /v2/user/authenticate (PIN)');
  const complete = byName(results, 'POST /v2/system/authenticate/user (PIN)');
  const warmKms = Math.max(...results.operations.map((operation) => operation.kmsWarm));
  const cost = costModel(results).pinSignIn.total;
  return [
    { target: `every cold init ≤ ${TARGETS.coldRatio}× baseline (${PASSWORD_HASHING_COLD.join(', ')} less one scrypt hash)`, measured: `worst ${worstRatio.id} ${worstRatio.ratio.toFixed(2)}×`, met: worstRatio.ratio <= TARGETS.coldRatio },
    { target: 'every bundle ≤ 250 KB', measured: `largest ${biggest.id} ${(biggest.bytes / 1024).toFixed(0)} KB`, met: biggest.bytes <= TARGETS.bundleBytes },
    {
      target: `/v2/user/authenticate ≤ ${TARGETS.startDynamodbCalls} DynamoDB round trips`,
      measured: `${start?.dynamodbCalls ?? '?'} (max ${start?.dynamodbCallsMax ?? '?'})`,
      met: (start?.dynamodbCallsMax ?? Infinity) <= TARGETS.startDynamodbCalls,
    },
    {
      target: `/v2/system/authenticate/user ≤ ${TARGETS.completeDynamodbCalls} DynamoDB round trips`,
      measured: `${complete?.dynamodbCalls ?? '?'} (max ${complete?.dynamodbCallsMax ?? '?'})`,
      met: (complete?.dynamodbCallsMax ?? Infinity) <= TARGETS.completeDynamodbCalls,
    },
    { target: 'any warm request: 0 KMS calls', measured: `${warmKms}`, met: warmKms === TARGETS.warmKmsCalls },
    { target: `≤ $${TARGETS.dollarsPerMillionPinSignIns} per 1M PIN sign-ins (excl. SMS)`, measured: `$${cost.toFixed(2)}`, met: cost <= TARGETS.dollarsPerMillionPinSignIns },
    { target: 'load on the PIN pair: 0 errors', measured: `${results.load.errors} errors`, met: results.load.errors === 0 },
    {
      target: `console first load ≤ ${TARGETS.consoleFirstLoadGzipBytes / 1024} KB gzipped (JS + CSS)`,
      measured: `${(results.console.firstLoad.gzipBytes / 1024).toFixed(1)} KB`,
      met: results.console.firstLoad.gzipBytes <= TARGETS.consoleFirstLoadGzipBytes,
    },
  ];
}

const ms = (value: number) => value.toFixed(1);
const money = (value: number) => `$${value.toFixed(3)}`;

export function markdown(results: BenchResults): string {
  const cost = costModel(results);
  const lines: string[] = [];
  lines.push(`Generated ${results.generatedAt} on Node.js ${results.node}, ${results.machine.cpus} CPUs${results.quick ? ' (quick run)' : ''}; the run took ${results.durationSeconds.toFixed(0)} s.`, '');
  lines.push('**Targets**', '', '| Target | Measured | Met |', '|---|---|---|');
  for (const verdict of verdicts(results)) lines.push(`| ${verdict.target} | ${verdict.measured} | ${verdict.met ? 'yes' : '**no**'} |`);
  lines.push('', `**Round trips, capacity and warm latency** (in-process against DynamoDB Local; per warm request; first request of the process apart for KMS; RRU as DynamoDB Local reports them, WRU computed from the sizes of the items written with AWS's rules — transactions count twice, gsi1 entries once more — because DynamoDB Local's write figures are not AWS's: see bench/instrument.ts)`, '');
  lines.push('| Operation | DynamoDB calls | RRU | WRU | KMS first / warm | SNS | p50 ms | p95 ms | p99 ms | DynamoDB share |', '|---|---|---|---|---|---|---|---|---|---|');
  for (const op of results.operations) {
    lines.push(
      `| ${op.name} | ${op.dynamodbCalls}${op.dynamodbCallsMax !== op.dynamodbCalls ? ` (max ${op.dynamodbCallsMax})` : ''} | ${op.readUnits.toFixed(1)} | ${op.writeUnits.toFixed(1)} | ${op.kmsFirst} / ${op.kmsWarm} | ${op.sns} | ${ms(op.p50)} | ${ms(op.p95)} | ${ms(op.p99)} | ${(op.dynamodbShare * 100).toFixed(0)}% |`,
    );
  }
  lines.push('', `**Cost model** (${PRICES.region}, prices of ${PRICES.checkedOn} in bench/prices.ts; Lambda duration = warm p50 at the function's memory size)`, '');
  lines.push('| Per 1M | HTTP API | Lambda requests | Lambda GB-s | DynamoDB reads | DynamoDB writes | Total |', '|---|---|---|---|---|---|---|');
  const row = (name: string, c: typeof cost.pinSignIn) =>
    `| ${name} | ${money(c.gateway)} | ${money(c.lambdaRequests)} | ${money(c.lambdaDuration)} | ${money(c.reads)} | ${money(c.writes)} | **${money(c.total)}** |`;
  lines.push(row('PIN sign-ins (start + complete, excl. SMS)', cost.pinSignIn), row('operator logins', cost.operatorLogin));
  lines.push(
    '',
    `For comparison: Cognito ≈ $${ALTERNATIVES.cognitoPerMonthlyActiveUser} per monthly active user, Twilio Verify $${ALTERNATIVES.twilioVerifyPerVerification} per verification ($${(ALTERNATIVES.twilioVerifyPerVerification * 1e6).toLocaleString('en-US')} per million).`,
  );
  const load = results.load;
  lines.push(
    '',
    `**Load** (local server, one process): ${load.pairs} PIN sign-ins = ${load.requests} requests at concurrency ${load.concurrency} in ${load.seconds.toFixed(1)} s: ${load.signInsPerSecond.toFixed(0)} sign-ins/s, request p50 ${ms(load.p50)} ms, p95 ${ms(load.p95)} ms, p99 ${ms(load.p99)} ms, **${load.errors} errors** (statuses ${JSON.stringify(load.statuses)}).`,
  );
  const { firstLoad, pages } = results.console;
  lines.push(
    '',
    `**Console** (a fresh \`vite build\`, gzip -9): first load ${(firstLoad.gzipBytes / 1024).toFixed(1)} KB gzipped, ${(firstLoad.bytes / 1024).toFixed(1)} KB raw (${firstLoad.files.map((file) => `${file.file} ${(file.gzipBytes / 1024).toFixed(1)}`).join(', ')}); the largest pages beyond it (their chunks and what they import that the first load lacks): ${pages
      .slice(0, 5)
      .map((page) => `${page.page} ${(page.gzipBytes / 1024).toFixed(1)} KB`)
      .join(', ')}.`,
  );
  lines.push('', `**Bundles and cold init** (median of fresh Node.js processes: import the bundle, serve the first request; baseline = document client + one GetItem: ${ms(results.baseline.coldMs)} ms, ${(results.baseline.bytes / 1024).toFixed(1)} KB)`, '');
  lines.push('| Function | Bundle KB | Cold init ms | Import ms | First request ms | × baseline | First status |', '|---|---|---|---|---|---|---|');
  for (const entry of [...results.cold].sort((a, b) => b.ratio - a.ratio)) {
    lines.push(
      `| ${entry.id} | ${(entry.bytes / 1024).toFixed(1)} | ${ms(entry.coldMs)} | ${ms(entry.importMs)} | ${ms(entry.firstRequestMs)} | ${entry.ratio.toFixed(2)} | ${entry.statuses.join(', ')} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Two horizontal bar charts: cold init per function (with the baseline and 1.25× line), warm p50/p99 per operation. */
export function svg(results: BenchResults): string {
  const cold = [...results.cold].sort((a, b) => b.coldMs - a.coldMs);
  const ops = results.operations;
  const rowHeight = 14;
  const labelWidth = 300;
  const plotWidth = 520;
  const coldTop = 40;
  const coldHeight = cold.length * rowHeight;
  const opsTop = coldTop + coldHeight + 60;
  const height = opsTop + ops.length * rowHeight + 30;
  const coldMax = Math.max(...cold.map((entry) => entry.coldMs), results.baseline.coldMs * TARGETS.coldRatio) * 1.05;
  const opsMax = Math.max(...ops.map((op) => op.p99)) * 1.05;
  const x = (value: number, max: number) => labelWidth + (value / max) * plotWidth;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + plotWidth + 80}" height="${height}" font-family="sans-serif" font-size="10">`);
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  parts.push(`<text x="10" y="20" font-size="13" font-weight="bold">Cold init (import + first request, median ms) per function</text>`);
  cold.forEach((entry, index) => {
    const y = coldTop + index * rowHeight;
    const colour = entry.id === 'baseline' ? '#888' : entry.ratio <= TARGETS.coldRatio ? '#2a7' : '#d44';
    parts.push(`<text x="${labelWidth - 6}" y="${y + 10}" text-anchor="end">${escape(entry.id)}</text>`);
    parts.push(`<rect x="${labelWidth}" y="${y + 2}" width="${(x(entry.coldMs, coldMax) - labelWidth).toFixed(1)}" height="${rowHeight - 4}" fill="${colour}"/>`);
    parts.push(`<text x="${(x(entry.coldMs, coldMax) + 4).toFixed(1)}" y="${y + 10}">${entry.coldMs.toFixed(0)}</text>`);
  });
  const limit = x(results.baseline.coldMs * TARGETS.coldRatio, coldMax).toFixed(1);
  parts.push(`<line x1="${limit}" y1="${coldTop - 4}" x2="${limit}" y2="${coldTop + coldHeight}" stroke="#333" stroke-dasharray="4 3"/>`);
  parts.push(`<text x="${limit}" y="${coldTop - 8}" text-anchor="middle">1.25 × baseline</text>`);
  parts.push(`<text x="10" y="${opsTop - 20}" font-size="13" font-weight="bold">Warm latency in-process (p50 dark, p99 light, ms)</text>`);
  ops.forEach((op, index) => {
    const y = opsTop + index * rowHeight;
    parts.push(`<text x="${labelWidth - 6}" y="${y + 10}" text-anchor="end">${escape(op.name)}</text>`);
    parts.push(`<rect x="${labelWidth}" y="${y + 2}" width="${(x(op.p99, opsMax) - labelWidth).toFixed(1)}" height="${rowHeight - 4}" fill="#9cf"/>`);
    parts.push(`<rect x="${labelWidth}" y="${y + 2}" width="${(x(op.p50, opsMax) - labelWidth).toFixed(1)}" height="${rowHeight - 4}" fill="#36c"/>`);
    parts.push(`<text x="${(x(op.p99, opsMax) + 4).toFixed(1)}" y="${y + 10}">${op.p50.toFixed(1)} / ${op.p99.toFixed(1)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** bench/README.md holds the latest full run between these two markers. */
const RESULTS_START = '<!-- bench:results:start (written by npm run bench) -->';
const RESULTS_END = '<!-- bench:results:end -->';

export function writeReports(results: BenchResults): string[] {
  const directory = join(PROJECT_ROOT, 'bench', 'results');
  mkdirSync(directory, { recursive: true });
  const files = {
    json: join(directory, 'latest.json'),
    md: join(directory, 'latest.md'),
    svg: join(directory, 'latest.svg'),
  };
  writeFileSync(files.json, `${JSON.stringify({ ...results, cost: costModel(results), verdicts: verdicts(results), prices: PRICES }, null, 2)}\n`);
  const table = markdown(results);
  writeFileSync(files.md, table);
  writeFileSync(files.svg, svg(results));
  // bench/README.md shows the latest full run between its two markers (a quick run leaves it alone).
  const readme = join(PROJECT_ROOT, 'bench', 'README.md');
  const text = readFileSync(readme, 'utf8');
  const [start, end] = [text.indexOf(RESULTS_START), text.indexOf(RESULTS_END)];
  if (!results.quick && start >= 0 && end > start) {
    writeFileSync(readme, `${text.slice(0, start + RESULTS_START.length)}\n${table}${text.slice(end)}`);
    return [...Object.values(files), readme];
  }
  return Object.values(files);
}
