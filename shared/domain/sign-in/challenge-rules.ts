/**
 * The rules of a challenge as plain functions (SPEC §4 Authentication, §6, §8): its factors' channels, secrets and SMS text,
 * its TTL, and why a complete is refused before any code is checked. No I/O.
 */
import { randomInt } from 'node:crypto';
import { AuthError } from '../kernel/errors.ts';
import { randomSecret } from '../kernel/secrets.ts';
import { userLockedUntil } from './failure-window.ts';
import type { Challenge, Factor, SignInState, SignInSystem } from './model.ts';

/** A factor whose secret goes by SMS. */
export const isSmsFactor = (factor: Factor | undefined): factor is 'pin' | 'passwordless' => factor === 'pin' || factor === 'passwordless';

/** A factor whose secret goes by e-mail (SPEC §8). */
export const isEmailFactor = (factor: Factor | undefined): factor is 'email_pin' | 'email_link' => factor === 'email_pin' || factor === 'email_link';

/** A factor whose secret the challenge makes and sends (not TOTP): a PIN or a link, by SMS or e-mail. */
export type DeliveredFactor = 'pin' | 'passwordless' | 'email_pin' | 'email_link';

export const isDeliveredFactor = (factor: Factor | undefined): factor is DeliveredFactor => isSmsFactor(factor) || isEmailFactor(factor);

/** How a delivered factor's secret goes: SMS or e-mail. Each channel has its own limits (sms-limits.ts). */
export type Channel = 'sms' | 'email';

export const channelOf = (factor: DeliveredFactor): Channel => (isEmailFactor(factor) ? 'email' : 'sms');

/**
 * What kind of secret a factor carries, which is also the field a complete sends it in and how it is
 * hashed: a PIN (`pin`, `email_pin`) or a link token (`passwordless`, `email_link`).
 */
export const secretKindOf = (factor: DeliveredFactor): 'pin' | 'passwordless' => (factor === 'pin' || factor === 'email_pin' ? 'pin' : 'passwordless');

/** A PIN of `length` digits, uniform over all of them (`randomInt` rejects rather than wrapping: no modulo bias). */
export function generatePin(length: number): string {
  return String(randomInt(0, 10 ** length)).padStart(length, '0');
}

/** `passwordless` is the link exactly as the SMS carried it, or just its token. */
export function linkToken(passwordless: string): string {
  const value = passwordless.trim();
  if (/^https?:\/\//i.test(value)) {
    try {
      return new URL(value).searchParams.get('token') ?? '';
    } catch {
      return '';
    }
  }
  return value;
}

/** The SMS text of a factor: `<system>: your code is <pin>` or `<system>: sign in <url>?token=…`. */
export function smsText(system: SignInSystem, factor: 'pin' | 'passwordless', secret: string): string {
  return factor === 'pin' ? `${system.name}: your code is ${secret}` : `${system.name}: sign in ${linkOf(system, secret)}`;
}

export function ttlSecondsOf(system: SignInSystem, factor: Factor): number {
  // A TOTP step has no TTL of its own: it gets the PIN's (the user is at the authenticator already).
  return factor === 'passwordless' || factor === 'email_link' ? system.policy.passwordless.ttlSeconds : system.policy.pin.ttlSeconds;
}

/** A new secret for a delivered factor: a PIN of the policy's length, or a 256-bit link token. */
export function newSecretOf(system: SignInSystem, factor: DeliveredFactor): string {
  return secretKindOf(factor) === 'pin' ? generatePin(system.policy.pin.length) : randomSecret(32);
}

/**
 * The magic link of a token: `<passwordlessUrl>?token=…` (`&token=…` when the URL has a query: the
 * hosted login's link page names its login), by SMS or e-mail alike.
 */
export const linkOf = (system: SignInSystem, token: string): string => {
  const url = system.passwordlessUrl ?? '';
  return `${url}${url.includes('?') ? '&' : '?'}token=${token}`;
};

export const invalidCredentials = () => new AuthError('invalid_credentials', 'The code, link or challenge is not valid.');
export const expired = () => new AuthError('expired', 'This challenge has expired or was already used; start a new sign-in.');
export const tooManyAttempts = () => new AuthError('too_many_attempts', 'Too many wrong codes; start a new sign-in later.');

/** Whose challenge a complete may use: this organization's, user's and system's. */
export type ChallengeScope = Pick<Challenge, 'organizationId' | 'userId' | 'systemName'>;

/**
 * Why a complete is refused before any code is checked, in this order: the user is locked, the
 * challenge is unknown (or another user's, system's, organization's), not live (consumed, void,
 * superseded, expired), exhausted. State-dependent refusals apply only when the state was read.
 */
export function refusalOfChallenge(
  challenge: Challenge | undefined,
  scope: ChallengeScope,
  state: { value: SignInState | undefined } | undefined,
  nowMs: number,
  options: { exhaustion: boolean } = { exhaustion: true },
): { reason: string; error: () => AuthError } | undefined {
  if (options.exhaustion && userLockedUntil(state?.value, nowMs) !== null) return { reason: 'user_locked', error: tooManyAttempts };
  if (!challenge || challenge.organizationId !== scope.organizationId || challenge.userId !== scope.userId || challenge.systemName !== scope.systemName) {
    return { reason: 'unknown_challenge', error: invalidCredentials };
  }
  const superseded = state !== undefined && state.value?.challengeId !== challenge.id;
  if (challenge.status !== 'open' || superseded || challenge.expiresAt <= nowMs) {
    return { reason: challenge.status === 'consumed' ? 'reused' : challenge.expiresAt <= nowMs ? 'expired' : 'superseded', error: expired };
  }
  if (options.exhaustion && challenge.attempts >= challenge.maxAttempts) return { reason: 'challenge_locked', error: tooManyAttempts };
  return undefined;
}

/** The challenge was consumed, voided or moved to another step since it was read: a concurrent request settled it. */
export function settledElsewhere(fresh: Challenge | undefined, read: Challenge): boolean {
  return fresh !== undefined && (fresh.status !== 'open' || fresh.step !== read.step);
}

/** The system as this sign-in sends its links: to `linkUrl` when the caller names one (the hosted login). */
export function withLinkUrl(system: SignInSystem, linkUrl: string | undefined): SignInSystem {
  return linkUrl === undefined ? system : { ...system, passwordlessUrl: linkUrl };
}
