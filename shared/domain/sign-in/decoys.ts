/**
 * No enumeration (SPEC §6): an unknown email, a disabled user, one without access or (for e-mail
 * factors) an undeliverable address gets a decoy challenge of the same shape after the same reads,
 * limits and HMAC, but no SMS or e-mail; the reason goes to the audit log. What follows decides who gets one and what it looks like.
 */
import { createHmac } from 'node:crypto';
import { maskDelivery } from '../directory/phone-numbers.ts';
import { hashSecret } from '../kernel/secrets.ts';
import type { EndUser } from './model.ts';

/** Why a sign-in for this user is answered with a decoy (unknown, disabled, no access), or undefined when it is real. */
export function refusalOf(user: EndUser | undefined, granted: boolean): 'unknown_user' | 'user_disabled' | 'no_access' | undefined {
  if (!user) return 'unknown_user';
  if (user.status !== 'active') return 'user_disabled';
  return granted ? undefined : 'no_access';
}

/** The SMS-limit subject of a sign-in: the organization and the email, hashed (no email at rest in the counters). */
export const subjectOf = (orgId: string, email: string): string => hashSecret(`${orgId}:${email.toLowerCase()}`);

/** The subject a decoy stands for when the email is unknown: stable per (organization, email), never a real id. */
export const decoySubjectId = (subject: string): string => `dcy_${subject}`;

/**
 * What a decoy says it delivered to: `maskDelivery`'s shape (no country code, fixed length) with two
 * digits derived from the email, so repeated requests for one unknown email answer the same mask.
 */
export function decoyDelivery(subject: string): string {
  const digits = String(createHmac('sha256', 'portcullis-decoy-delivery').update(subject).digest().readUInt16BE(0) % 100).padStart(2, '0');
  return maskDelivery(`+000000000${digits}`);
}

/**
 * Where an e-mailed factor went, one shape for every address, real or decoy (SPEC §4 `deliveredTo`):
 * the first character of the local part, five stars, `@`, five stars and the top-level domain
 * (`a*****@*****.com`), lower-cased, from the email the request named. The caller typed that email, so
 * the mask tells it nothing new, and it cannot differ between a real user and a decoy.
 */
export function emailDelivery(email: string): string {
  const address = email.trim().toLowerCase();
  const at = address.lastIndexOf('@');
  // The address passed the schema's email check (ASCII), so its first code unit is its first character.
  const first = at > 0 ? address.charAt(0) : '*';
  const domain = at >= 0 ? address.slice(at + 1) : '';
  const dot = domain.lastIndexOf('.');
  return `${first}*****@*****${dot >= 0 ? domain.slice(dot) : ''}`;
}
