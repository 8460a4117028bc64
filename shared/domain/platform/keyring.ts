import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { AppError } from '../kernel/errors.ts';
import type { KeyringStore, MasterKey, StoredKeyring } from './keyring-store.ts';

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

/** Key of the PIN HMACs (a 256-bit data key, envelope-encrypted like the others). */
export const PIN_HMAC_PURPOSE = 'pin-hmac';

/** Key that encrypts TOTP secrets (`TotpSecretCipher`). */
export const TOTP_SECRETS_PURPOSE = 'totp-secrets';

/** The data keys under the data master key, each its own keyring and its own KMS encryption context. */
export const DATA_KEY_PURPOSES = [PIN_HMAC_PURPOSE, TOTP_SECRETS_PURPOSE] as const;

/**
 * A keyring the request needs has not been created. Only the key function creates keyrings (at
 * deployment, then on its schedule; locally the server and the test setup at start): the functions
 * that use a key may not write one, so they answer 503 and the caller retries.
 */
export class KeyringMissingError extends AppError {
  constructor(readonly purpose: string) {
    super(503, 'service_unavailable', 'Service Unavailable', 'The service keys are not provisioned yet. Please retry shortly.', {}, { 'retry-after': '30' });
  }
}

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

/** A signing key generation: the first one has no `activatesAt` (it signs from its creation). */
type SigningKeyring = StoredKeyring & { activatesAt?: string };

/** Generation n ≥ 1 is stored under its own purpose; generation 0 is the original item. */
const generationPurpose = (generation: number): string => (generation === 0 ? TOKEN_SIGNING_PURPOSE : `${TOKEN_SIGNING_PURPOSE}.${generation}`);

export interface TokenSigningOptions {
  now?: () => Date;
  /**
   * How long a new key is published before it signs: longer than any verifier caches the JWKS
   * (`max-age=300` on the route, 60 s in the authorizers), so every verifier knows it first. @default 3600
   */
  publishLeadSeconds?: number;
  /**
   * How long a replaced key stays published: the longest token it may have signed (end-user tokens
   * live up to 24 h; operator tokens 15 min) plus slack for clock skew. @default 90000
   */
  retireAfterSeconds?: number;
  /** How often a warm process re-reads the key generations. @default 300 */
  refreshSeconds?: number;
}

/**
 * The ES256 keys that sign every token (operator access tokens and end-user tokens). Private halves
 * are stored wrapped (envelope encryption) in the table and unwrapped once per process and key, so no
 * warm request calls KMS. The first signer to start creates the first key; a conditional write settles
 * concurrent first starts on one key.
 *
 * Rotation (`rotate`) adds a generation whose `activatesAt` lies `publishLeadSeconds` ahead: it is in
 * the JWKS at once but signs only from then on; the generation it replaces signs until then and stays
 * in the JWKS for `retireAfterSeconds` more, so tokens it signed verify until they expire. Generations
 * are immutable items (creation is the only write), so processes agree without coordination: each
 * picks, by the clock, the newest generation already active.
 */
export class TokenSigningKeys {
  private generations: { loadedAt: number; keyrings: Promise<SigningKeyring[]> } | undefined;
  private readonly unwrapped = new Map<string, Promise<SigningKey>>();
  private readonly now: () => Date;
  private readonly publishLeadMs: number;
  private readonly retireAfterMs: number;
  private readonly refreshMs: number;

  constructor(
    private readonly store: KeyringStore,
    private readonly masterKey: () => MasterKey,
    options: TokenSigningOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.publishLeadMs = (options.publishLeadSeconds ?? 3600) * 1000;
    this.retireAfterMs = (options.retireAfterSeconds ?? 90_000) * 1000;
    this.refreshMs = (options.refreshSeconds ?? 300) * 1000;
  }

  /**
   * The private key that signs now, unwrapped once and then kept in memory. Never creates one: before
   * the key function has created the first key this is a `KeyringMissingError` (503).
   */
  async signingKey(): Promise<SigningKey> {
    const keyrings = await this.keyrings();
    const nowMs = this.now().getTime();
    const active = keyrings.filter((keyring) => activation(keyring) <= nowMs).at(-1) ?? keyrings[0];
    if (!active) throw new KeyringMissingError(TOKEN_SIGNING_PURPOSE);
    return this.unwrapOnce(active);
  }

  /**
   * Creates the first key unless there is one (the key function, at deployment); answers its kid.
   * Of concurrent creations one conditional write wins.
   */
  async ensure(): Promise<string> {
    let keyrings = await this.keyrings(true);
    if (keyrings.length === 0) {
      await this.createFirst();
      keyrings = await this.keyrings(true);
    }
    const first = keyrings[0];
    if (!first) throw new Error('signing keyring vanished after its creation');
    return first.kid;
  }

  /**
   * Public keys for verification (JWKS, authorizer): no KMS involved. Pending keys are listed before
   * they sign; replaced keys until `retireAfterSeconds` after their successor activated.
   */
  async verificationKeys(): Promise<JWK[]> {
    const keyrings = await this.keyrings();
    const nowMs = this.now().getTime();
    return keyrings
      .filter((keyring, index) => {
        const successor = keyrings[index + 1];
        return !successor || activation(successor) + this.retireAfterMs > nowMs;
      })
      .reverse() // newest first
      .flatMap((keyring) => (keyring.publicJwk ? [{ ...keyring.publicJwk, kid: keyring.kid, alg: 'ES256', use: 'sig' }] : []));
  }

  /**
   * Starts a rotation: a new key, published now, signing after `publishLeadSeconds`. When a rotation
   * is already pending (or two processes rotate at once) the pending key is answered instead. Only
   * the key function rotates (on its schedule); no other function may write a keyring.
   */
  async rotate(): Promise<{ kid: string; activatesAt: string }> {
    await this.ensure();
    const keyrings = await this.keyrings(true);
    const nowMs = this.now().getTime();
    const last = keyrings.at(-1);
    if (last && activation(last) > nowMs) return { kid: last.kid, activatesAt: last.activatesAt ?? '' };
    const activatesAt = new Date(nowMs + this.publishLeadMs).toISOString();
    const { keyring } = await this.create(generationPurpose(keyrings.length), activatesAt);
    await this.store.createKeyring(keyring);
    const settled = (await this.keyrings(true)).at(-1);
    if (!settled) throw new Error('signing keyring vanished after a rotation');
    return { kid: settled.kid, activatesAt: settled.activatesAt ?? activatesAt };
  }

  /** Every generation, oldest first; re-read every `refreshSeconds` (an empty answer is not kept). */
  private async keyrings(fresh = false): Promise<SigningKeyring[]> {
    const nowMs = Date.now();
    if (fresh || !this.generations || nowMs - this.generations.loadedAt >= this.refreshMs) {
      const keyrings = this.loadGenerations();
      this.generations = { loadedAt: nowMs, keyrings };
      keyrings.then(
        (loaded) => {
          if (loaded.length === 0 && this.generations?.keyrings === keyrings) this.generations = undefined;
        },
        () => {
          if (this.generations?.keyrings === keyrings) this.generations = undefined; // never cache a failure
        },
      );
    }
    return this.generations.keyrings;
  }

  private async loadGenerations(): Promise<SigningKeyring[]> {
    const keyrings: SigningKeyring[] = [];
    for (let generation = 0; ; generation++) {
      const keyring = await this.store.findKeyring(generationPurpose(generation));
      if (!keyring) return keyrings;
      keyrings.push(keyring);
    }
  }

  private async createFirst(): Promise<void> {
    const { keyring } = await this.create(TOKEN_SIGNING_PURPOSE, undefined);
    // Of concurrent first creations one write wins; the others read the winner back.
    await this.store.createKeyring(keyring);
  }

  private unwrapOnce(keyring: SigningKeyring): Promise<SigningKey> {
    let key = this.unwrapped.get(keyring.kid);
    if (!key) {
      key = this.unwrap(keyring);
      this.unwrapped.set(keyring.kid, key);
      key.catch(() => this.unwrapped.delete(keyring.kid)); // a failed unwrap must not poison later requests
    }
    return key;
  }

  private async create(purpose: string, activatesAt: string | undefined): Promise<{ keyring: SigningKeyring; key: SigningKey }> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = randomBytes(12).toString('base64url');
    const dataKey = await this.masterKey().generateDataKey(TOKEN_SIGNING_PURPOSE);
    const privateJwk = await exportJWK(privateKey);
    const { kty, crv, x, y } = await exportJWK(publicKey);
    const keyring: SigningKeyring = {
      purpose,
      kid,
      publicJwk: { kty: kty ?? 'EC', crv: crv ?? 'P-256', x: x ?? '', y: y ?? '' },
      wrappedDataKey: Buffer.from(dataKey.ciphertext).toString('base64url'),
      encryptedSecret: seal(dataKey.plaintext, Buffer.from(JSON.stringify(privateJwk)), `${TOKEN_SIGNING_PURPOSE}:${kid}`),
      createdAt: this.now().toISOString(),
      ...(activatesAt ? { activatesAt } : {}),
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

/** Epoch ms from which a generation signs (the first generation: always). */
function activation(keyring: SigningKeyring): number {
  return keyring.activatesAt ? Date.parse(keyring.activatesAt) : Number.NEGATIVE_INFINITY;
}

/**
 * A 256-bit secret key of one purpose (the PIN HMAC key, the TOTP secrets key), stored wrapped under
 * the master key and unwrapped once per process. `get` only reads: a missing keyring is a
 * `KeyringMissingError` (503), never a write. `ensure` creates it, and only the key function (and
 * locally the server and test setup) calls it; a conditional write settles concurrent creations.
 */
export class DataKey {
  private key: Promise<Uint8Array> | undefined;

  constructor(
    private readonly store: KeyringStore,
    private readonly masterKey: () => MasterKey,
    private readonly purpose: string,
  ) {}

  get(): Promise<Uint8Array> {
    this.key ??= this.load().catch((error: unknown) => {
      this.key = undefined; // a failed cold start (or a keyring created since) must not poison later requests
      throw error;
    });
    return this.key;
  }

  /** Creates the keyring unless it exists; answers whether this call created it. */
  async ensure(): Promise<boolean> {
    if (await this.store.findKeyring(this.purpose)) return false;
    const dataKey = await this.masterKey().generateDataKey(this.purpose);
    return this.store.createKeyring({
      purpose: this.purpose,
      kid: randomBytes(12).toString('base64url'),
      wrappedDataKey: Buffer.from(dataKey.ciphertext).toString('base64url'),
      createdAt: new Date().toISOString(),
    });
  }

  private async load(): Promise<Uint8Array> {
    const existing = await this.store.findKeyring(this.purpose);
    if (!existing) throw new KeyringMissingError(this.purpose);
    return this.masterKey().decryptDataKey(Buffer.from(existing.wrappedDataKey, 'base64url'), this.purpose);
  }
}

/** The master keys the keyrings are wrapped under: signing keys under one, data keys under the other. */
export interface KeyringMasterKeys {
  signing: () => MasterKey;
  data: () => MasterKey;
}

/**
 * The key function's work: creates every keyring that does not exist yet (first signing key, the data
 * keys) and, with `rotate`, starts a signing-key rotation. Idempotent, so running it at every
 * deployment and on a schedule is safe. Answers what it did, for the log.
 */
export async function provisionKeyrings(
  store: KeyringStore,
  masterKeys: KeyringMasterKeys,
  options: { rotate?: boolean; signing?: TokenSigningOptions } = {},
): Promise<{ signingKid: string; created: string[]; rotated?: { kid: string; activatesAt: string } }> {
  const created: string[] = [];
  for (const purpose of DATA_KEY_PURPOSES) {
    if (await new DataKey(store, masterKeys.data, purpose).ensure()) created.push(purpose);
  }
  const signing = new TokenSigningKeys(store, masterKeys.signing, options.signing);
  const hadSigningKey = (await store.findKeyring(TOKEN_SIGNING_PURPOSE)) !== undefined;
  const signingKid = await signing.ensure();
  if (!hadSigningKey) created.push(TOKEN_SIGNING_PURPOSE);
  return { signingKid, created, ...(options.rotate ? { rotated: await signing.rotate() } : {}) };
}
