/** Ports of the key ring: the master key (KMS, or a key file locally) and the table holding wrapped keyrings. */

/** Envelope encryption root: KMS in the cloud, a key file locally. `purpose` binds a data key to its use. */
export interface MasterKey {
  generateDataKey(purpose: string): Promise<{ plaintext: Uint8Array; ciphertext: Uint8Array }>;
  decryptDataKey(ciphertext: Uint8Array, purpose: string): Promise<Uint8Array>;
}

/** Wrapped key material as stored in the table: nothing in it is usable without the master key. */
export interface StoredKeyring {
  purpose: string;
  kid: string;
  /** Public half (signing keys only), safe to publish. */
  publicJwk?: Record<string, string>;
  /** The data key, encrypted under the master key. */
  wrappedDataKey: string;
  /** Private material encrypted with the data key (AES-256-GCM), absent for pure data keys. */
  encryptedSecret?: string;
  createdAt: string;
}

export interface KeyringStore {
  findKeyring(purpose: string): Promise<StoredKeyring | undefined>;
  /** Stores the keyring unless one exists; answers false when another process created it first. */
  createKeyring(keyring: StoredKeyring): Promise<boolean>;
}
