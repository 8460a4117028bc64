/**
 * A password-reset link: the operator's live link (`passwordResetKey`) and its lookup by token hash
 * (`passwordResetTokenKey`), both holding the SHA-256 only and removed by TTL after expiry; and the
 * reset-mail limit of an address (`passwordResetMailLimitKey`).
 */
import * as z from '#shared/schemas/zod.ts';
import { passwordResetKey, passwordResetMailLimitKey, passwordResetTokenKey, type ItemKey } from '../../data/keys.ts';
import type { PasswordResetLink } from '../../domain/sessions/password-store.ts';
import { parseItem } from '../dynamodb.ts';

export { passwordResetKey, passwordResetMailLimitKey, passwordResetTokenKey };

export const PASSWORD_RESET_ENTITY = 'PasswordReset';
export const PASSWORD_RESET_TOKEN_ENTITY = 'PasswordResetToken';
export const PASSWORD_RESET_MAIL_LIMIT_ENTITY = 'PasswordResetMailLimit';

const PasswordResetItem = z.object({ userId: z.string(), tokenHash: z.string(), expiresAt: z.int() });

export function toPasswordResetItem(link: PasswordResetLink): Record<string, unknown> & ItemKey {
  return { ...passwordResetKey(link.userId), entity: PASSWORD_RESET_ENTITY, ...link, ttl: link.expiresAt };
}

export function toPasswordResetTokenItem(link: PasswordResetLink): Record<string, unknown> & ItemKey {
  return { ...passwordResetTokenKey(link.tokenHash), entity: PASSWORD_RESET_TOKEN_ENTITY, ...link, ttl: link.expiresAt };
}

/** Either item reads as the link it names. */
export function fromPasswordResetItem(item: Record<string, unknown>): PasswordResetLink {
  return parseItem(PASSWORD_RESET_ENTITY, PasswordResetItem, item);
}
