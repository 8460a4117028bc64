/**
 * PKCE (RFC 7636) with S256 only: the hosted login takes `code_challenge` = BASE64URL(SHA-256(verifier))
 * and the token endpoint recomputes it from `code_verifier`. A code intercepted on its way to the
 * redirect URI is worthless without the verifier, which never left the relying party.
 */
import { createHash } from 'node:crypto';
import { constantTimeEqual } from '../kernel/secrets.ts';

/** RFC 7636 §4.1: 43 to 128 characters of the unreserved set. */
export const CODE_VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/;

/** RFC 7636 §4.6, S256: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))). */
export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** Whether `verifier` is well formed and hashes to `challenge` (compared in constant time). */
export function verifiesChallenge(verifier: string, challenge: string): boolean {
  if (!CODE_VERIFIER_PATTERN.test(verifier)) return false;
  return constantTimeEqual(s256Challenge(verifier), challenge);
}
