/** An account's profile item: key, item written at signup, item read (validated). */
import * as z from '#shared/schemas/zod.ts';
import { accountKey, type ItemKey } from '../../data/keys.ts';
import type { Account, AccountProfile } from '../../domain/kernel/model.ts';
import { parseItem } from '../dynamodb.ts';

export { accountKey };

// Signup writes id, name, createdAt and ownerCount only; the rest is absent until first set.
const AccountItem = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  updatedAt: z.optional(z.string()),
  billingContact: z.nullish(z.looseObject({ name: z.optional(z.string()), email: z.string() })),
  settings: z.optional(z.looseObject({ requireMfa: z.optional(z.boolean()) })),
});

/**
 * The item of a new account: `ownerCount` starts at its first owner (it guards last-owner protection),
 * or at 0 for an account whose first owner is still invited (the first-owner command).
 */
export function toAccountItem(account: Account, ownerCount: 0 | 1 = 1): Record<string, unknown> & ItemKey {
  return { ...accountKey(account.id), entity: 'Account', ...account, ownerCount };
}

/** The profile, with the defaults of what signup did not write. */
export function fromAccountItem(item: Record<string, unknown>): AccountProfile & { updatedAt: string } {
  const account = parseItem('Account', AccountItem, item);
  return {
    id: account.id,
    name: account.name,
    billingContact: account.billingContact ?? null,
    settings: { requireMfa: account.settings?.requireMfa ?? false },
    createdAt: account.createdAt,
    updatedAt: account.updatedAt ?? account.createdAt,
  };
}

/** Just the account (id, name, creation). */
export function toAccount(item: Record<string, unknown>): Account {
  const { id, name, createdAt } = parseItem('Account', AccountItem, item);
  return { id, name, createdAt };
}
