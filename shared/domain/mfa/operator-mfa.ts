/**
 * An operator's own 2FA (SPEC §4): enrol (password asked again), confirm, regenerate recovery codes,
 * disable (a current code or the password), and the status `GET /v2/me` shows.
 */
import { AuthError, NotFoundError, ValidationError } from '../kernel/errors.ts';
import type { OperatorStore } from '../sessions/operator-store.ts';
import type { LoginThrottle } from '../sessions/login-throttle.ts';
import { verifyPassword } from '../sessions/passwords.ts';
import { operatorSubject, outcomeError, selfContext } from './mfa-subject.ts';
import type { TotpEnrollment, TotpFactors } from './totp-factors.ts';
import type { SecurityNotices } from '../platform/security-notices.ts';

type Facts = { requestId: string; sourceIp: string };

/** Operator 2FA self-service. */
export class OperatorMfa {
  constructor(
    private readonly factors: TotpFactors,
    private readonly operators: OperatorStore,
    private readonly throttle: LoginThrottle,
    private readonly notices?: SecurityNotices,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Starts (or restarts) enrolment. With an access token the password is asked again (a stolen token
   * alone must not replace the factor) and throttled like a login; with an enrolment mfaToken the
   * password was just checked at login.
   */
  async startEnrollment(userId: string, input: { password?: string; viaEnrollmentToken: boolean }, facts: Facts): Promise<TotpEnrollment> {
    const operator = await this.operators.findOperatorById(userId);
    if (!operator) throw new NotFoundError('User');
    if (!input.viaEnrollmentToken) {
      if (input.password === undefined) throw new ValidationError([{ field: 'body.password', message: 'is required' }]);
      await this.throttle.reserveAttempt(operator.email);
      if (!(await verifyPassword(input.password, operator.passwordHash))) throw new AuthError('invalid_credentials', 'The password is incorrect.');
      await this.throttle.recordSuccess(operator.email);
    }
    return this.factors.begin(operatorSubject(userId), operator.email, selfContext(userId, facts));
  }

  /** Confirms the pending secret; answers the recovery codes (shown once). */
  confirmEnrollment(userId: string, code: string, facts: Facts): Promise<string[]> {
    return this.factors.confirm(operatorSubject(userId), code, selfContext(userId, facts));
  }

  regenerateRecoveryCodes(userId: string, code: string, facts: Facts): Promise<string[]> {
    return this.factors.regenerateRecoveryCodes(operatorSubject(userId), code, selfContext(userId, facts));
  }

  /** Turns 2FA off after a current code or the password; then the `mfaDisabled` notice (its failure only logged). */
  async disable(userId: string, proof: { code?: string; password?: string }, facts: Facts): Promise<void> {
    const subject = operatorSubject(userId);
    const context = selfContext(userId, facts);
    if (!(await this.factors.isEnabled(subject))) throw outcomeError('not_enrolled');
    await this.checkProof(userId, proof, facts);
    await this.factors.remove(subject, context, 'mfa.disabled');
    const operator = await this.operators.findOperatorById(userId);
    if (operator) await this.notices?.send(operator.email, 'mfaDisabled', { at: this.now().toISOString() });
  }

  /**
   * Checks that the person at the keyboard is the operator, not only someone holding their access
   * token: a current TOTP code (counted and replay-checked like any) or the password (throttled like
   * a login). Throws when it is not shown. Removing a strong factor (TOTP, a passkey) asks it.
   */
  async checkProof(userId: string, proof: { code?: string; password?: string }, facts: Facts): Promise<void> {
    const subject = operatorSubject(userId);
    const context = selfContext(userId, facts);
    if (proof.code !== undefined) {
      const outcome = await this.factors.verify(subject, proof.code, context);
      if (outcome !== 'ok') throw outcomeError(outcome);
    } else {
      const operator = await this.operators.findOperatorById(userId);
      if (!operator || proof.password === undefined) throw new AuthError('invalid_credentials', 'The password is incorrect.');
      await this.throttle.reserveAttempt(operator.email);
      if (!(await verifyPassword(proof.password, operator.passwordHash))) throw new AuthError('invalid_credentials', 'The password is incorrect.');
      await this.throttle.recordSuccess(operator.email);
    }
  }

  status(userId: string) {
    return this.factors.status(operatorSubject(userId));
  }
}
