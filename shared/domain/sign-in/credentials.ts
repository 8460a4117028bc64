/**
 * The credential a complete carries (one of PIN, link, TOTP code, recovery code) and whether it is
 * right. `CredentialCheck.verify` compares a guessable secret: it is only ever called inside
 * `spendThenCompare`, after the attempt was taken (complete-sign-in.ts; test/unit/attempt-budget.test.ts
 * checks the source for it).
 */
import { ValidationError } from '../kernel/errors.ts';
import { constantTimeEqual } from '../kernel/secrets.ts';
import { linkToken } from './challenge-rules.ts';
import type { Challenge, EndUser, EndUserSecondFactor } from './model.ts';
import type { PinSecrets } from './pin-secrets.ts';

export interface GivenCredential {
  field: 'pin' | 'passwordless' | 'totp' | 'recoveryCode';
  value: string;
}

/** The credential of a complete: the first of pin, passwordless, totp, recoveryCode that it carries. */
export function credentialOf(input: { pin?: string | undefined; passwordless?: string | undefined; totp?: string | undefined; recoveryCode?: string | undefined }): GivenCredential {
  if (input.pin !== undefined) return { field: 'pin', value: input.pin };
  if (input.passwordless !== undefined) return { field: 'passwordless', value: input.passwordless };
  if (input.totp !== undefined) return { field: 'totp', value: input.totp };
  if (input.recoveryCode !== undefined) return { field: 'recoveryCode', value: input.recoveryCode };
  throw new ValidationError([{ field: 'body', message: 'must carry one of pin, passwordless, totp, recoveryCode' }]);
}

export class CredentialCheck {
  constructor(private readonly deps: { pinSecrets: PinSecrets; secondFactor: EndUserSecondFactor }) {}

  /**
   * Checks the code (only ever after its attempt was taken): `ok`, `locked` (the TOTP factor) or why
   * not. A decoy's never passes: its secret was never sent.
   */
  async verify(challenge: Challenge, user: EndUser | undefined, given: GivenCredential): Promise<string> {
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
}
