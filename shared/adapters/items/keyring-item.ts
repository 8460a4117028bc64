/** Envelope-encrypted key material, one item per purpose: key, item written, item read (validated). */
import * as z from '#shared/schemas/zod.ts';
import { keyringKey, type ItemKey } from '../../data/keys.ts';
import type { StoredKeyring } from '../../domain/platform/keyring-store.ts';
import { parseItem } from '../dynamodb.ts';

export { keyringKey };

// Loose: a keyring may carry attributes of its own purpose (a signing generation's `activatesAt`), which
// come back as they were stored.
const KeyringItem = z.looseObject({
  purpose: z.string(),
  kid: z.string(),
  publicJwk: z.optional(z.record(z.string(), z.string())),
  wrappedDataKey: z.string(),
  encryptedSecret: z.optional(z.string()),
  createdAt: z.string(),
});

export function toKeyringItem(keyring: StoredKeyring): Record<string, unknown> & ItemKey {
  return { ...keyringKey(keyring.purpose), entity: 'Keyring', ...keyring };
}

/** The keyring as stored, without the table's attributes. */
export function fromKeyringItem(item: Record<string, unknown>): StoredKeyring {
  const { pk: _pk, sk: _sk, entity: _entity, ...keyring } = parseItem('Keyring', KeyringItem, item);
  return keyring;
}
