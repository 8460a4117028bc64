/**
 * The one gate for operator sessions (SPEC §6): whether the factors a caller has shown (`amr`) are
 * enough for what the person has set up (TOTP) and for what covers them
 * (`requireMfa` on an account or an organization of their scope). `OperatorSessions.admit` asks it
 * before it mints a session, and `refresh` asks it again before it rotates one; nothing else in the
 * code base creates a session family or signs an operator access token (test/unit/session-gate.test.ts).
 */

/**
 * `amr` values that prove a second factor: a TOTP code (`otp`), a recovery code or a user-verified
 * passkey (`mfa`: the key and the PIN or biometric that unlocked it, shared/domain/passkeys/ceremonies.ts).
 */
export const SECOND_FACTOR_AMR: readonly string[] = ['otp', 'mfa'];

/** What a person has set up and what covers them, as the gate reads it. */
export interface PersonFactors {
  /** TOTP is enabled (a pending, unconfirmed enrolment does not count). */
  totp: boolean;
  // Passkeys are not read here: a passkey is a way to sign in, not a second step after a password
  // (the login's second step takes a TOTP or recovery code only). A user-verified passkey sign-in
  // shows `mfa` itself; one without user verification shows one factor and meets TOTP like a password.
  // So a person with passkeys and no TOTP signs in with a password alone unless `requireMfa` covers
  // them (then: enrol TOTP, or use the passkey), and registering a passkey never ends their sessions.
}

/** Where the gate reads a person's factors and policy; `OperatorSecondFactor` (mfa/operator-second-factor.ts) implements it. */
export interface PersonFactorSource {
  factorsOf(userId: string): Promise<PersonFactors>;
  /** `requireMfa` on an account of the person, or on an organization their scope reaches. */
  isRequiredFor(userId: string): Promise<boolean>;
}

/**
 * `open`: the factors shown are enough, a session may start (or go on). `verify`: the person has a
 * second factor the caller has not shown. `enroll`: a policy requires a second factor the person
 * has not set up yet.
 */
export type GateVerdict = 'open' | 'verify' | 'enroll';

/** True when `amr` carries a second factor. */
export function showsSecondFactor(amr: readonly string[]): boolean {
  return amr.some((method) => SECOND_FACTOR_AMR.includes(method));
}

/** The decision itself, without I/O: what the person has, whether a policy covers them, what was shown. */
export function gateVerdict(factors: PersonFactors, required: boolean, amr: readonly string[]): GateVerdict {
  if (showsSecondFactor(amr)) return 'open';
  if (factors.totp) return 'verify';
  return required ? 'enroll' : 'open';
}

/** Reads the person's factors and policy and decides; the policy is read only when it can matter. */
export class SessionGate {
  constructor(private readonly source?: PersonFactorSource) {}

  async verdict(userId: string, amr: readonly string[]): Promise<GateVerdict> {
    // Without a factor source (a deployment without MFA wiring, unit fakes) nobody has a second factor.
    if (!this.source || showsSecondFactor(amr)) return 'open';
    const factors = await this.source.factorsOf(userId);
    if (factors.totp) return gateVerdict(factors, false, amr);
    return gateVerdict(factors, await this.source.isRequiredFor(userId), amr);
  }
}
