/**
 * SPEC §6 "One gate issues operator sessions", the static half: which routes answer tokens (read off
 * their response schemas, not off a hand-kept list), that each is flagged in the manifest (the e2e
 * half, test/e2e/session-gate.test.ts, attacks every flagged route), that only the gate's module can
 * mint a session, and the gate's decision table.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { gateVerdict } from '#shared/domain/sessions/session-gate.ts';
import { manifest } from '#shared/http/manifest.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const TOKEN_FIELDS = ['accessToken', 'refreshToken'];

/** Whether any object anywhere in the JSON schema (unions, intersections, arrays, nesting) has a token field. */
function jsonSchemaCarriesTokens(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(jsonSchemaCarriesTokens);
  if (typeof node !== 'object' || node === null) return false;
  const properties = (node as { properties?: Record<string, unknown> }).properties;
  if (properties && TOKEN_FIELDS.some((field) => field in properties)) return true;
  return Object.values(node).some(jsonSchemaCarriesTokens);
}

/** Whether the zod schema of an answer can carry operator tokens. */
export function schemaCarriesTokens(schema: z.core.$ZodType | undefined): boolean {
  if (!schema) return false;
  return jsonSchemaCarriesTokens(z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }));
}

function sourceFiles(directory: string): string[] {
  return readdirSync(join(ROOT, directory), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

describe('routes that answer operator tokens', () => {
  it('finds token fields inside unions, intersections, optional fields and nested objects', () => {
    const pair = z.object({ accessToken: z.string() });
    expect(schemaCarriesTokens(z.union([z.object({ a: z.string() }), pair]))).toBe(true);
    expect(schemaCarriesTokens(z.object({ a: z.string() }).and(z.object({ refreshToken: z.string().optional() })))).toBe(true);
    expect(schemaCarriesTokens(z.object({ session: pair.optional() }))).toBe(true);
    expect(schemaCarriesTokens(z.object({ token: z.string(), mfaToken: z.string() }))).toBe(false);
    expect(schemaCarriesTokens(undefined)).toBe(false);
  });

  it('are exactly the routes flagged issuesOperatorSession (a new token route without the flag fails here)', () => {
    const carrying = manifest.filter((route) => schemaCarriesTokens(route.response.body)).map((route) => route.id);
    const flagged = manifest.filter((route) => route.issuesOperatorSession === true).map((route) => route.id);
    expect(flagged).toEqual(carrying);
    // The routes SPEC §6 names that exist today; password reset joins when it answers tokens.
    expect(flagged.sort()).toEqual(['acceptInvitation', 'completeMfaLogin', 'confirmOperatorTotp', 'login', 'passkeySignIn', 'refresh', 'signup', 'verifySignup']);
  });

  it('get their tokens from the gate: only sessions.ts signs operator access tokens or creates session families', () => {
    const offenders = [...sourceFiles('functions'), ...sourceFiles('shared')].filter((file) => {
      if (['shared/domain/sessions/operator-sessions.ts', 'shared/domain/sessions/access-tokens.ts', 'shared/domain/sessions/session-store.ts', 'shared/adapters/session-repository.ts'].includes(file)) return false;
      const text = readFileSync(join(ROOT, file), 'utf8');
      return /\bsignAccessToken\s*\(/.test(text) || /\bcreateFamily\s*\(/.test(text);
    });
    expect(offenders).toEqual([]);

    // Inside sessions.ts: one private minting method, called once, from `admit`, after the gate.
    const sessions = readFileSync(join(ROOT, 'shared/domain/sessions/operator-sessions.ts'), 'utf8');
    expect(sessions).toMatch(/\n {2}private async mint\(/);
    expect(sessions.match(/this\.mint\(/g)).toHaveLength(1);
    const admit = /\n {2}async admit\([\s\S]*?\n {2}\}\n/.exec(sessions)?.[0] ?? '';
    expect(admit).toMatch(/this\.gate\.verdict\([\s\S]*this\.mint\(/);
    expect(sessions.match(/this\.sessions\.createFamily\(/g)).toHaveLength(1);
    // The access token is signed in two places: minting, and rotating in `refresh` after the gate.
    expect(sessions.match(/this\.tokenPair\(/g)).toHaveLength(2);
    const refresh = /\n {2}async refresh\([\s\S]*?\n {2}\}\n/.exec(sessions)?.[0] ?? '';
    expect(refresh).toMatch(/this\.gate\.verdict\([\s\S]*this\.tokenPair\(/);
  });
});

describe('cookie mode (SPEC §10): a second way to carry the refresh token, through the same gate', () => {
  it('is answered by every flagged route through sessionAnswer, and the cookie is written by session-cookie.ts only', () => {
    const flagged = manifest.filter((route) => route.issuesOperatorSession === true);
    expect(flagged.filter((route) => !/\bsessionAnswer\(/.test(readFileSync(join(ROOT, route.handler), 'utf8'))).map((route) => route.id)).toEqual([]);
    const writers = [...sourceFiles('functions'), ...sourceFiles('shared')].filter((file) => /\bcookies:\s*\[/.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(writers).toEqual(['shared/http/session-cookie.ts']);
  });

  it('reads the cookie on refresh and logout only', () => {
    expect(manifest.filter((route) => route.readsRefreshCookie === true).map((route) => route.id)).toEqual(['refresh', 'logout']);
  });
});

describe('the gate decision', () => {
  const none = { totp: false };
  const totp = { totp: true };

  it.each([
    ['no factor, no policy, password', 'open', none, false, ['pwd']],
    ['no factor, requireMfa, password', 'enroll', none, true, ['pwd']],
    ['TOTP, password only', 'verify', totp, false, ['pwd']],
    ['TOTP under requireMfa, password only', 'verify', totp, true, ['pwd']],
    ['TOTP, password and code', 'open', totp, true, ['pwd', 'otp']],
    ['TOTP, password and recovery code', 'open', totp, false, ['pwd', 'mfa']],
    ['no TOTP, user-verified passkey', 'open', none, true, ['hwk', 'user', 'mfa']],
    ['TOTP, user-verified passkey', 'open', totp, true, ['hwk', 'user', 'mfa']],
    ['TOTP, passkey without user verification', 'verify', totp, false, ['hwk', 'user']],
    ['requireMfa, passkey without user verification', 'enroll', none, true, ['hwk', 'user']],
    ['TOTP, enrolment token', 'verify', totp, false, ['mfa_enrollment']],
    ['TOTP, nothing shown', 'verify', totp, false, []],
  ] as const)('%s → %s', (_name, expected, factors, required, amr) => {
    expect(gateVerdict(factors, required, amr)).toBe(expected);
  });
});
