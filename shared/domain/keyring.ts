import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { KeyringStore, MasterKey, StoredKeyring } from './ports.ts';

/** AES-256-GCM with a random 96-bit IV; `aad` binds the ciphertext to what it is for. */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

export function unseal(key: Uint8Array, sealed: string, aad: string): Buffer {
  const raw = Buffer.from(sealed, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
}

export const TOKEN_SIGNING_PURPOSE = 'token-signing';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

/**
 * The ES256 key that signs every token. Its private half is stored wrapped (envelope encryption) in the
 * table and unwrapped once per cold start, so no warm request calls KMS. The first signer to start
 * creates it; a conditional write settles concurrent first starts on one key.
 */
export class TokenSigningKeys {
  private signing: Promise<SigningKey> | undefined;
  private publicKeys: Promise<JWK[]> | undefined;

  constructor(
    private readonly store: KeyringStore,
    private readonly masterKey: () => MasterKey,
  ) {}

  /** The private key, unwrapped once and then kept in memory. */
  signingKey(): Promise<SigningKey> {
    this.signing ??= this.loadOrCreate().catch((error: unknown) => {
      this.signing = undefined; // a failed cold start must not poison every later request
      throw error;
    });
    return this.signing;
  }

  /**
   * Public keys for verification (JWKS, authorizer): no KMS involved. An empty list (nothing signed
   * yet) is not remembered, so the first key is picked up as soon as it exists.
   */
  async verificationKeys(): Promise<JWK[]> {
    this.publicKeys ??= this.store.findKeyring(TOKEN_SIGNING_PURPOSE).then((keyring) => {
      if (!keyring?.publicJwk) {
        this.publicKeys = undefined;
        return [];
      }
      return [{ ...keyring.publicJwk, kid: keyring.kid, alg: 'ES256', use: 'sig' }];
    });
    return this.publicKeys;
  }

  private async loadOrCreate(): Promise<SigningKey> {
    const existing = await this.store.findKeyring(TOKEN_SIGNING_PURPOSE);
    if (existing) return this.unwrap(existing);
    const created = await this.create();
    if (await this.store.createKeyring(created.keyring)) return created.key;
    const winner = await this.store.findKeyring(TOKEN_SIGNING_PURPOSE);
    if (!winner) throw new Error('signing keyring vanished after a conflicting create');
    return this.unwrap(winner);
  }

  private async create(): Promise<{ keyring: StoredKeyring; key: SigningKey }> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = randomBytes(12).toString('base64url');
    const dataKey = await this.masterKey().generateDataKey(TOKEN_SIGNING_PURPOSE);
    const privateJwk = await exportJWK(privateKey);
    const { kty, crv, x, y } = await exportJWK(publicKey);
    const keyring: StoredKeyring = {
      purpose: TOKEN_SIGNING_PURPOSE,
      kid,
      publicJwk: { kty: kty ?? 'EC', crv: crv ?? 'P-256', x: x ?? '', y: y ?? '' },
      wrappedDataKey: Buffer.from(dataKey.ciphertext).toString('base64url'),
      encryptedSecret: seal(dataKey.plaintext, Buffer.from(JSON.stringify(privateJwk)), `${TOKEN_SIGNING_PURPOSE}:${kid}`),
      createdAt: new Date().toISOString(),
    };
    return { keyring, key: { kid, privateKey } };
  }

  private async unwrap(keyring: StoredKeyring): Promise<SigningKey> {
    if (!keyring.encryptedSecret) throw new Error('signing keyring has no private key');
    const dataKey = await this.masterKey().decryptDataKey(Buffer.from(keyring.wrappedDataKey, 'base64url'), TOKEN_SIGNING_PURPOSE);
    const jwk = JSON.parse(unseal(dataKey, keyring.encryptedSecret, `${TOKEN_SIGNING_PURPOSE}:${keyring.kid}`).toString('utf8')) as JWK;
    const privateKey = await importJWK(jwk, 'ES256');
    if (privateKey instanceof Uint8Array) throw new Error('signing key is not an asymmetric key');
    return { kid: keyring.kid, privateKey };
  }
}
