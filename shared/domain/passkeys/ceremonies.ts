/**
 * The WebAuthn ceremonies, around `@simplewebauthn/server`, which does every check (challenge, origin,
 * RP ID hash, type, flags, signature, counter, attestation): nothing here parses CBOR or COSE. This
 * module turns its results into the passkey's stored fields and its throws into one refusal.
 */
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import { AuthError } from '../kernel/errors.ts';
import { randomSecret } from '../kernel/secrets.ts';
import type { Passkey, PasskeyFlow } from './model.ts';

export type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON };

/** Where passkeys are used: the RP ID and the origins a response may come from (all on that RP ID). */
export interface RelyingParty {
  rpId: string;
  rpName: string;
  origins: string[];
}

/** A fresh challenge: 32 random bytes, base64url (what the options carry and clientDataJSON echoes). */
export const newChallenge = (): string => randomSecret(32);

/** One refusal for every failed check: the caller learns nothing about which check failed. */
export const passkeyRejected = (): AuthError => new AuthError('passkey_rejected', 'The passkey response could not be verified.');

/** Timeout the browser is given, in ms: the flow lives 5 minutes, the prompt a little less. */
const CEREMONY_TIMEOUT_MS = 240_000;

/** Creation options (PublicKeyCredentialCreationOptionsJSON) for a person, excluding their passkeys already registered. */
export function creationOptions(
  rp: RelyingParty,
  user: { handle: string; name: string; displayName: string },
  existing: readonly Passkey[],
  challenge: string,
  residentKey: 'required' | 'preferred',
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: rp.rpName,
    rpID: rp.rpId,
    userName: user.name,
    userDisplayName: user.displayName,
    // The user handle comes back in discoverable assertions; it is the owner string's bytes (ids, no e-mail).
    userID: new TextEncoder().encode(user.handle),
    challenge: isoBase64URL.toBuffer(challenge),
    timeout: CEREMONY_TIMEOUT_MS,
    attestationType: 'none',
    excludeCredentials: existing.map((passkey) => ({ id: passkey.credentialId, transports: passkey.transports })),
    authenticatorSelection: { residentKey, userVerification: 'preferred' },
  });
}

/** Request options (PublicKeyCredentialRequestOptionsJSON): `allow` empty for a discoverable sign-in. */
export function requestOptions(rp: RelyingParty, allow: readonly Passkey[], challenge: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: rp.rpId,
    challenge: isoBase64URL.toBuffer(challenge),
    timeout: CEREMONY_TIMEOUT_MS,
    userVerification: 'preferred',
    allowCredentials: allow.map((passkey) => ({ id: passkey.credentialId, transports: passkey.transports })),
  });
}

/** What a verified registration yields: the passkey's stored fields but its id, owner, name and times. */
export type RegisteredCredential = Pick<Passkey, 'credentialId' | 'publicKey' | 'counter' | 'transports' | 'backupEligible' | 'backedUp' | 'aaguid' | 'rpId'>;

/** Verifies a registration against the flow's challenge, origins and RP ID; any failure is `passkey_rejected`. */
export async function verifyRegistration(response: RegistrationResponseJSON, flow: PasskeyFlow): Promise<RegisteredCredential> {
  let result;
  try {
    result = await verifyRegistrationResponse({
      response,
      expectedChallenge: flow.challenge,
      expectedOrigin: flow.origins,
      expectedRPID: flow.rpId,
      // User verification is asked ('preferred') but not required: one without it is one factor.
      requireUserVerification: false,
    });
  } catch {
    throw passkeyRejected();
  }
  if (!result.verified) throw passkeyRejected();
  const info = result.registrationInfo;
  return {
    credentialId: info.credential.id,
    publicKey: isoBase64URL.fromBuffer(info.credential.publicKey),
    counter: info.credential.counter,
    transports: response.response.transports ?? [],
    backupEligible: info.credentialDeviceType === 'multiDevice',
    backedUp: info.credentialBackedUp,
    aaguid: info.aaguid,
    rpId: flow.rpId,
  };
}

/** What a verified assertion says. */
export interface VerifiedAssertion {
  newCounter: number;
  userVerified: boolean;
  backedUp: boolean;
}

/**
 * Verifies an assertion with the stored passkey: the flow's challenge, origins and RP ID (which must
 * also be the passkey's own), the signature, and the counter (one that does not grow when either is
 * non-zero is refused by the library: a cloned authenticator). Any failure is `passkey_rejected`.
 */
export async function verifyAssertion(response: AuthenticationResponseJSON, flow: PasskeyFlow, passkey: Passkey): Promise<VerifiedAssertion> {
  if (passkey.rpId !== flow.rpId) throw passkeyRejected();
  let result;
  try {
    result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: flow.challenge,
      expectedOrigin: flow.origins,
      expectedRPID: flow.rpId,
      credential: { id: passkey.credentialId, publicKey: isoBase64URL.toBuffer(passkey.publicKey), counter: passkey.counter, transports: passkey.transports },
      requireUserVerification: false,
    });
  } catch {
    throw passkeyRejected();
  }
  if (!result.verified) throw passkeyRejected();
  const info = result.authenticationInfo;
  return { newCounter: info.newCounter, userVerified: info.userVerified, backedUp: info.credentialBackedUp };
}

/**
 * The `amr` (RFC 8176) of a passkey sign-in. `hwk`: proof of possession of a key (the brief names
 * it; RFC 8176 has `swk` for software keys, and without attestation a synced passkey cannot be told
 * apart, so `hwk` is the conventional value for a WebAuthn key). `user`: user presence, always
 * tested. With user verification (a PIN or biometric on the authenticator, whichever it was: the
 * flag does not say) the key and the verification are two factors: `mfa`, which the session gate
 * reads as a second factor.
 */
export function passkeyAmr(userVerified: boolean): string[] {
  return userVerified ? ['hwk', 'user', 'mfa'] : ['hwk', 'user'];
}
