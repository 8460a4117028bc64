/**
 * Recovery codes: 10 per set, each 12 base32 characters (60 bits) shown as `xxxx-xxxx-xxxx`. Stored
 * only as SHA-256 hashes — a fast hash is enough for 60 random bits (there is nothing to guess from a
 * hash; online guessing is capped by the factor lock) — and each is spent by one conditional write.
 */
import { randomBytes } from 'node:crypto';
import { constantTimeEqual, hashSecret } from '../kernel/secrets.ts';

export const RECOVERY_CODE_COUNT = 10;
const CODE_LENGTH = 12;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** One code: each character takes 5 bits of one random byte (256 is a multiple of 32: no bias). */
function newRecoveryCode(): string {
  const characters = [...randomBytes(CODE_LENGTH)].map((byte) => ALPHABET[byte & 31]).join('');
  return `${characters.slice(0, 4)}-${characters.slice(4, 8)}-${characters.slice(8)}`;
}

/** A fresh set of recovery codes, as shown to the user (once). */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
}

/** The canonical form (lower case, no dashes or spaces), or undefined when it cannot be a code. */
export function normalizeRecoveryCode(input: string): string | undefined {
  const compact = input.toLowerCase().replace(/[\s-]/g, '');
  return /^[a-z2-7]{12}$/.test(compact) ? compact : undefined;
}

/** What is stored for a code: the hash of its canonical form. */
export function hashRecoveryCode(code: string): string {
  return hashSecret(normalizeRecoveryCode(code) ?? code);
}

/** The stored hash a submitted code matches, compared in constant time against every one. */
export function findRecoveryCodeHash(stored: readonly string[], submitted: string): string | undefined {
  const normalized = normalizeRecoveryCode(submitted);
  if (!normalized) return undefined;
  const candidate = hashSecret(normalized);
  let match: string | undefined;
  // No early exit: the time taken does not depend on which (if any) code matched.
  for (const hash of stored) if (constantTimeEqual(hash, candidate)) match = hash;
  return match;
}

/** The `text/plain` download of a set. */
export function recoveryCodesText(codes: readonly string[], accountName: string): string {
  return [
    `Portcullis recovery codes for ${accountName}`,
    `Generated ${new Date().toISOString()}`,
    '',
    'Each code signs you in once when your authenticator app is not at hand.',
    'Keep them somewhere safe; generating a new set voids these.',
    '',
    ...codes,
    '',
  ].join('\n');
}
