/**
 * An invitation, in its account's partition, and its token lookup (by the SHA-256 of the token):
 * keys, items written, items read (validated). Status lives on the invitation item only.
 */
import * as z from '#shared/schemas/zod.ts';
import { INVITATION_SK_PREFIX, invitationKey, invitationTokenKey, type ItemKey } from '../../data/keys.ts';
import type { StoredInvitation } from '../../domain/tenancy/invitations.ts';
import { parseItem } from '../dynamodb.ts';
import { accountKey } from './account-item.ts';
import { RoleField, ScopeField } from './membership-item.ts';

export { invitationKey, invitationTokenKey };

/** The partition and sort-key prefix of an account's invitations. */
export const invitationsOfAccount = (accountId: string) => ({ pk: accountKey(accountId).pk, prefix: INVITATION_SK_PREFIX });

const InvitationItem = z.object({
  id: z.string(),
  accountId: z.string(),
  email: z.string(),
  role: RoleField,
  scope: ScopeField,
  status: z.enum(['pending', 'accepted']),
  expiresAt: z.string(),
  createdAt: z.string(),
  createdBy: z.pipe(z.nullish(z.string()), z.transform((by) => by ?? null)),
  tokenHash: z.string(),
});

const InvitationTokenItem = z.object({ accountId: z.string(), invitationId: z.string() });

/** The invitation, removed by TTL at `ttl` (epoch seconds). */
export function toInvitationItem(invitation: StoredInvitation, ttl: number): Record<string, unknown> & ItemKey {
  return { ...invitationKey(invitation.accountId, invitation.id), entity: 'Invitation', ...invitation, ttl };
}

/** The lookup of the invitation by its token's hash, removed with it. */
export function toInvitationTokenItem(invitation: StoredInvitation, ttl: number): Record<string, unknown> & ItemKey {
  return { ...invitationTokenKey(invitation.tokenHash), entity: 'InvitationToken', accountId: invitation.accountId, invitationId: invitation.id, ttl };
}

export function fromInvitationItem(item: Record<string, unknown>): StoredInvitation {
  return parseItem('Invitation', InvitationItem, item);
}

/** Which invitation a token lookup names. */
export function fromInvitationTokenItem(item: Record<string, unknown>): { accountId: string; invitationId: string } {
  return parseItem('InvitationToken', InvitationTokenItem, item);
}
