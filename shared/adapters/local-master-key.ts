import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { seal, unseal } from '../domain/platform/keyring.ts';
import type { MasterKey } from '../domain/platform/keyring-store.ts';

/**
 * Local stand-in for KMS: a 256-bit key in a file (under `.data/` for `npm start`), created on first
 * use with owner-only permissions. Same envelope scheme as the cloud, so the same domain code runs.
 */
export class LocalMasterKey implements MasterKey {
  private key: Buffer | undefined;

  constructor(private readonly keyFile: string) {}

  // Failures surface as rejected promises, as they would from KMS.
  generateDataKey(purpose: string): Promise<{ plaintext: Uint8Array; ciphertext: Uint8Array }> {
    return Promise.resolve().then(() => {
      const plaintext = randomBytes(32);
      return { plaintext, ciphertext: Buffer.from(seal(this.masterKey(), plaintext, `data-key:${purpose}`), 'utf8') };
    });
  }

  decryptDataKey(ciphertext: Uint8Array, purpose: string): Promise<Uint8Array> {
    return Promise.resolve().then(() => unseal(this.masterKey(), Buffer.from(ciphertext).toString('utf8'), `data-key:${purpose}`));
  }

  private masterKey(): Buffer {
    if (this.key) return this.key;
    mkdirSync(dirname(this.keyFile), { recursive: true });
    try {
      // `wx`: of two processes starting at once, one creates the file and the other reads it.
      writeFileSync(this.keyFile, randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const key = Buffer.from(readFileSync(this.keyFile, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${this.keyFile} does not hold a 256-bit key`);
    this.key = key;
    return key;
  }
}
