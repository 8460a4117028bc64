/**
 * Log hygiene over the whole suite. Every worker's setup (test/support/setup-log-capture.ts) tees
 * what it writes — process.stdout/stderr (where Powertools' logger writes) and the console methods —
 * into a per-worker file under one temporary directory; this globalSetup's teardown scans every line
 * of them and fails the run (a throwing teardown fails `vitest run`) naming capture file, line and test
 * file, if any line carries a secret: API keys and opaque tokens (`pck_`, `prt_`, `pmt_`, `pme_`,
 * `pci_`, `psv_`, authorization codes `poc_`), JWTs, full phone numbers, PINs or codes next to their name, base32 TOTP secrets, recovery
 * codes, or the passwords the test factories make.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { RunOnce } from './run-once.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    logCaptureDirectory: string;
  }
}

/** One captured line as the workers write it (JSON lines). */
export interface CapturedLine {
  test: string | null;
  stream: string;
  text: string;
}

/** What must never be logged, by name. Masked forms (`[REDACTED…]`, `+*******78`) do not match. */
export const SECRET_PATTERNS: readonly { name: string; pattern: RegExp }[] = [
  { name: 'opaque secret (pck_/prt_/pmt_/pme_/pci_/psv_/poc_)', pattern: /\b(pck|prt|pmt|pme|pci|psv|poc)_[A-Za-z0-9_.-]{16,}/ },
  { name: 'JWT', pattern: /\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}/ },
  { name: 'full phone number', pattern: /\+[1-9]\d{7,14}\b/ },
  { name: 'PIN or code', pattern: /\b(pin|code|otp|totp)s?\b\W{0,4}\d{6,8}\b/i },
  { name: 'TOTP secret', pattern: /(?<![A-Za-z0-9])[A-Z2-7]{32}(?![A-Za-z0-9])/ },
  { name: 'recovery code', pattern: /(?<![\w-])[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}(?![\w-])/i },
  { name: 'test password', pattern: /Pw-[0-9a-f]{8}-[0-9a-f]{4}|Fuzz-password-4711|wrong-password-4711/ },
];

export interface Finding {
  file: string;
  line: number;
  test: string | null;
  secret: string;
}

/** Scans captured lines; answers what it found (never the secret itself). */
export function scanLines(file: string, content: string): { lines: number; findings: Finding[] } {
  const findings: Finding[] = [];
  let lines = 0;
  content.split('\n').forEach((raw, index) => {
    if (!raw) return;
    let captured: CapturedLine;
    try {
      captured = JSON.parse(raw) as CapturedLine;
    } catch {
      captured = { test: null, stream: 'unknown', text: raw };
    }
    for (const text of captured.text.split('\n')) {
      if (!text) continue;
      lines += 1;
      for (const { name, pattern } of SECRET_PATTERNS) {
        if (pattern.test(text)) findings.push({ file, line: index + 1, test: captured.test, secret: name });
      }
    }
  });
  return { lines, findings };
}

/** Scans every capture file of a directory. */
export function scanDirectory(directory: string): { lines: number; findings: Finding[] } {
  let lines = 0;
  const findings: Finding[] = [];
  for (const name of readdirSync(directory).filter((entry) => entry.endsWith('.jsonl')).sort()) {
    const result = scanLines(join(directory, name), readFileSync(join(directory, name), 'utf8'));
    lines += result.lines;
    findings.push(...result.findings);
  }
  return { lines, findings };
}

export function describeFindings(findings: Finding[]): string {
  return findings.map((finding) => `${finding.file}:${finding.line}: ${finding.secret}${finding.test ? ` (written while running ${finding.test})` : ''}`).join('\n');
}

const capture = new RunOnce<string>(
  'log-capture',
  () => Promise.resolve(mkdtempSync(join(tmpdir(), 'portcullis-logs-'))),
  (directory) => {
    const { lines, findings } = scanDirectory(directory);
    if (findings.length > 0) {
      // Kept for inspection: the message names the files and lines.
      throw new Error(`log hygiene: ${lines} lines scanned, ${findings.length} secrets logged:\n${describeFindings(findings)}`);
    }
    console.info(`log hygiene: ${lines} lines scanned, 0 secrets`);
    rmSync(directory, { recursive: true, force: true });
  },
);

/**
 * globalSetup: one capture directory for the run, shared by every project that lists it; the teardown
 * of the last of them scans it and throws on any secret.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  project.provide('logCaptureDirectory', await capture.acquire());
  return () => capture.release();
}
