/**
 * An operator's password after sign-up (SPEC §4 Passwords): the signed-in change, the e-mailed reset
 * link and the reset itself. Knows nothing of HTTP or DynamoDB; it talks to ports.
 *
 * What it holds to:
 * - A change proves the current password under the login's attempt budget (spent before scrypt
 *   runs), and, when the person has a second factor, a session that showed it (the session gate's
 *   `verify` verdict → 403 `step_up_required`, as for an owner's reset of a member's 2FA).
 * - A reset link is 256 random bits, stored only as its SHA-256, lives 30 minutes, is the operator's
 *   only live one (a new request or a password change voids it) and is spent by one conditional write.
 * - A reset never signs in: it answers no tokens, so the next login still asks the second factor.
 * - The forgot route does the same reads and writes for a known and an unknown address (a decoy
 *   link nobody receives) and answers the same; only the e-mail itself differs.
 */
import { auditEvent, PASSWORD_EVENTS, type AuditContext } from '../kernel/audit-events.ts';
import { AppError, AuthError, NotFoundError, RateLimitError } from '../kernel/errors.ts';
import { hashSecret, randomSecret } from '../kernel/secrets.ts';
import type { SecurityNotices } from '../platform/security-notices.ts';
import type { LoginEventSink } from './login-event-log.ts';
import type { LoginThrottle } from './login-throttle.ts';
import type { OperatorStore } from './operator-store.ts';
import { assertAcceptablePassword, hashPassword, verifyPassword } from './passwords.ts';
import type { PasswordStore, ResetMailLimits } from './password-store.ts';
import type { GateVerdict } from './session-gate.ts';

/** How long a reset link works (SPEC §4: ≤ 30 min). */
export const RESET_LINK_TTL_SECONDS = 30 * 60;

/** Reset e-mails per address: one a minute, five an hour (beyond them the answer is the same 202, and nothing is sent). */
export const RESET_MAIL_LIMITS: ResetMailLimits = { minIntervalMs: 60_000, windowMs: 60 * 60_000, maxPerWindow: 5 };

/** Reset tokens carry a recognisable prefix so secret scanners and support can spot them. */
const RESET_TOKEN_PREFIX = 'ppr_';

/** What the lifecycle asks of the operator sessions (`OperatorSessions`). */
export interface SessionControl {
  verdict(userId: string, amr: readonly string[]): Promise<GateVerdict>;
  endSessions(userId: string, options?: { except?: string }): Promise<number>;
}

/** The signed-in operator, as the bearer credential names them. */
export interface OperatorCaller {
  userId: string;
  amr: string[];
  /** The caller's session (refresh family): the one a change keeps. */
  sessionId?: string;
}

export interface PasswordFacts {
  requestId: string;
  sourceIp: string;
}

export interface PasswordLifecycleSettings {
  /** Where links point: `{consoleUrl}/reset-password?token=…`. */
  consoleUrl: string;
}

export class PasswordLifecycle {
  constructor(
    private readonly operators: OperatorStore,
    private readonly store: PasswordStore,
    private readonly sessions: SessionControl,
    private readonly throttle: LoginThrottle,
    private readonly audit: LoginEventSink,
    private readonly notices: SecurityNotices,
    private readonly settings: PasswordLifecycleSettings,
    private readonly logInfo: (message: string, details: Record<string, unknown>) => void = () => undefined,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * `POST /v2/me/password`. Order matters: the step-up and the new password's rules are checked
   * before an attempt is spent (a typo in the new password must not cost the budget), and the
   * attempt is spent before the current password is compared. Every other session ends; the
   * caller's stays.
   */
  async changePassword(caller: OperatorCaller, input: { currentPassword: string; newPassword: string }, facts: PasswordFacts): Promise<void> {
    const operator = await this.operators.findOperatorById(caller.userId);
    if (!operator) throw new NotFoundError('User');
    if ((await this.sessions.verdict(caller.userId, caller.amr)) === 'verify') {
      throw new AppError(403, 'step_up_required', 'Forbidden', 'You have two-factor authentication: sign in again with your code to change your password.');
    }
    assertAcceptablePassword(input.newPassword, operator.email, 'body.newPassword');
    try {
      await this.throttle.reserveAttempt(operator.email);
    } catch (error) {
      if (error instanceof RateLimitError) await this.record(operator.id, PASSWORD_EVENTS.changeFailed, { reason: 'throttled' }, facts);
      throw error;
    }
    if (!(await verifyPassword(input.currentPassword, operator.passwordHash))) {
      await this.record(operator.id, PASSWORD_EVENTS.changeFailed, { reason: 'bad_password' }, facts);
      throw new AuthError('invalid_credentials', 'The current password is incorrect.');
    }
    const [passwordHash] = await Promise.all([hashPassword(input.newPassword), this.throttle.recordSuccess(operator.email)]);
    await this.store.setPasswordHash(operator.id, passwordHash);
    const [, ended] = await Promise.all([
      // A link asked for before the change must not be able to undo it.
      this.store.deleteResetLink(operator.id),
      this.sessions.endSessions(operator.id, caller.sessionId ? { except: caller.sessionId } : {}),
    ]);
    await this.record(operator.id, PASSWORD_EVENTS.changed, { sessionsEnded: ended }, facts);
    await this.notices.send(operator.email, 'passwordChanged', { at: this.now().toISOString() });
  }

  /**
   * `POST /v2/auth/password/forgot`. Answers nothing, whatever happens: the route says 202 for every
   * well-formed address. A known operator gets the link by e-mail; an unknown address gets the same
   * limit take and a decoy link write, and nothing is sent.
   */
  async requestReset(email: string, facts: PasswordFacts): Promise<void> {
    const operator = await this.operators.findOperatorByEmail(email);
    const addressHash = hashSecret(`password-reset:${email}`);
    const nowMs = this.now().getTime();
    if (!(await this.store.takeResetMail(addressHash, nowMs, RESET_MAIL_LIMITS))) {
      this.logInfo('password reset mail limited', { requestId: facts.requestId });
      return;
    }
    const token = `${RESET_TOKEN_PREFIX}${randomSecret(32)}`;
    // The decoy's owner id names no operator: were its token ever guessed, the reset finds nobody.
    const userId = operator?.id ?? `dcy_${addressHash}`;
    await this.store.saveResetLink({ userId, tokenHash: hashSecret(token), expiresAt: Math.floor(nowMs / 1000) + RESET_LINK_TTL_SECONDS });
    if (!operator) {
      this.logInfo('password reset asked for an unknown email', { requestId: facts.requestId });
      return;
    }
    await this.record(operator.id, PASSWORD_EVENTS.resetRequested, {}, facts);
    const url = `${this.settings.consoleUrl}/reset-password?token=${encodeURIComponent(token)}`;
    await this.notices.send(operator.email, 'passwordReset', { url, minutes: RESET_LINK_TTL_SECONDS / 60 });
  }

  /**
   * `POST /v2/auth/password/reset`. The new password's rules are checked before the link is spent
   * (a typo must not burn it); the link is spent by one conditional write, so of concurrent resets
   * with one token exactly one wins and sets its password. Then every session ends and the login throttle of the address
   * is cleared (the person just proved they read its mail). No tokens: a reset is not a sign-in.
   */
  async resetPassword(input: { token: string; newPassword: string }, facts: PasswordFacts): Promise<void> {
    const tokenHash = hashSecret(input.token);
    const link = await this.store.findResetLink(tokenHash);
    if (!link || link.expiresAt <= this.nowSeconds()) throw invalidResetToken();
    const operator = await this.operators.findOperatorById(link.userId);
    if (!operator) throw invalidResetToken();
    assertAcceptablePassword(input.newPassword, operator.email, 'body.newPassword');
    // Spent before scrypt runs: of a burst with one token only the winner pays for a hash. Should
    // the function die between the two writes, the link is gone and the old password stays: the
    // person asks for a new link, nobody gains anything.
    if (!(await this.store.consumeResetLink(operator.id, tokenHash, this.nowSeconds()))) throw invalidResetToken();
    await this.store.setPasswordHash(operator.id, await hashPassword(input.newPassword));
    const [ended] = await Promise.all([this.sessions.endSessions(operator.id), this.throttle.recordSuccess(operator.email)]);
    await this.record(operator.id, PASSWORD_EVENTS.reset, { sessionsEnded: ended }, facts);
    await this.notices.send(operator.email, 'passwordResetDone', { at: this.now().toISOString() });
  }

  private async record(userId: string, type: string, details: Record<string, unknown>, facts: PasswordFacts): Promise<void> {
    const context: AuditContext = { actor: { kind: 'operator', id: userId }, requestId: facts.requestId || null, sourceIp: facts.sourceIp || null };
    const now = this.now();
    const events = (await this.audit.accountsOfOperator(userId)).map((accountId) =>
      auditEvent(context, { accountId, type, target: { type: 'operator', id: userId }, details }, now),
    );
    await this.audit.recordEvents(events);
  }

  private nowSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }
}

/** One answer for an unknown, expired, voided or spent link: which one it was helps nobody but an attacker. */
function invalidResetToken(): AppError {
  // Every 400 names its field (SPEC §6): here the token.
  return new AppError(400, 'invalid_reset_token', 'Bad Request', 'The reset link is invalid, expired or already used; ask for a new one.', {
    errors: [{ field: 'body.token', message: 'is invalid, expired or already used' }],
  });
}
