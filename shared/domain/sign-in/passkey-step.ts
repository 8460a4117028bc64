/**
 * A `passkey` step of a sign-in (SPEC §11): its WebAuthn challenge, stored on the sign-in's challenge
 * and sent in `publicKey` request options for a discoverable credential (empty `allowCredentials`:
 * no credential id is shown, so a start answers alike for every email, real or decoy), and the
 * relying party a completion verifies the assertion against.
 */
import { ConflictError } from '../kernel/errors.ts';
import { newChallenge, requestOptions, type PublicKeyCredentialRequestOptionsJSON, type RelyingParty } from '../passkeys/options.ts';
import type { SignInSystem } from './model.ts';

const webauthnNotConfigured = () => new ConflictError('webauthn_not_configured', 'The system has no webauthn relying party for passkeys.');

/** The WebAuthn settings of a system whose policy asks a passkey (the directory refuses such a policy without them). */
function webauthnOf(system: SignInSystem): NonNullable<SignInSystem['webauthn']> {
  if (!system.webauthn) throw webauthnNotConfigured();
  return system.webauthn;
}

/** A fresh passkey step: the challenge to store, and its request options (built on demand, after the write). */
export function passkeyStepOf(system: SignInSystem): { challenge: string; publicKey: () => Promise<PublicKeyCredentialRequestOptionsJSON> } {
  const { rpId } = webauthnOf(system);
  const challenge = newChallenge();
  return { challenge, publicKey: () => requestOptions({ rpId }, [], challenge) };
}

/**
 * Where a completion's assertion may come from: the system's RP ID and origins, plus `extraOrigins`
 * (the hosted login's own origin). Undefined when the system has no `webauthn` (a passkey step then
 * never verifies).
 */
export function relyingPartyOf(system: SignInSystem, extraOrigins: readonly string[] | undefined): Omit<RelyingParty, 'rpName'> | undefined {
  if (!system.webauthn) return undefined;
  return { rpId: system.webauthn.rpId, origins: [...new Set([...system.webauthn.origins, ...(extraOrigins ?? [])])] };
}
