/**
 * The console's first-load JavaScript and CSS, gzipped (issue 19: ≤ 200 KB): a fresh `vite build` of
 * console/ with Vite's manifest, then the entry chunk, every chunk it imports statically (what
 * index.html modulepreloads), and their CSS, each gzipped as CloudFront would serve it. Each page (a
 * lazy route) is its own chunk: its size, plus what it imports that the first load does not already
 * carry, is reported beside it (informative: a page loads after the shell).
 *
 *   npx tsx bench/console-size.ts      the figure and the pages, largest first
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ensureConsoleBuilt } from '#local/console.ts';

/** Vite's `.vite/manifest.json`: one entry per chunk, keyed by its source. */
interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}
type Manifest = Record<string, ManifestChunk>;

export interface ConsoleFile {
  file: string;
  bytes: number;
  gzipBytes: number;
}

export interface ConsoleSize {
  /** The entry, its static imports and their CSS. */
  firstLoad: { files: ConsoleFile[]; bytes: number; gzipBytes: number };
  /** Each lazy page: its chunk and the static imports the first load lacks, gzipped; largest first. */
  pages: { page: string; files: string[]; gzipBytes: number }[];
}

/** The chunks `key` needs before it runs: itself and its static imports, transitively. */
export function staticClosure(manifest: Manifest, key: string, seen = new Set<string>()): Set<string> {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const imported of manifest[key]?.imports ?? []) staticClosure(manifest, imported, seen);
  return seen;
}

/** The output files (JS and CSS) of a set of chunks. */
function filesOf(manifest: Manifest, keys: Iterable<string>): string[] {
  const files = new Set<string>();
  for (const key of keys) {
    const chunk = manifest[key];
    if (!chunk) throw new Error(`the manifest has no chunk ${key}`);
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
  }
  return [...files];
}

/** Sizes from a built console and its manifest. */
export function consoleSizeOf(outDir: string, manifest: Manifest): ConsoleSize {
  const sized = new Map<string, ConsoleFile>();
  const size = (file: string): ConsoleFile => {
    let entry = sized.get(file);
    if (!entry) {
      const content = readFileSync(join(outDir, file));
      entry = { file, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
      sized.set(file, entry);
    }
    return entry;
  };
  const entries = Object.keys(manifest).filter((key) => manifest[key]?.isEntry);
  if (entries.length !== 1) throw new Error(`expected one entry (index.html), found ${entries.join(', ') || 'none'}`);
  const firstKeys = staticClosure(manifest, entries[0] as string);
  const firstFiles = filesOf(manifest, firstKeys).map(size);
  const first = new Set(firstFiles.map((file) => file.file));
  const pages = Object.entries(manifest)
    .filter(([key, chunk]) => chunk.isDynamicEntry && /(^|\/)pages\//.test(key))
    .map(([key]) => {
      const files = filesOf(manifest, staticClosure(manifest, key)).filter((file) => !first.has(file));
      return { page: key.replace(/^.*pages\//, '').replace(/\.tsx?$/, ''), files, gzipBytes: files.reduce((total, file) => total + size(file).gzipBytes, 0) };
    })
    .sort((a, b) => b.gzipBytes - a.gzipBytes);
  return {
    firstLoad: {
      files: firstFiles.sort((a, b) => b.gzipBytes - a.gzipBytes),
      bytes: firstFiles.reduce((total, file) => total + file.bytes, 0),
      gzipBytes: firstFiles.reduce((total, file) => total + file.gzipBytes, 0),
    },
    pages,
  };
}

/** Builds the console afresh into a temporary directory (with the manifest, which the deployed build leaves out) and measures it. */
export async function measureConsole(): Promise<ConsoleSize> {
  const outDir = mkdtempSync(join(tmpdir(), 'portcullis-console-bench-'));
  try {
    // The same build as `npm start` and `cdk synth` (React's production build whatever NODE_ENV says), plus the manifest.
    await ensureConsoleBuilt({ force: true, outDir, manifest: true });
    const manifest = JSON.parse(readFileSync(join(outDir, '.vite', 'manifest.json'), 'utf8')) as Manifest;
    return consoleSizeOf(outDir, manifest);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const { firstLoad, pages } = await measureConsole();
  console.log(`console first load: ${kb(firstLoad.gzipBytes)} KB gzipped (${kb(firstLoad.bytes)} KB raw), budget 200 KB`);
  for (const file of firstLoad.files) console.log(`  ${kb(file.gzipBytes).padStart(7)} KB  ${file.file}`);
  console.log('pages (their own chunks beyond the first load, gzipped):');
  for (const page of pages) console.log(`  ${kb(page.gzipBytes).padStart(7)} KB  ${page.page}`);
}
