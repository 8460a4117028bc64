/**
 * Worker side of the suite-wide log scan (test/support/log-capture.ts): tees process.stdout/stderr
 * (Powertools' logger writes there) and the console methods into this worker's capture file. Installed
 * once per process; the test file being run is recorded with each line.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { expect, inject } from 'vitest';
import type { CapturedLine } from './log-capture.ts';

const INSTALLED = Symbol.for('portcullis.logCapture');

/**
 * The handlers log down to DEBUG into the capture, so the scan sees every line they can write (refused
 * requests, debug detail); the terminal still shows only what setup-env's level (WARN) lets through.
 */
const ECHO_LEVEL = process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN';
// The logger reads its level once, when created: create it now at DEBUG, then put the variable back so
// child processes (`npm start` in its test) keep the configured level.
process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
await import('#shared/http/logger.ts');
process.env.POWERTOOLS_LOG_LEVEL = ECHO_LEVEL;
const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'];

/** Whether a chunk is a Powertools line below the level the terminal shows. */
function belowEcho(text: string): boolean {
  const level = /^\{"level":"([A-Z]+)"/.exec(text)?.[1];
  return level !== undefined && LEVELS.indexOf(level) < LEVELS.indexOf(ECHO_LEVEL);
}
const file = join(inject('logCaptureDirectory'), `worker-${process.pid}.jsonl`);

function currentTest(): string | null {
  try {
    return expect.getState().testPath ?? null;
  } catch {
    return null;
  }
}

function record(stream: string, text: string): void {
  const line: CapturedLine = { test: currentTest(), stream, text };
  try {
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  } catch {
    // The capture must never break a test; a missing line is caught by nothing, so keep trying.
  }
}

const registry = globalThis as { [INSTALLED]?: boolean };
if (!registry[INSTALLED]) {
  registry[INSTALLED] = true;
  for (const [name, stream] of [['stdout', process.stdout], ['stderr', process.stderr]] as const) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    const tee = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      record(name, text);
      if (belowEcho(text)) {
        // Written to the capture only; honour a write callback as the stream would.
        const callback = rest.find((argument) => typeof argument === 'function') as (() => void) | undefined;
        callback?.();
        return true;
      }
      return write(chunk, ...rest);
    };
    stream.write = tee;
  }
}

// Vitest gives each test file its own console (sent to the main process, not through process.stdout).
const WRAPPED = Symbol.for('portcullis.logCapture.console');
for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
  if ((Reflect.get(console, method) as { [WRAPPED]?: boolean })[WRAPPED]) continue;
  const original = console[method].bind(console);
  const wrapped = Object.assign(
    (...args: unknown[]) => {
      record(`console.${method}`, format(...args));
      original(...args);
    },
    { [WRAPPED]: true },
  );
  console[method] = wrapped;
}
