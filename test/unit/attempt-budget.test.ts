/**
 * The attempt-budget rule (shared/domain/kernel/attempt-budget.ts) and a source check that every place
 * comparing a guessable secret goes through it: a new route or factor that checks a code, a
 * recovery code or a password without first taking an attempt fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spendThenCompare, windowLockedUntil } from '#shared/domain/kernel/attempt-budget.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function sourceFiles(directory: string): string[] {
  return readdirSync(join(ROOT, directory), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** `file:line` of each call of `callee` whose preceding `lookBack` lines (and itself) lack every one of `guards`. */
function unguardedCalls(callee: RegExp, guards: RegExp[], lookBack: number, except: string[]): string[] {
  const offenders: string[] = [];
  for (const file of [...sourceFiles('shared'), ...sourceFiles('functions')]) {
    if (except.includes(file)) continue;
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
    lines.forEach((line, index) => {
      if (!callee.test(line) || /^\s*(\*|\/\/|export |import )/.test(line)) return;
      const context = lines.slice(Math.max(0, index - lookBack), index + 1).join('\n');
      if (!guards.some((guard) => guard.test(context))) offenders.push(`${file}:${index + 1}`);
    });
  }
  return offenders;
}

describe('spendThenCompare', () => {
  it('compares only after the take succeeded', async () => {
    const order: string[] = [];
    const answer = await spendThenCompare(
      () => {
        order.push('take');
        return Promise.resolve({ taken: true as const });
      },
      () => {
        order.push('compare');
        return Promise.resolve('ok');
      },
    );
    expect(answer).toEqual({ verdict: 'ok' });
    expect(order).toEqual(['take', 'compare']);
  });

  it('never compares when the take is refused or fails (fail closed)', async () => {
    let compared = 0;
    const compare = () => {
      compared++;
      return Promise.resolve('ok');
    };
    expect(await spendThenCompare(() => Promise.resolve({ taken: false as const, refusal: 'locked' }), compare)).toEqual({ refused: 'locked' });
    await expect(spendThenCompare(() => Promise.reject(new Error('DynamoDB unreachable')), compare)).rejects.toThrow('DynamoDB unreachable');
    expect(compared).toBe(0);
  });
});

describe('windowLockedUntil', () => {
  it('is null with room, else until the oldest attempt of a full window ages out', () => {
    const windowMs = 15 * 60_000;
    const now = 1_000_000_000;
    const times = Array.from({ length: 9 }, (_, i) => now - i * 1000);
    expect(windowLockedUntil(times, now, windowMs, 10)).toBeNull();
    expect(windowLockedUntil([...times, now - windowMs - 1], now, windowMs, 10)).toBeNull(); // a stale one does not count
    expect(windowLockedUntil([...times, now - 60_000], now, windowMs, 10)).toBe(now - 60_000 + windowMs);
  });
});

describe('every comparison of a guessable secret spends an attempt first', () => {
  it('TOTP codes and recovery codes are checked only inside spendThenCompare', () => {
    expect(unguardedCalls(/\b(matchTotp|findRecoveryCodeHash)\(/, [/spendThenCompare\(/], 3, ['shared/domain/mfa/totp.ts', 'shared/domain/mfa/recovery-codes.ts'])).toEqual([]);
  });

  it('the challenge engine checks a PIN, link, TOTP or recovery code only inside spendThenCompare', () => {
    // CredentialCheck.verify (shared/domain/sign-in/credentials.ts) compares; complete-sign-in.ts calls it.
    const verify = /\bcredentials\.verify\(challenge\b/;
    expect(unguardedCalls(verify, [], 0, [])).not.toEqual([]); // the scan sees the call (no guard: every call site)
    expect(unguardedCalls(verify, [/spendThenCompare\(/], 3, [])).toEqual([]);
  });

  it('operator passwords are verified only after the login throttle took an attempt', () => {
    expect(unguardedCalls(/\bverify(Password|AgainstDummy)\(/, [/reserveAttempt\(/, /throttle\.attempt\(/], 8, ['shared/domain/sessions/passwords.ts'])).toEqual([]);
  });
});
