/**
 * The credential a complete carries (one of PIN, link, TOTP code, recovery code, passkey assertion)
 * and whether it is right. `CredentialCheck.verify` compares a guessable secret: it is only ever called inside
 * `spendThenCompare`, after the attempt was taken (complete-sign-in.ts; test/unit/attempt-budget.test.ts
 * checks the source for it).
 */
import { ValidationError } from '../kernel/errors.ts';
import { constantTimeEqual } from '../kernel/secrets.ts';
import { linkToken } from './challenge-rules.ts';
import type { AuthenticationResponseJSON, RelyingParty, VerifierLoader } from '../passkeys/options.ts';
import { endUserOwner, passkeyIdOf, type PasskeyStore } from '../passkeys/model.ts';
import type { Challenge, EndUser, EndUserSecondFactor } from './model.ts';
import type { PinSecrets } from './pin-secrets.ts';

export type GivenCredential = { field: 'pin' | 'passwordless' | 'totp' | 'recoveryCode'; value: string } | { field: 'passkey'; response: AuthenticationResponseJSON };

/** The credential of a complete: the first of pin, passwordless, totp, recoveryCode, passkey that it carries. */
export function credentialOf(input: {
  pin?: string | undefined;
  passwordless?: string | undefined;
  totp?: string | undefined;
  recoveryCode?: string | undefined;
  passkey?: AuthenticationResponseJSON | undefined;
}): GivenCredential {
  if (input.pin !== undefined) return { field: 'pin', value: input.pin };
  if (input.passwordless !== undefined) return { field: 'passwordless', value: input.passwordless };
  if (input.totp !== undefined) return { field: 'totp', value: input.totp };
  if (input.recoveryCode !== undefined) return { field: 'recoveryCode', value: input.recoveryCode };
  if (input.passkey !== undefined) return { field: 'passkey', response: input.passkey };
  throw new ValidationError([{ field: 'body', message: 'must carry one of pin, passwordless, totp, recoveryCode, passkey' }]);
}

/** The verdict of a passkey used with user verification: `ok`, and two factors in the `amr`. */
export const USER_VERIFIED = 'ok_user_verified';

/** The passkeys a sign-in reads and whose counter it moves. */
export type SignInPasskeys = Pick<PasskeyStore, 'findPasskey' | 'recordUse'>;

export class CredentialCheck {
  constructor(
    private readonly deps: { pinSecrets: PinSecrets; secondFactor: EndUserSecondFactor; passkeys?: SignInPasskeys | undefined; verifier?: VerifierLoader | undefined; now?: (() => Date) | undefined },
  ) {}

  /**
   * Checks the code (only ever after its attempt was taken): `ok`, `locked` (the TOTP factor) or why
   * not. A decoy's never passes: its secret was never sent.
   */
  async verify(challenge: Challenge, user: EndUser | undefined, given: GivenCredential, rp?: Omit<RelyingParty, 'rpName'>): Promise<string> {
    if (given.field === 'passkey') return this.verifyPasskey(challenge, user, given.response, rp);
    switch (given.field) {
      case 'pin':
      case 'passwordless': {
        const value = given.field === 'pin' ? given.value : linkToken(given.value);
        const hash = await this.deps.pinSecrets.hash(challenge.id, given.field, value);
        const right = challenge.secretHash !== null && constantTimeEqual(hash, challenge.secretHash);
        return right && !challenge.decoy ? 'ok' : 'wrong_code';
      }
      case 'totp': {
        if (challenge.decoy || !user) return 'totp_invalid';
        const outcome = await this.deps.secondFactor.verifyTotp(challenge.organizationId, user.id, given.value);
        return outcome === 'ok' || outcome === 'locked' ? outcome : `totp_${outcome}`;
      }
      default: {
        if (challenge.decoy || !user) return 'recovery_code_invalid';
        const outcome = await this.deps.secondFactor.useRecoveryCode(challenge.organizationId, user.id, given.value);
        return outcome === 'ok' || outcome === 'locked' ? outcome : `recovery_code_${outcome}`;
      }
    }
  }

  /**
   * A passkey step: the credential must be a passkey of this end user in this organization, registered
   * for the system's RP ID; the assertion must sign this step's challenge from one of the origins; the
   * counter is recorded by a conditional write. `ok_user_verified` when the authenticator verified the
   * user. A decoy's never passes (the lookup still runs, so it takes as long).
   */
  private async verifyPasskey(challenge: Challenge, user: EndUser | undefined, response: AuthenticationResponseJSON, rp: Omit<RelyingParty, 'rpName'> | undefined): Promise<string> {
    const { passkeys, verifier } = this.deps;
    if (!passkeys || !verifier || !rp || !challenge.passkeyChallenge) return 'passkey_unavailable';
    const passkey = await passkeys.findPasskey(passkeyIdOf(response.id));
    if (!passkey || challenge.decoy || !user || passkey.owner !== endUserOwner(challenge.organizationId, user.id)) return 'passkey_unknown';
    const flow = { flowId: challenge.id, purpose: 'authenticate' as const, owner: passkey.owner, challenge: challenge.passkeyChallenge, rpId: rp.rpId, origins: rp.origins, system: challenge.systemName, expiresAt: new Date(challenge.expiresAt).toISOString() };
    // Loaded on the first passkey step of this instance: a PIN or link sign-in never evaluates the verifier.
    const { verifyAssertion } = await verifier();
    let verified;
    try {
      verified = await verifyAssertion(response, flow, passkey);
    } catch {
      return 'passkey_rejected';
    }
    const at = (this.deps.now ?? (() => new Date()))().toISOString();
    if (!(await passkeys.recordUse(passkey.id, passkey.counter, { counter: verified.newCounter, backedUp: verified.backedUp, at }))) return 'passkey_counter';
    return verified.userVerified ? USER_VERIFIED : 'ok';
  }
}
