/**
 * One cold start, in a fresh Node.js process: imports a bundle and serves its first request, then
 * prints `{ importMs, firstRequestMs, totalMs, status }` as one JSON line. Run by bench/run.ts as
 * `node bench/cold-start.ts <bundle> <event.json>` with the function's environment. Plain
 * JavaScript syntax with erasable types only, so Node.js runs it without a loader.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const started = performance.now();
const [bundle = '', eventFile = ''] = process.argv.slice(2);
const event: unknown = JSON.parse(readFileSync(eventFile, 'utf8'));
const context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bench',
  memoryLimitInMB: '256',
  awsRequestId: 'bench-cold-start',
  logGroupName: '/aws/lambda/bench',
  logStreamName: 'bench',
  getRemainingTimeInMillis: () => 10_000,
};

const module = (await import(pathToFileURL(bundle).href)) as { handler: (event: unknown, context: unknown) => Promise<unknown> };
const imported = performance.now();
const result = (await module.handler(event, context)) as { statusCode?: number; isAuthorized?: boolean } | undefined;
const done = performance.now();
process.stdout.write(
  `${JSON.stringify({
    importMs: imported - started,
    firstRequestMs: done - imported,
    totalMs: done - started,
    status: result?.statusCode ?? (result?.isAuthorized === undefined ? 200 : result.isAuthorized ? 200 : 403),
  })}\n`,
);
process.exit(0);
