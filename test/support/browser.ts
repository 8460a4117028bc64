/**
 * The one way tests get a headless Chromium: `launchBrowser()`. `npm ci && npm test` must work on a
 * machine with only Node and Java, so the executable is looked up in order:
 *   1. the `CHROMIUM` environment variable (an explicit choice: a wrong path fails, never falls through);
 *   2. the system's Chromium or Chrome: PATH lookup, then the usual install paths;
 *   3. the browser the `@sparticuz/chromium` npm package ships (Linux x64), with the NSS and expat
 *      libraries it ships beside it, so that it needs nothing from the OS but glibc.
 * Every launch gets the same flags (this machine has no network: without the background-networking
 * flags Chromium keeps trying to reach Google) and a fresh user-data-dir, which Playwright creates per
 * `launch()` and deletes on `close()`.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';

export const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where a browser was found; `env` is added to the browser's environment (libraries it ships). */
export interface FoundBrowser {
  source: 'CHROMIUM' | 'system' | 'npm';
  executablePath: string;
  env?: Record<string, string>;
}

/** One place to look: answers undefined when it has no browser here, throws when it is set but broken. */
export type BrowserCandidate = () => FoundBrowser | undefined | Promise<FoundBrowser | undefined>;

/** The first browser the candidates find, in their order; an error naming them all when none does. */
export async function findBrowser(candidates: readonly BrowserCandidate[] = defaultCandidates()): Promise<FoundBrowser> {
  for (const candidate of candidates) {
    const found = await candidate();
    if (found) return found;
  }
  throw new Error(
    'No Chromium found: set CHROMIUM to a Chromium/Chrome executable, install one on the PATH, or run `npm ci` ' +
      '(the devDependency @sparticuz/chromium ships one for Linux x64).',
  );
}

export function defaultCandidates(): BrowserCandidate[] {
  return [fromEnvironment(process.env), fromSystem(), fromNpmPackage()];
}

export function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** `CHROMIUM=/path/to/chrome`: taken as is, and an error when it is not an executable file. */
export function fromEnvironment(env: NodeJS.ProcessEnv, isExecutable = isExecutableFile): BrowserCandidate {
  return () => {
    const path = env.CHROMIUM;
    if (path === undefined || path === '') return undefined;
    if (!isExecutable(path)) throw new Error(`CHROMIUM=${path} is not an executable file`);
    return { source: 'CHROMIUM', executablePath: path };
  };
}

export const SYSTEM_BROWSER_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];
export const SYSTEM_BROWSER_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/opt/google/chrome/chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

/** The system's browser: each name in each PATH directory, then the usual install paths. */
export function fromSystem(
  pathVariable = process.env.PATH ?? '',
  names = SYSTEM_BROWSER_NAMES,
  paths = SYSTEM_BROWSER_PATHS,
  isExecutable = isExecutableFile,
): BrowserCandidate {
  return () => {
    const directories = pathVariable.split(delimiter).filter((directory) => directory !== '');
    const onPath = directories.flatMap((directory) => names.map((name) => join(directory, name)));
    const executablePath = [...onPath, ...paths].find((path) => isExecutable(path));
    return executablePath === undefined ? undefined : { source: 'system', executablePath };
  };
}

const run = promisify(execFile);
const projectRoot = join(import.meta.dirname, '..', '..');

/**
 * `@sparticuz/chromium` ships a Brotli-compressed Chromium for Linux x64 that its `executablePath()`
 * inflates into the temporary directory. We let it inflate into a private staging directory under
 * node_modules/.cache (not a shared, world-writable /tmp) and rename that into place, so parallel test
 * workers never launch a half-written binary: one rename wins, the others throw theirs away. The
 * package unpacks its NSS/expat libraries only where it believes it runs on Amazon Linux 2023
 * (AWS_LAMBDA_JS_RUNTIME); we want them everywhere, and put them on the browser's LD_LIBRARY_PATH.
 */
export function fromNpmPackage(platform: string = process.platform, arch: string = process.arch): BrowserCandidate {
  return async () => {
    if (platform !== 'linux' || arch !== 'x64') return undefined;
    let entry: string;
    try {
      entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
    } catch {
      return undefined;
    }
    const packageRoot = join(dirname(entry), '..', '..');
    const { version } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string };
    const cacheRoot = join(projectRoot, 'node_modules', '.cache', 'portcullis-chromium');
    const directory = join(cacheRoot, version);
    const found: FoundBrowser = {
      source: 'npm',
      executablePath: join(directory, 'chromium'),
      env: { LD_LIBRARY_PATH: join(directory, 'al2023', 'lib') },
    };
    if (existsSync(found.executablePath)) return found;

    mkdirSync(cacheRoot, { recursive: true });
    const staging = mkdtempSync(join(cacheRoot, `${version}.staging-`));
    const script = `const { default: chromium } = await import(${JSON.stringify(pathToFileURL(entry).href)});
process.stdout.write(await chromium.executablePath());`;
    try {
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
        env: { ...process.env, TMPDIR: staging, AWS_LAMBDA_JS_RUNTIME: 'nodejs22.x' },
      });
      if (stdout !== join(staging, 'chromium')) throw new Error(`@sparticuz/chromium inflated to ${stdout}, not into ${staging}`);
      renameSync(staging, directory);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      // Another worker's rename won the race: use its copy.
      if (!existsSync(found.executablePath)) throw error;
    }
    return found;
  };
}

let found: Promise<FoundBrowser> | undefined;

/** The browser every browser test launches: found once per worker, launched headless with LAUNCH_ARGS. */
export async function launchBrowser(): Promise<Browser> {
  found ??= findBrowser();
  return launchFound(await found);
}

/** Launches one found browser with the flags and a fresh user-data-dir. */
export function launchFound({ executablePath, env }: FoundBrowser): Promise<Browser> {
  return chromium.launch({ executablePath, args: LAUNCH_ARGS, ...(env ? { env: { ...process.env, ...env } } : {}) });
}
