/**
 * The second step of an operator login, as `OperatorSessions` and its session gate use it
 * (`LoginSecondFactor` in sessions/operator-sessions.ts): the person's factors, whether a policy
 * requires one, the short-lived mfaToken between the password and the code, and the code itself.
 */
import type { LoginSecondFactor } from '../sessions/operator-sessions.ts';
import type { PersonFactors } from '../sessions/session-gate.ts';
import { operatorSubject, selfContext, type VerifyOutcome } from './mfa-subject.ts';
import type { MfaPolicy } from './mfa-policy.ts';
import type { MfaTokenRecord, MfaTokens } from './mfa-tokens.ts';
import type { TotpFactors } from './totp-factors.ts';

/** The second step of a login: a TOTP code or a recovery code. */
export type LoginProof = { code: string } | { recoveryCode: string };

export class OperatorSecondFactor implements LoginSecondFactor {
  constructor(
    private readonly factors: TotpFactors,
    private readonly tokens: MfaTokens,
    private readonly policy: MfaPolicy,
  ) {}

  /** The person's second factors, as the session gate (session-gate.ts) reads them. */
  async factorsOf(userId: string): Promise<PersonFactors> {
    return { totp: await this.factors.isEnabled(operatorSubject(userId)) };
  }

  /** Whether `requireMfa` on an account of the operator, or on an organization their scope covers, is on. */
  isRequiredFor(userId: string): Promise<boolean> {
    return this.policy.isRequiredFor(userId);
  }

  /**
   * A short-lived, single-use token for the login's second step (or, `enroll`, for enrolment only),
   * remembering the `amr` of the step that led to it.
   */
  issueMfaToken(userId: string, purpose: 'login' | 'enroll', firstFactor?: readonly string[]): Promise<string> {
    return this.tokens.issue(userId, purpose, firstFactor);
  }

  /** The live mfaToken of this purpose (not consumed), or undefined. */
  findMfaToken(token: string, purpose: 'login' | 'enroll'): Promise<MfaTokenRecord | undefined> {
    return this.tokens.find(token, purpose);
  }

  /** Spends the token: of two concurrent completions only one gets a session. */
  consumeMfaToken(token: string): Promise<boolean> {
    return this.tokens.consume(token);
  }

  /** Checks the login's second factor; the outcome and, for a recovery code, how many are left. */
  async verifyLoginProof(userId: string, proof: LoginProof, facts: { requestId: string; sourceIp: string }): Promise<{ outcome: VerifyOutcome; method: 'otp' | 'recovery_code' }> {
    const context = selfContext(userId, facts);
    if ('code' in proof) return { outcome: await this.factors.verify(operatorSubject(userId), proof.code, context), method: 'otp' };
    return { outcome: (await this.factors.useRecoveryCode(operatorSubject(userId), proof.recoveryCode, context)).outcome, method: 'recovery_code' };
  }
}
