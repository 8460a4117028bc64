/**
 * What a challenge stores of its secret: PINs as an HMAC-SHA256 under the server key, bound to the
 * challenge (a stolen table does not give PINs away to a dictionary of 10^6); link tokens (256 random
 * bits) as a plain SHA-256.
 */
import { createHmac } from 'node:crypto';
import { hashSecret } from '../kernel/secrets.ts';

/** The PIN HMAC key (a data key unwrapped once per process). */
export interface PinKey {
  get(): Promise<Uint8Array>;
}

export class PinSecrets {
  constructor(private readonly key: PinKey) {}

  /**
   * Starts loading the key (on a cold start: a keyring read and a KMS unwrap) while the sign-in's own
   * reads are in flight, instead of after them. The load is a cached promise, so a warm request only
   * touches memory; a failure surfaces where the key is used.
   */
  warmUp(): void {
    this.key.get().catch(() => undefined);
  }

  /** PINs: HMAC-SHA256 under the server key, bound to the challenge; link tokens (256 bits): SHA-256. */
  async hash(challengeId: string, factor: 'pin' | 'passwordless', secret: string): Promise<string> {
    if (factor === 'passwordless') return hashSecret(secret);
    return createHmac('sha256', await this.key.get()).update(`${challengeId}:${secret}`, 'utf8').digest('base64url');
  }
}
