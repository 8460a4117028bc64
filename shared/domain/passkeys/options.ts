/**
 * The WebAuthn parts that need no verifier: the options a ceremony starts with (in the JSON forms
 * browsers parse, `PublicKeyCredential.parse…OptionsFromJSON`), fresh challenges, the one refusal and
 * the `amr` of a passkey sign-in. `@simplewebauthn/server` is not imported here (its types only, which
 * compile away): its verifiers pull in ASN.1 and X.509 parsers (about 250 KB minified) that only the
 * functions checking a response need (ceremonies.ts, loaded through a `VerifierLoader`). The options
 * are plain JSON the WebAuthn spec defines; test/unit/passkey-options.test.ts checks that they equal
 * what the library's `generate…Options` give for the same inputs.
 */
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { AuthError } from '../kernel/errors.ts';
import { randomSecret } from '../kernel/secrets.ts';
import type { PasskeyVerifier } from './ceremonies.ts';
import type { Passkey } from './model.ts';

export type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON };

/** Loads the verifier (ceremonies.ts) on first use: `() => import('…/ceremonies.ts')` in the functions that check responses. */
export type VerifierLoader = () => Promise<PasskeyVerifier>;

/** For the functions that never check a response (list, rename, remove, options): no verifier in their bundle. */
export const noVerifier: VerifierLoader = () => Promise.reject(new Error('This function does not verify passkey responses.'));

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
export const CEREMONY_TIMEOUT_MS = 240_000;

/** The COSE algorithms offered at registration, in order of preference: Ed25519, ES256, RS256 (the library's default set). */
export const SUPPORTED_ALGORITHMS = [-8, -7, -257] as const;

const base64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

const descriptorOf = (passkey: Passkey) => ({
  id: passkey.credentialId.replace(/=+$/, ''),
  type: 'public-key' as const,
  // Stored from the authenticator's answer; the DOM type names the known transports.
  transports: passkey.transports as NonNullable<PublicKeyCredentialRequestOptionsJSON['allowCredentials']>[number]['transports'],
});

/** Creation options (PublicKeyCredentialCreationOptionsJSON) for a person, excluding their passkeys already registered. */
export async function creationOptions(
  rp: RelyingParty,
  user: { handle: string; name: string; displayName: string },
  existing: readonly Passkey[],
  challenge: string,
  residentKey: 'required' | 'preferred',
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return Promise.resolve({
    challenge,
    rp: { name: rp.rpName, id: rp.rpId },
    // The user handle comes back in discoverable assertions: ids, never an e-mail (at most 64 bytes).
    user: { id: base64url(new TextEncoder().encode(user.handle)), name: user.name, displayName: user.displayName },
    pubKeyCredParams: SUPPORTED_ALGORITHMS.map((alg) => ({ alg, type: 'public-key' as const })),
    timeout: CEREMONY_TIMEOUT_MS,
    attestation: 'none',
    excludeCredentials: existing.map(descriptorOf),
    authenticatorSelection: { residentKey, userVerification: 'preferred', requireResidentKey: residentKey === 'required' },
    extensions: { credProps: true },
    hints: [],
  });
}

/** Request options (PublicKeyCredentialRequestOptionsJSON): `allow` empty for a discoverable sign-in. */
export async function requestOptions(rp: Pick<RelyingParty, 'rpId'>, allow: readonly Passkey[], challenge: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return Promise.resolve({
    rpId: rp.rpId,
    challenge,
    allowCredentials: allow.map(descriptorOf),
    timeout: CEREMONY_TIMEOUT_MS,
    userVerification: 'preferred',
  });
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
