import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { MasterKey } from '../domain/ports.ts';

/**
 * KMS as the envelope root. Called only on a cold start (or when a keyring is first created): the
 * unwrapped data key then lives in the function's memory, so warm requests make no KMS call.
 * The encryption context binds each data key to its purpose; KMS refuses to decrypt it for another.
 */
export class KmsMasterKey implements MasterKey {
  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
  ) {
    if (!keyId) throw new Error('KMS key id is not configured for this function');
  }

  async generateDataKey(purpose: string): Promise<{ plaintext: Uint8Array; ciphertext: Uint8Array }> {
    const result = await this.kms.send(
      new GenerateDataKeyCommand({ KeyId: this.keyId, KeySpec: 'AES_256', EncryptionContext: { purpose } }),
    );
    if (!result.Plaintext || !result.CiphertextBlob) throw new Error('KMS returned no data key');
    return { plaintext: result.Plaintext, ciphertext: result.CiphertextBlob };
  }

  async decryptDataKey(ciphertext: Uint8Array, purpose: string): Promise<Uint8Array> {
    const result = await this.kms.send(
      new DecryptCommand({ KeyId: this.keyId, CiphertextBlob: ciphertext, EncryptionContext: { purpose } }),
    );
    if (!result.Plaintext) throw new Error('KMS returned no plaintext');
    return result.Plaintext;
  }
}
