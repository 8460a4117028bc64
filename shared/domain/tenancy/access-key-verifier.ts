import { randomBytes } from 'node:crypto';
import type { ApiKey } from '../kernel/model.ts';
import type { Principal } from '../kernel/principal.ts';
import { constantTimeEqual, hashSecret, randomSecret } from '../kernel/secrets.ts';

/**
 * Access keys look like `pck_<16 hex id>_<43 url-safe chars>`: the prefix lets secret scanners
 * recognise them, and the embedded id makes the lookup a single GetItem.
 */
export const API_KEY_PREFIX = 'pck_';
const API_KEY_FORMAT = /^pck_([0-9a-f]{16})_([\w-]{43})$/;

export interface StoredApiKey extends ApiKey {
  /** SHA-256 of the whole presented key. */
  secretHash: string;
}

export interface ApiKeyStore {
  findApiKey(keyId: string): Promise<StoredApiKey | undefined>;
  /** Sets `lastUsedAt` only if it is older than `staleBefore`, so a busy key writes at most once a minute. */
  touchApiKey(keyId: string, at: string, staleBefore: string): Promise<void>;
}

/** A new key: the secret to show once, and what to store. */
export function mintApiKey(): { keyId: string; key: string; secretHash: string } {
  const keyId = randomBytes(8).toString('hex');
  const key = `${API_KEY_PREFIX}${keyId}_${randomSecret(32)}`;
  return { keyId, key, secretHash: hashSecret(key) };
}

export function parseApiKeyId(presented: string): string | undefined {
  return API_KEY_FORMAT.exec(presented)?.[1];
}

type KeyPrincipal = Extract<Principal, { kind: 'key' }>;

const LAST_USED_RESOLUTION_MS = 60_000;

/** Checks a presented key: format, stored hash (constant time), not revoked. */
export class ApiKeyVerifier {
  constructor(
    private readonly store: ApiKeyStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async verify(presented: string): Promise<KeyPrincipal | undefined> {
    const keyId = parseApiKeyId(presented);
    if (!keyId) return undefined;
    const stored = await this.store.findApiKey(keyId);
    if (!stored || stored.revokedAt !== null || !constantTimeEqual(stored.secretHash, hashSecret(presented))) return undefined;
    const now = this.now();
    if (!stored.lastUsedAt || Date.parse(stored.lastUsedAt) < now.getTime() - LAST_USED_RESOLUTION_MS) {
      await this.store.touchApiKey(keyId, now.toISOString(), new Date(now.getTime() - LAST_USED_RESOLUTION_MS).toISOString());
    }
    return { kind: 'key', keyId, accountId: stored.accountId, permissions: stored.permissions, organizations: stored.organizations };
  }
}
