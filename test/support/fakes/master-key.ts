import { randomBytes } from 'node:crypto';
import { seal, unseal } from '#shared/domain/platform/keyring.ts';
import type { MasterKey } from '#shared/domain/platform/keyring-store.ts';

/**
 * The local master key without its file: the same envelope scheme as `LocalMasterKey` (a data key
 * sealed under a 256-bit key, bound to its purpose), held in memory. Counts its calls, and can be
 * told to fail the next ones, as KMS would when it is throttled or down.
 */
export class MemoryMasterKey implements MasterKey {
  private readonly key = randomBytes(32);
  generated = 0;
  decrypted = 0;
  private failures = 0;

  /** The next `count` calls reject. */
  failNext(count = 1): void {
    this.failures = count;
  }

  generateDataKey(purpose: string): Promise<{ plaintext: Uint8Array; ciphertext: Uint8Array }> {
    return this.call(() => {
      this.generated += 1;
      const plaintext = randomBytes(32);
      return { plaintext, ciphertext: Buffer.from(seal(this.key, plaintext, `data-key:${purpose}`), 'utf8') };
    });
  }

  decryptDataKey(ciphertext: Uint8Array, purpose: string): Promise<Uint8Array> {
    return this.call(() => {
      this.decrypted += 1;
      return unseal(this.key, Buffer.from(ciphertext).toString('utf8'), `data-key:${purpose}`);
    });
  }

  private call<T>(work: () => T): Promise<T> {
    if (this.failures > 0) {
      this.failures -= 1;
      return Promise.reject(new Error('master key unavailable'));
    }
    return Promise.resolve().then(work);
  }
}
