import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/** A URL-safe random secret of `bytes` bytes from the CSPRNG (32 bytes = 256 bits). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * SHA-256 of a high-entropy secret (refresh tokens, API keys, link tokens), as stored at rest and used
 * as a lookup key. A fast hash is right here: the secrets are 128+ random bits, so there is nothing
 * to brute-force; passwords use scrypt instead.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}

/** Constant-time string equality (length is not secret). */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** An opaque, prefixed id such as `usr_3c2b…`: the prefix tells a support engineer what it names. */
export function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll('-', '')}`;
}
