import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authorizers, jobs, manifest } from '#shared/http/manifest.ts';
import { AREAS } from '#shared/routes/definition.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function sourceFiles(directory: string): string[] {
  return readdirSync(join(ROOT, directory), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

const requestPathFiles = [...sourceFiles('functions'), ...sourceFiles('shared')];

describe('architecture rules', () => {
  it('builds every table key in the key module only', () => {
    // A key literal looks like `USER#…`, 'EMAIL#' or "ACCOUNT#": an upper-case entity prefix and a hash.
    const keyLiteral = /['"`][A-Z][A-Z_]*#/;
    const offenders = [...requestPathFiles, ...sourceFiles('local')].filter(
      (file) => file !== 'shared/data/keys.ts' && keyLiteral.test(readFileSync(join(ROOT, file), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('never scans the table on a request path', () => {
    const offenders = requestPathFiles.filter((file) => /\bScan(Command)?\b/.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('keeps AWS clients out of handlers', () => {
    const offenders = sourceFiles('functions').filter((file) => readFileSync(join(ROOT, file), 'utf8').includes('@aws-sdk/'));
    expect(offenders).toEqual([]);
  });
});

/** Every module a source file imports (static, dynamic and type-only), resolved to a repository path or a package name. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)['"]([^'"]+)['"]/gm)].map((match) => match[1] ?? '');
  return specifiers.map((specifier) => {
    if (specifier.startsWith('.')) return relative(ROOT, join(ROOT, file, '..', specifier));
    if (specifier.startsWith('#')) return specifier.replace(/^#(\w+)\//, '$1/');
    return specifier;
  });
}

/** Files of `directory` that import something matching `forbidden`, with what they import. */
function importOffenders(directory: string, forbidden: RegExp): string[] {
  return sourceFiles(directory).flatMap((file) => importsOf(file).filter((target) => forbidden.test(target)).map((target) => `${file} -> ${target}`));
}

// The same rules as eslint.config.js's no-restricted-imports blocks, checked on the files themselves: a
// lint block that stops matching (a renamed folder, a deleted pattern) fails here instead of going quiet.
describe('layers (docs/architecture.md)', () => {
  it('keeps the domain free of adapters, HTTP, composition, config and AWS', () => {
    expect(importOffenders('shared/domain', /^(shared\/(adapters|http|routes|schemas|compose)\/|shared\/config\.ts$|@aws-sdk\/|aws-lambda$|@middy\/|@aws-lambda-powertools\/)/)).toEqual([]);
  });

  it('keeps adapters free of HTTP and composition', () => {
    expect(importOffenders('shared/adapters', /^shared\/(http|routes|compose)\//)).toEqual([]);
  });

  it('keeps the handler wrapper, routes and schemas free of adapters and composition', () => {
    for (const directory of ['shared/http', 'shared/routes', 'shared/schemas']) {
      expect(importOffenders(directory, /^(shared\/(adapters|compose)\/|@aws-sdk\/)/)).toEqual([]);
    }
  });

  it('lets a handler reach its area only through compose, its routes module and the domain: no adapter, no manifest, no other area\'s routes', () => {
    const offenders = sourceFiles('functions').flatMap((file) => {
      const area = file.split('/')[1] ?? '';
      return importsOf(file)
        .filter((target) => /^shared\/adapters\//.test(target) || target === 'shared/http/manifest.ts' || (target.startsWith('shared/routes/') && target !== `shared/routes/${area}.ts`))
        .map((target) => `${file} -> ${target}`);
    });
    expect(offenders).toEqual([]);
  });

  it('puts every handler in the folder of its area, and every area has its slice in each layer', () => {
    for (const route of manifest) expect(route.handler.split('/')[1], route.id).toBe(route.area);
    for (const area of AREAS) {
      for (const slice of [`functions/${area}`, `shared/domain/${area}`, `shared/compose/${area}.ts`, `shared/routes/${area}.ts`]) {
        expect(existsSync(join(ROOT, slice)), slice).toBe(true);
      }
    }
  });
});

describe('route manifest', () => {
  it('has unique ids and unique method + path pairs', () => {
    expect(new Set(manifest.map((route) => route.id)).size).toBe(manifest.length);
    expect(new Set(manifest.map((route) => `${route.method} ${route.path}`)).size).toBe(manifest.length);
  });

  it('names handler modules that exist and export a handler', async () => {
    for (const route of [...manifest, ...Object.values(authorizers), ...jobs]) {
      expect(existsSync(join(ROOT, route.handler)), route.handler).toBe(true);
      const module = (await import(join(ROOT, route.handler))) as { handler?: unknown };
      expect(typeof module.handler, route.handler).toBe('function');
    }
  });

  it('has an entry for every handler module in functions/ (no unmounted handlers)', () => {
    const declared = new Set([...manifest, ...Object.values(authorizers), ...jobs].map((route) => route.handler));
    expect(sourceFiles('functions').filter((file) => !declared.has(file))).toEqual([]);
  });

  it('puts every route under /v2 with a handler in functions/<resource>/<verb>-<noun>.ts', () => {
    for (const route of manifest) {
      expect(route.path).toMatch(/^\/v2\//);
      expect(route.handler).toMatch(/^functions\/[a-z-]+\/[a-z]+(-[a-z]+)+\.ts$/);
    }
  });
});

describe('console (SPEC §10)', () => {
  const consoleFiles = readdirSync(join(ROOT, 'console', 'src'), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));

  it('reaches the API only through the typed client: no server module, no fetch of its own', () => {
    expect(consoleFiles.length).toBeGreaterThan(10);
    const offenders = consoleFiles.flatMap((file) =>
      importsOf(file)
        .filter((target) => /^(shared|functions|infra|local)\/|^@aws-sdk\//.test(target))
        .map((target) => `${file} -> ${target}`),
    );
    expect(offenders).toEqual([]);
    // The session module re-sends a request the client built (after a refresh); nothing else calls fetch.
    const fetching = consoleFiles.filter((file) => /\bfetch\(/.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(fetching).toEqual(['console/src/api/session.ts']);
  });

  it('keeps tokens out of browser storage: no localStorage, sessionStorage or document.cookie', () => {
    const code = (file: string) => readFileSync(join(ROOT, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    const offenders = consoleFiles.filter((file) => /\b(localStorage|sessionStorage|document\.cookie|indexedDB)\b/.test(code(file)));
    expect(offenders).toEqual([]);
  });
});
