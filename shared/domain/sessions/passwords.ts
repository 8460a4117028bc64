import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { COMMON_PASSWORDS } from './common-passwords.ts';
import { ValidationError } from '../kernel/errors.ts';

/**
 * scrypt at the OWASP Password Storage Cheat Sheet's first choice: N=2^17, r=8, p=1. One hash needs
 * 128 * N * r = 128 MiB, above Node's 32 MiB default `maxmem`, so it is raised explicitly (and the
 * functions that hash get enough Lambda memory).
 */
const PARAMS = { logN: 17, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

function derive(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** logN, r, p, maxmem: 256 * 2 ** 20 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

/** Hashes a password as `scrypt$<logN>$<r>$<p>$<salt>$<hash>` so parameters can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, PARAMS.logN, PARAMS.r, PARAMS.p);
  return ['scrypt', PARAMS.logN, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Verifies in constant time against a stored hash; a malformed hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, logN, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !logN || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), Number(logN), Number(r), Number(p));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same time as a real verification, for logins with an unknown email: the response time
 * must not tell whether an account exists.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword('portcullis-dummy-password');
  await verifyPassword(password, await dummyHash);
  return false;
}

/**
 * The rules a schema cannot check alone (NIST SP 800-63B 3.1.1.2): not a known common password, and
 * not built from the account's own email.
 */
export function assertAcceptablePassword(password: string, email: string, field = 'body.password'): void {
  const lowered = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lowered)) {
    throw new ValidationError([{ field, message: 'is too common; choose a less predictable password' }], 'weak_password');
  }
  const localPart = email.split('@')[0] ?? '';
  if (localPart.length >= 4 && lowered.includes(localPart.toLowerCase())) {
    throw new ValidationError([{ field, message: 'must not contain your email address' }], 'weak_password');
  }
}
