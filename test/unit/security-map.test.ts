/**
 * docs/security.md maps ASVS requirements to tests as `` `file` «describe > test» ``. This keeps the map
 * honest: every named file exists and every part of every named title occurs in it, as written.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const DOC = readFileSync(join(ROOT, 'docs/security.md'), 'utf8');
const EVIDENCE = /`(test\/[^`\s]+\.test\.ts)` «([^»]+)»/g;

interface Evidence {
  requirement: string;
  file: string;
  title: string;
}

/** Every evidence entry of the tables, with the requirement id of its row. */
function evidenceOf(markdown: string): Evidence[] {
  return markdown.split('\n').flatMap((line) => {
    const requirement = /^\|\s*([\d.–, ]+?)\s*\|/.exec(line)?.[1] ?? '(outside a table)';
    return [...line.matchAll(EVIDENCE)].map(([, file = '', title = '']) => ({ requirement, file, title }));
  });
}

/** The requirement ids of the tables, in order. */
const requirementIds = (markdown: string): string[] =>
  markdown.split('\n').flatMap((line) => {
    const id = /^\|\s*(\d+\.\d+\.\d+)[\s|–,]/.exec(line)?.[1];
    return id ? [id] : [];
  });

describe('docs/security.md', () => {
  const evidence = evidenceOf(DOC);

  it('names tests as evidence', () => {
    expect(evidence.length).toBeGreaterThan(50);
  });

  it('names only test files that exist', () => {
    const missing = evidence.filter(({ file }) => !existsSync(join(ROOT, file))).map(({ requirement, file }) => `${requirement}: ${file}`);
    expect(missing).toEqual([]);
  });

  it('names only tests whose describe and test titles occur in that file', () => {
    const missing = evidence
      .filter(({ file }) => existsSync(join(ROOT, file)))
      .flatMap(({ requirement, file, title }) => {
        const source = readFileSync(join(ROOT, file), 'utf8');
        return title
          .split(' > ')
          .filter((part) => !source.includes(part))
          .map((part) => `${requirement}: "${part}" is not a title in ${file}`);
      });
    expect(missing).toEqual([]);
  });

  it('gives every requirement a status and lists each id once', () => {
    const ids = requirementIds(DOC);
    expect(new Set(ids).size).toBe(ids.length);
    for (const line of DOC.split('\n').filter((row) => /^\|\s*\d+\.\d+\.\d+/.test(row))) {
      expect(line, line.slice(0, 40)).toMatch(/\|\s*(Met|Partial|Gap|N\/A)\s*\|/);
    }
  });

  it('covers the Level 1 and 2 requirements of V6, V7 and V9 and 15.4.2', () => {
    const ids = new Set(requirementIds(DOC));
    for (const id of ['6.1.1', '6.2.1', '6.2.9', '6.3.1', '6.3.2', '6.5.1', '6.5.5', '6.6.3', '7.2.1', '7.2.4', '7.3.2', '7.4.1', '7.5.1', '9.1.1', '9.1.2', '9.2.1', '9.2.4', '15.4.2']) {
      expect(ids, id).toContain(id);
    }
  });
});
