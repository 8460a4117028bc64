import type { KMSClient } from '@aws-sdk/client-kms';
import type { MasterKey } from '../domain/platform/keyring-store.ts';

/**
 * KMS as the envelope root. Called only on a cold start (or when a keyring is first created): the
 * unwrapped data key then lives in the function's memory, so warm requests make no KMS call.
 * The encryption context binds each data key to its purpose; KMS refuses to decrypt it for another.
 */
export class KmsMasterKey implements MasterKey {
  private readonly client: () => Promise<KMSClient>;

  /**
   * `kms` may be a function answering the client: the composition root passes one that imports the
   * KMS SDK on first use, so a cold start that finds its keys cached pays for no KMS code at all.
   */
  constructor(
    kms: KMSClient | (() => Promise<KMSClient>),
    private readonly keyId: string,
  ) {
    if (!keyId) throw new Error('KMS key id is not configured for this function');
    this.client = typeof kms === 'function' ? kms : () => Promise.resolve(kms);
  }

  async generateDataKey(purpose: string): Promise<{ plaintext: Uint8Array; ciphertext: Uint8Array }> {
    const { GenerateDataKeyCommand } = await import('@aws-sdk/client-kms');
    const result = await (await this.client()).send(
      new GenerateDataKeyCommand({ KeyId: this.keyId, KeySpec: 'AES_256', EncryptionContext: { purpose } }),
    );
    if (!result.Plaintext || !result.CiphertextBlob) throw new Error('KMS returned no data key');
    return { plaintext: result.Plaintext, ciphertext: result.CiphertextBlob };
  }

  async decryptDataKey(ciphertext: Uint8Array, purpose: string): Promise<Uint8Array> {
    const { DecryptCommand } = await import('@aws-sdk/client-kms');
    const result = await (await this.client()).send(
      new DecryptCommand({ KeyId: this.keyId, CiphertextBlob: ciphertext, EncryptionContext: { purpose } }),
    );
    if (!result.Plaintext) throw new Error('KMS returned no plaintext');
    return result.Plaintext;
  }
}
