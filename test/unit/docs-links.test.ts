/**
 * The documentation must work for anyone who clones the repository: every relative link or image of
 * README.md, docs/**\/*.md and bench/README.md names a file (or folder) inside the repository that
 * exists, and an anchor into a markdown file names one of its headings. Absolute links are allowed
 * only as http(s) to public hosts. The README stays a front page: at most 300 lines.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const README_MAX_LINES = 300;

function markdownFiles(): string[] {
  const docs = existsSync(join(ROOT, 'docs'))
    ? readdirSync(join(ROOT, 'docs'), { withFileTypes: true, recursive: true })
        .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
        .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)))
    : [];
  return ['README.md', ...docs.sort(), 'bench/README.md'];
}

/** The text with fenced code blocks, HTML comments and inline code spans blanked out, line count kept. */
function prose(markdown: string): string {
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== undefined) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      lines.push('');
    } else if (marker !== undefined) {
      fence = marker;
      lines.push('');
    } else {
      lines.push(line);
    }
  }
  return lines
    .join('\n')
    .replace(/<!--[\s\S]*?-->/g, (comment) => comment.replace(/[^\n]/g, ' '))
    .replace(/(`+)[^`]*?\1/g, (span) => ' '.repeat(span.length));
}

interface Link {
  file: string;
  line: number;
  target: string;
}

const INLINE = /!?\[(?:[^[\]]|\[[^[\]]*\])*\]\(\s*(<[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
const REFERENCE = /^ {0,3}\[[^\]]+\]:\s*(<[^>\n]*>|\S+)/gm;
const AUTOLINK = /<((?:https?|mailto|ftp|file):[^>\s]+)>/gi;
const HTML_ATTRIBUTE = /<(?:a|img)\b[^>]*?\b(?:href|src)\s*=\s*["']([^"']+)["']/gi;

function linksOf(file: string): Link[] {
  const text = prose(readFileSync(join(ROOT, file), 'utf8'));
  const lineAt = (index: number) => text.slice(0, index).split('\n').length;
  return [INLINE, REFERENCE, AUTOLINK, HTML_ATTRIBUTE].flatMap((pattern) =>
    [...text.matchAll(pattern)].map((match) => ({
      file,
      line: lineAt(match.index),
      target: (match[1] ?? '').replace(/^<(.*)>$/, '$1'),
    })),
  );
}

/** GitHub's heading ids (github-slugger): lower case, punctuation and symbols dropped, spaces to dashes, repeats numbered. */
function anchorsOf(file: string): Set<string> {
  const text = prose(readFileSync(join(ROOT, file), 'utf8'));
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading = ''] of text.matchAll(/^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/gm)) {
    const base = heading
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '')
      .replace(/[*`]/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  for (const [, id = ''] of text.matchAll(/<a\b[^>]*\b(?:id|name)\s*=\s*["']([^"']+)["']/gi)) anchors.add(id);
  return anchors;
}

const LOCAL_HOSTS = /^(localhost|127(\.\d+){3}|0\.0\.0\.0|\[::1?\]|.*\.local|.*\.localhost)$/i;

/** What is wrong with a link, or undefined when it is fine. */
function problemOf({ file, target }: Link): string | undefined {
  if (target === '') return 'empty target';
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
    if (!/^https?:\/\//i.test(target)) return 'absolute link that is not http(s)';
    return LOCAL_HOSTS.test(new URL(target).hostname) ? 'points at a local host' : undefined;
  }
  if (target.startsWith('//')) return 'protocol-relative link';
  const hash = target.indexOf('#');
  const [rawPath, anchor] = hash < 0 ? [target, undefined] : [target.slice(0, hash), target.slice(hash + 1)];
  const path = decodeURIComponent(rawPath.split('?')[0] ?? '');
  if (path.startsWith('/')) return 'root-absolute path (write it relative to the file)';
  const resolved = path === '' ? join(ROOT, file) : resolve(ROOT, dirname(file), path);
  const inside = relative(ROOT, resolved);
  if (inside.startsWith('..') || isAbsolute(inside)) return `leaves the repository (${inside})`;
  if (!existsSync(resolved)) return `${inside} does not exist`;
  if (anchor !== undefined && anchor !== '' && statSync(resolved).isFile() && resolved.endsWith('.md')) {
    if (!anchorsOf(inside).has(decodeURIComponent(anchor).toLowerCase())) return `${inside} has no heading #${anchor}`;
  }
  return undefined;
}

describe('documentation links', () => {
  const files = markdownFiles();

  it('reads the README, the docs and the benchmark README', () => {
    const missing = files.filter((file) => !existsSync(join(ROOT, file)));
    expect(missing).toEqual([]);
    expect(files.length).toBeGreaterThan(3);
  });

  it('keeps every link and image inside the repository, on files and headings that exist', () => {
    const links = files.filter((file) => existsSync(join(ROOT, file))).flatMap(linksOf);
    expect(links.length).toBeGreaterThan(10);
    const broken = links.flatMap((link) => {
      const problem = problemOf(link);
      return problem === undefined ? [] : [`${link.file}:${link.line}: ${link.target}: ${problem}`];
    });
    expect(broken).toEqual([]);
  });

  it(`keeps README.md to ${README_MAX_LINES} lines`, () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').trimEnd().split('\n').length;
    expect(lines).toBeLessThanOrEqual(README_MAX_LINES);
  });
});

describe('the link checker itself', () => {
  it('finds inline, image and reference links outside code, and GitHub heading ids', () => {
    const sample = prose(['[a](x.md) ![b](img/y.png "t") `[c](no.md)`', '```', '[d](no.md)', '```', '[e]: ref.md#part'].join('\n'));
    expect([...sample.matchAll(INLINE)].map((match) => match[1])).toEqual(['x.md', 'img/y.png']);
    expect([...sample.matchAll(REFERENCE)].map((match) => match[1])).toEqual(['ref.md#part']);
    expect(problemOf({ file: 'README.md', line: 1, target: '../shared/SPEC.md' })).toMatch(/leaves the repository/);
    expect(problemOf({ file: 'README.md', line: 1, target: 'http://127.0.0.1:3000/v2/docs' })).toMatch(/local host/);
    expect(problemOf({ file: 'README.md', line: 1, target: 'https://www.rfc-editor.org/rfc/rfc9457' })).toBeUndefined();
    expect(problemOf({ file: 'docs/security.md', line: 1, target: '../README.md#no-such-heading' })).toMatch(/has no heading/);
    expect(problemOf({ file: 'docs/security.md', line: 1, target: 'no-such-file.md' })).toMatch(/does not exist/);
  });
});
