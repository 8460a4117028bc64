/**
 * The email guard of an end user: one item per (organization, lower-cased email), whose conditional
 * put makes the email unique in the organization. It carries the user's sign-in copy: the user record
 * (`user`, with `signInCopy: true`) and one `grant:<systemName>` attribute per grant, holding the
 * grant's incarnation. A guard written before the copy existed has `userId` only.
 */
import * as z from '#shared/schemas/zod.ts';
import { endUserEmailKey, type ItemKey } from '../../data/keys.ts';
import type { EndUser } from '../../domain/sign-in/model.ts';
import { MalformedItemError, parseItem } from '../dynamodb.ts';
import { EndUserRecord } from './end-user-item.ts';

/** The guard of an email in an organization (case-insensitive: the key holds it lower-cased). */
export const emailGuardKey = (organizationId: string, email: string): ItemKey => endUserEmailKey(organizationId, email.toLowerCase());

/** The guard attribute holding the incarnation of the user's grant to a system. */
export const guardGrantAttribute = (systemName: string): string => `grant:${systemName}`;

const GRANT_ATTRIBUTE = /^grant:(.+)$/;

const EmailGuardItem = z.looseObject({
  userId: z.string(),
  user: z.optional(EndUserRecord),
  signInCopy: z.optional(z.literal(true)),
});

/** A guard as read: whose it is and, when it carries the sign-in copy, the user and its grants. */
export interface EmailGuard {
  userId: string;
  /** Undefined on a guard written before the sign-in copy. */
  copy: { user: EndUser; grants: Map<string, string> } | undefined;
}

/** A new guard with its user's sign-in copy and the given grants (system name and incarnation). */
export function toEmailGuardItem(user: EndUser, grants: { systemName: string; incarnation: string }[]): Record<string, unknown> & ItemKey {
  return {
    ...emailGuardKey(user.organizationId, user.email),
    entity: 'EndUserEmail',
    organizationId: user.organizationId,
    userId: user.id,
    user,
    signInCopy: true,
    ...Object.fromEntries(grants.map((grant) => [guardGrantAttribute(grant.systemName), grant.incarnation])),
  };
}

export function fromEmailGuardItem(item: Record<string, unknown>): EmailGuard {
  const guard = parseItem('EndUserEmail', EmailGuardItem, item);
  if (guard.signInCopy !== true) return { userId: guard.userId, copy: undefined };
  if (!guard.user) throw new MalformedItemError('EndUserEmail', ['user']);
  const grants = new Map<string, string>();
  for (const [attribute, value] of Object.entries(item)) {
    const systemName = GRANT_ATTRIBUTE.exec(attribute)?.[1];
    if (systemName === undefined) continue;
    if (typeof value !== 'string') throw new MalformedItemError('EndUserEmail', [attribute]);
    grants.set(systemName, value);
  }
  return { userId: guard.userId, copy: { user: guard.user, grants } };
}
