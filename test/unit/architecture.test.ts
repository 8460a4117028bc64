import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authorizers, keyFunction, manifest } from '#shared/http/manifest.ts';

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

describe('route manifest', () => {
  it('has unique ids and unique method + path pairs', () => {
    expect(new Set(manifest.map((route) => route.id)).size).toBe(manifest.length);
    expect(new Set(manifest.map((route) => `${route.method} ${route.path}`)).size).toBe(manifest.length);
  });

  it('names handler modules that exist and export a handler', async () => {
    for (const route of [...manifest, ...Object.values(authorizers), keyFunction]) {
      expect(existsSync(join(ROOT, route.handler)), route.handler).toBe(true);
      const module = (await import(join(ROOT, route.handler))) as { handler?: unknown };
      expect(typeof module.handler, route.handler).toBe('function');
    }
  });

  it('has an entry for every handler module in functions/ (no unmounted handlers)', () => {
    const declared = new Set([...manifest, ...Object.values(authorizers), keyFunction].map((route) => route.handler));
    expect(sourceFiles('functions').filter((file) => !declared.has(file))).toEqual([]);
  });

  it('puts every route under /v2 with a handler in functions/<resource>/<verb>-<noun>.ts', () => {
    for (const route of manifest) {
      expect(route.path).toMatch(/^\/v2\//);
      expect(route.handler).toMatch(/^functions\/[a-z-]+\/[a-z]+(-[a-z]+)+\.ts$/);
    }
  });
});
