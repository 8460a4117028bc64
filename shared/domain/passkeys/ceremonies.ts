/**
 * The WebAuthn ceremonies, around `@simplewebauthn/server`, which does every check (challenge, origin,
 * RP ID hash, type, flags, signature, counter, attestation): nothing here parses CBOR or COSE. This
 * module turns its results into the passkey's stored fields and its throws into one refusal. It is
 * the one module that imports the library's code (about 250 KB minified with its ASN.1 and X.509
 * parsers): the services load it through a `VerifierLoader` (options.ts), so only the functions that
 * check a response carry it, and a PIN sign-in never evaluates it.
 */
import { verifyAuthenticationResponse, verifyRegistrationResponse, type AuthenticationResponseJSON, type RegistrationResponseJSON } from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import type { Passkey, PasskeyFlow } from './model.ts';
import { passkeyRejected } from './options.ts';

export type { AuthenticationResponseJSON, RegistrationResponseJSON };

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

/** What the functions that check responses load (options.ts `VerifierLoader`). */
export interface PasskeyVerifier {
  verifyRegistration: typeof verifyRegistration;
  verifyAssertion: typeof verifyAssertion;
}
