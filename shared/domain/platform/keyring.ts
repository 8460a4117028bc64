import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { AppError } from '../kernel/errors.ts';
import type { TokenSigningAlg } from '../sign-in/model.ts';
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

/** Keyring purpose of the ES256 (P-256) signing keys' first generation; later ones add `.n`. Also the KMS encryption context of every signing key's data key. */
export const TOKEN_SIGNING_PURPOSE = 'token-signing';

/** Keyring purpose of the RS256 (RSA-2048) signing keys' first generation; later ones add `.n`. */
export const RS256_SIGNING_PURPOSE = 'token-signing-rs256';

/** The signing keys' chains: each algorithm its own generations, rotated together. */
const SIGNING_PURPOSES: Record<TokenSigningAlg, string> = { ES256: TOKEN_SIGNING_PURPOSE, RS256: RS256_SIGNING_PURPOSE };

/** Every algorithm the key ring signs with, in JWKS order. */
const SIGNING_ALGS: readonly TokenSigningAlg[] = ['ES256', 'RS256'];

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
  /** The JWS algorithm the key signs with (`alg` of the tokens' header). */
  alg: TokenSigningAlg;
  privateKey: CryptoKey;
}

/** A rotation the key function started: the new key of one algorithm, signing from `activatesAt`. */
export interface Rotation {
  kid: string;
  activatesAt: string;
}

/** A signing key generation: the first one has no `activatesAt` (it signs from its creation). */
type SigningKeyring = StoredKeyring & { activatesAt?: string };

/** Generation n ≥ 1 is stored under its own purpose; generation 0 is the original item. */
const generationPurpose = (alg: TokenSigningAlg, generation: number): string =>
  generation === 0 ? SIGNING_PURPOSES[alg] : `${SIGNING_PURPOSES[alg]}.${generation}`;

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
 * The keys that sign every token: ES256 (P-256) for operator access tokens and the systems that keep
 * the default, RS256 (RSA-2048) for the systems that ask for it (API Gateway JWT authorizers accept
 * RSA only). Each algorithm has its own chain of generations; both chains are published in every JWKS
 * and rotated together. Private halves are stored wrapped (envelope encryption under the signing
 * master key) in the table and unwrapped once per process and key, so no warm request calls KMS. Only
 * the key function creates keys (`ensure`, `rotate`); a conditional write settles concurrent creations.
 *
 * Rotation (`rotate`) adds to each chain a generation whose `activatesAt` lies `publishLeadSeconds`
 * ahead: it is in the JWKS at once but signs only from then on; the generation it replaces signs until
 * then and stays in the JWKS for `retireAfterSeconds` more, so tokens it signed verify until they
 * expire. Generations are immutable items (creation is the only write), so processes agree without
 * coordination: each picks, by the clock, the newest generation already active. A chain is read only
 * when asked for: signing ES256 never reads the RSA keys.
 */
export class TokenSigningKeys {
  private readonly generations = new Map<TokenSigningAlg, { loadedAt: number; keyrings: Promise<SigningKeyring[]> }>();
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
   * The private key of `alg` that signs now, unwrapped once and then kept in memory. Never creates
   * one: before the key function has created that algorithm's first key this is a
   * `KeyringMissingError` (503), so an RS256 system of a deployment whose key function has not run
   * since the upgrade gets a 503 until it has.
   */
  async signingKey(alg: TokenSigningAlg = 'ES256'): Promise<SigningKey> {
    const keyrings = await this.keyrings(alg);
    const nowMs = this.now().getTime();
    const active = keyrings.filter((keyring) => activation(keyring) <= nowMs).at(-1) ?? keyrings[0];
    if (!active) throw new KeyringMissingError(SIGNING_PURPOSES[alg]);
    return this.unwrapOnce(alg, active);
  }

  /**
   * Creates the first key of every algorithm that has none (the key function, at deployment and on its
   * schedule: a deployment from before RS256 gets its RSA key at the next run); answers the ES256 kid.
   * Of concurrent creations one conditional write wins per algorithm.
   */
  async ensure(): Promise<string> {
    const kids = await this.ensureAll();
    return kids.ES256;
  }

  /** `ensure` for every algorithm, answering each one's first kid and which ones this call created. */
  async ensureAll(): Promise<Record<TokenSigningAlg, string> & { created: TokenSigningAlg[] }> {
    const created: TokenSigningAlg[] = [];
    const kids = {} as Record<TokenSigningAlg, string>;
    for (const alg of SIGNING_ALGS) {
      let keyrings = await this.keyrings(alg, true);
      if (keyrings.length === 0) {
        const { keyring } = await this.create(alg, generationPurpose(alg, 0), undefined);
        // Of concurrent first creations one write wins; the others read the winner back.
        if (await this.store.createKeyring(keyring)) created.push(alg);
        keyrings = await this.keyrings(alg, true);
      }
      const first = keyrings[0];
      if (!first) throw new Error('signing keyring vanished after its creation');
      kids[alg] = first.kid;
    }
    return { ...kids, created };
  }

  /**
   * Public keys for verification (JWKS, authorizer): no KMS involved. Every algorithm's keys unless
   * `algs` narrows it (operator tokens are ES256 only, so their verifiers read no RSA key); newest
   * first within each algorithm. Pending keys are listed before they sign; replaced keys until
   * `retireAfterSeconds` after their successor activated.
   */
  async verificationKeys(algs: readonly TokenSigningAlg[] = SIGNING_ALGS): Promise<JWK[]> {
    const chains = await Promise.all(algs.map(async (alg) => ({ alg, keyrings: await this.keyrings(alg) })));
    const nowMs = this.now().getTime();
    return chains.flatMap(({ alg, keyrings }) =>
      keyrings
        .filter((keyring, index) => {
          const successor = keyrings[index + 1];
          return !successor || activation(successor) + this.retireAfterMs > nowMs;
        })
        .reverse() // newest first
        .flatMap((keyring) => (keyring.publicJwk ? [{ ...keyring.publicJwk, kid: keyring.kid, alg, use: 'sig' }] : [])),
    );
  }

  /**
   * Starts a rotation of every algorithm: a new key each, published now, signing after
   * `publishLeadSeconds`. When a rotation is already pending (or two processes rotate at once) the
   * pending key is answered instead. Only the key function rotates (on its schedule); no other function
   * may write a keyring.
   */
  async rotate(): Promise<Record<TokenSigningAlg, Rotation>> {
    await this.ensureAll();
    const rotations = {} as Record<TokenSigningAlg, Rotation>;
    for (const alg of SIGNING_ALGS) rotations[alg] = await this.rotateChain(alg);
    return rotations;
  }

  private async rotateChain(alg: TokenSigningAlg): Promise<Rotation> {
    const keyrings = await this.keyrings(alg, true);
    const nowMs = this.now().getTime();
    const last = keyrings.at(-1);
    if (last && activation(last) > nowMs) return { kid: last.kid, activatesAt: last.activatesAt ?? '' };
    const activatesAt = new Date(nowMs + this.publishLeadMs).toISOString();
    const { keyring } = await this.create(alg, generationPurpose(alg, keyrings.length), activatesAt);
    await this.store.createKeyring(keyring);
    const settled = (await this.keyrings(alg, true)).at(-1);
    if (!settled) throw new Error('signing keyring vanished after a rotation');
    return { kid: settled.kid, activatesAt: settled.activatesAt ?? activatesAt };
  }

  /** Every generation of `alg`, oldest first; re-read every `refreshSeconds` (an empty answer is not kept). */
  private async keyrings(alg: TokenSigningAlg, fresh = false): Promise<SigningKeyring[]> {
    const nowMs = Date.now();
    const cached = this.generations.get(alg);
    if (!fresh && cached && nowMs - cached.loadedAt < this.refreshMs) return cached.keyrings;
    const keyrings = this.loadGenerations(alg);
    this.generations.set(alg, { loadedAt: nowMs, keyrings });
    const forget = () => {
      if (this.generations.get(alg)?.keyrings === keyrings) this.generations.delete(alg);
    };
    keyrings.then(
      (loaded) => {
        if (loaded.length === 0) forget();
      },
      forget, // never cache a failure
    );
    return keyrings;
  }

  private async loadGenerations(alg: TokenSigningAlg): Promise<SigningKeyring[]> {
    const keyrings: SigningKeyring[] = [];
    for (let generation = 0; ; generation++) {
      const keyring = await this.store.findKeyring(generationPurpose(alg, generation));
      if (!keyring) return keyrings;
      keyrings.push(keyring);
    }
  }

  private unwrapOnce(alg: TokenSigningAlg, keyring: SigningKeyring): Promise<SigningKey> {
    let key = this.unwrapped.get(keyring.kid);
    if (!key) {
      key = this.unwrap(alg, keyring);
      this.unwrapped.set(keyring.kid, key);
      key.catch(() => this.unwrapped.delete(keyring.kid)); // a failed unwrap must not poison later requests
    }
    return key;
  }

  /**
   * A new key pair of `alg`, its private JWK sealed with a fresh data key. Every signing key's data key
   * is made under the one KMS encryption context `token-signing` (what the functions' kms:Decrypt
   * grant names); the seal's AAD binds the sealed key to its kid.
   */
  private async create(alg: TokenSigningAlg, purpose: string, activatesAt: string | undefined): Promise<{ keyring: SigningKeyring; key: SigningKey }> {
    const { privateKey, publicKey } = await generateKeyPair(alg, alg === 'RS256' ? { extractable: true, modulusLength: 2048 } : { extractable: true });
    const kid = randomBytes(12).toString('base64url');
    const dataKey = await this.masterKey().generateDataKey(TOKEN_SIGNING_PURPOSE);
    const privateJwk = await exportJWK(privateKey);
    const keyring: SigningKeyring = {
      purpose,
      kid,
      publicJwk: publicJwkOf(alg, await exportJWK(publicKey)),
      wrappedDataKey: Buffer.from(dataKey.ciphertext).toString('base64url'),
      encryptedSecret: seal(dataKey.plaintext, Buffer.from(JSON.stringify(privateJwk)), `${TOKEN_SIGNING_PURPOSE}:${kid}`),
      createdAt: this.now().toISOString(),
      ...(activatesAt ? { activatesAt } : {}),
    };
    return { keyring, key: { kid, alg, privateKey } };
  }

  private async unwrap(alg: TokenSigningAlg, keyring: StoredKeyring): Promise<SigningKey> {
    if (!keyring.encryptedSecret) throw new Error('signing keyring has no private key');
    const dataKey = await this.masterKey().decryptDataKey(Buffer.from(keyring.wrappedDataKey, 'base64url'), TOKEN_SIGNING_PURPOSE);
    const jwk = JSON.parse(unseal(dataKey, keyring.encryptedSecret, `${TOKEN_SIGNING_PURPOSE}:${keyring.kid}`).toString('utf8')) as JWK;
    const privateKey = await importJWK(jwk, alg);
    if (privateKey instanceof Uint8Array) throw new Error('signing key is not an asymmetric key');
    return { kid: keyring.kid, alg, privateKey };
  }
}

/** Only the public members of a key: what the JWKS publishes. */
function publicJwkOf(alg: TokenSigningAlg, jwk: JWK): Record<string, string> {
  if (alg === 'RS256') return { kty: jwk.kty ?? 'RSA', n: jwk.n ?? '', e: jwk.e ?? '' };
  return { kty: jwk.kty ?? 'EC', crv: jwk.crv ?? 'P-256', x: jwk.x ?? '', y: jwk.y ?? '' };
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
 * The key function's work: creates every keyring that does not exist yet (the first ES256 and RS256
 * signing keys, the data keys) and, with `rotate`, starts a rotation of both signing keys. Idempotent,
 * so running it at every deployment and on a schedule is safe. Answers what it did, for the log
 * (`signingKid` is the ES256 key's, the one operator tokens are signed with).
 */
export async function provisionKeyrings(
  store: KeyringStore,
  masterKeys: KeyringMasterKeys,
  options: { rotate?: boolean; signing?: TokenSigningOptions } = {},
): Promise<{ signingKid: string; created: string[]; rotated?: Record<TokenSigningAlg, Rotation> }> {
  const created: string[] = [];
  for (const purpose of DATA_KEY_PURPOSES) {
    if (await new DataKey(store, masterKeys.data, purpose).ensure()) created.push(purpose);
  }
  const signing = new TokenSigningKeys(store, masterKeys.signing, options.signing);
  const ensured = await signing.ensureAll();
  created.push(...ensured.created.map((alg) => SIGNING_PURPOSES[alg]));
  return { signingKid: ensured.ES256, created, ...(options.rotate ? { rotated: await signing.rotate() } : {}) };
}
