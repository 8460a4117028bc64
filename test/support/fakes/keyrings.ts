import type { KeyringStore, StoredKeyring } from '#shared/domain/platform/keyring-store.ts';
import { TokenSigningKeys, type TokenSigningOptions } from '#shared/domain/platform/keyring.ts';
import type { FixedClock } from './clock.ts';
import { MemoryMasterKey } from './master-key.ts';

/** Keyrings in a map; `createKeyring` is conditional like the table's (first writer wins). */
export class MemoryKeyrings implements KeyringStore {
  readonly items = new Map<string, StoredKeyring>();
  writes = 0;

  findKeyring(purpose: string): Promise<StoredKeyring | undefined> {
    const keyring = this.items.get(purpose);
    return Promise.resolve(keyring && structuredClone(keyring));
  }

  createKeyring(keyring: StoredKeyring): Promise<boolean> {
    this.writes += 1;
    if (this.items.has(keyring.purpose)) return Promise.resolve(false);
    this.items.set(keyring.purpose, structuredClone(keyring));
    return Promise.resolve(true);
  }
}

/** A signing keyring already provisioned (what the key function does at deployment), on the test's clock. */
export async function provisionedSigningKeys(clock: FixedClock, options: TokenSigningOptions = {}) {
  const store = new MemoryKeyrings();
  const masterKey = new MemoryMasterKey();
  const process = () => new TokenSigningKeys(store, () => masterKey, { now: clock.now, refreshSeconds: 0, ...options });
  await process().ensure();
  return { store, masterKey, process, keys: process() };
}
