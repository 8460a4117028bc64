/**
 * Operator sign-up (SPEC §4 `POST /v2/signup`), as the deployment's `signupMode` says:
 * - `open` (local, trusted use): the account, its owner and a session at once. An address that
 *   already has an operator gets no error code naming it (there is no `email_taken` any more): the
 *   same 202 and e-mail as under `verify-email`. The status still differs from a new address's 201,
 *   so this mode tells: a deployment meant for strangers uses `verify-email`.
 * - `verify-email` (the cloud default): every well-formed request gets the same 202 after the same
 *   work (scrypt, one pending item, one e-mail); a new address gets a one-time link, an address that
 *   already has an operator gets a note saying so instead. The link's token completes the sign-up.
 * - `closed`: 403 `signup_closed`; accounts come from invitations and the first-owner command.
 * The pending sign-up keeps the e-mail, the account name and the scrypt hash of the password (never
 * the password) under the SHA-256 of its token, for 24 hours; verifying consumes it in one
 * conditional delete, so of concurrent verifies exactly one goes on to create anything.
 */
import { AppError, AuthError, ConflictError } from '../kernel/errors.ts';
import type { Account, Membership, Operator } from '../kernel/model.ts';
import { hashSecret, newId, randomSecret } from '../kernel/secrets.ts';
import type { Mailer } from '../platform/email.ts';
import type { LoginFacts, OperatorSessions, TokenPair } from './operator-sessions.ts';
import type { OperatorStore } from './operator-store.ts';
import { assertAcceptablePassword, hashPassword } from './passwords.ts';

/** The same values as `SIGNUP_MODES` of shared/config.ts (the domain does not read config). */
export type SignupMode = 'open' | 'verify-email' | 'closed';

/** How long an e-mailed sign-up link works: a day, so a link read the next morning still works. */
export const SIGNUP_VERIFICATION_TTL_SECONDS = 24 * 60 * 60;

/** Sign-up link tokens carry a recognisable prefix so secret scanners and support can spot them. */
export const SIGNUP_TOKEN_PREFIX = 'psv_';

/**
 * How many sign-up e-mails one address receives (SPEC §6: no mail cannon): at most one a minute and
 * five an hour, whoever asks. Above it the answer is the same 202 and nothing is sent.
 */
export const SIGNUP_EMAIL_LIMIT: SignupEmailLimitSettings = { minIntervalSeconds: 60, windowSeconds: 60 * 60, maxPerWindow: 5 };

export interface SignupEmailLimitSettings {
  /** Seconds between two e-mails to one address. */
  minIntervalSeconds: number;
  /** The window `maxPerWindow` counts in, from its first e-mail. */
  windowSeconds: number;
  maxPerWindow: number;
}

export interface PendingSignup {
  /** SHA-256 of the e-mailed token; the token itself is never stored. */
  tokenHash: string;
  email: string;
  accountName: string;
  /** scrypt, as an operator's password is stored. */
  passwordHash: string;
  createdAt: string;
  expiresAt: string;
}

/** Port: pending sign-ups, by the hash of their token. */
export interface PendingSignupStore {
  createPendingSignup(pending: PendingSignup): Promise<void>;
  /** Deletes the pending sign-up if it is there and unexpired at `at`, answering it; undefined otherwise. One conditional write. */
  consumePendingSignup(tokenHash: string, at: string): Promise<PendingSignup | undefined>;
}

/** Port: the per-address budget of sign-up e-mails (`SIGNUP_EMAIL_LIMIT`), keyed by a hash of the address. */
export interface SignupEmailLimit {
  /** Takes one e-mail for the address at `nowSeconds`; false when its share is spent. One conditional write decides. */
  reserveSignupEmail(addressHash: string, nowSeconds: number, limit: SignupEmailLimitSettings): Promise<boolean>;
}

/** What a completed sign-up answers: the account, its owner and their session. */
export type SignupSession = { accountId: string; userId: string } & TokenPair;

export type SignupOutcome = { created: SignupSession } | { verificationSent: true };

export class Signup {
  constructor(
    private readonly mode: SignupMode,
    private readonly operators: Pick<OperatorStore, 'findOperatorByEmail' | 'createOperatorWithAccount'>,
    private readonly sessions: Pick<OperatorSessions, 'signUp' | 'admit'>,
    private readonly pending: PendingSignupStore,
    private readonly emailLimit: SignupEmailLimit,
    private readonly mailer: Pick<Mailer, 'send'>,
    private readonly consoleUrl: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async start(input: { email: string; password: string; accountName: string }, facts?: LoginFacts): Promise<SignupOutcome> {
    if (this.mode === 'closed') throw signupClosed();
    if (this.mode === 'open') {
      try {
        return { created: await this.sessions.signUp(input, facts) };
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        // The address has an operator: its owner hears of it by e-mail (within the mail limit), the
        // caller gets what `verify-email` answers.
        if (await this.emailLimit.reserveSignupEmail(hashSecret(input.email), Math.floor(this.now().getTime() / 1000), SIGNUP_EMAIL_LIMIT)) {
          await this.mail(input.email, 'signupExistingOperator', { loginUrl: `${this.consoleUrl}/login`, resetUrl: `${this.consoleUrl}/forgot-password` });
        }
        return { verificationSent: true };
      }
    }

    // Refusing a weak password tells nothing about the address: it depends on the request alone.
    assertAcceptablePassword(input.password, input.email);
    // The same work for every address, known or not, before anything depends on it: scrypt (≈100 ms)
    // dwarfs the rest, and both branches below write one item and send one e-mail.
    const passwordHash = await hashPassword(input.password);
    const existing = await this.operators.findOperatorByEmail(input.email);
    const now = this.now();
    if (!(await this.emailLimit.reserveSignupEmail(hashSecret(input.email), Math.floor(now.getTime() / 1000), SIGNUP_EMAIL_LIMIT))) {
      return { verificationSent: true };
    }
    const token = `${SIGNUP_TOKEN_PREFIX}${randomSecret(32)}`;
    // Written for a known address too (its token is never sent and TTL removes it): the same writes
    // whatever the address, and verifying could not create a second operator anyway.
    await this.pending.createPendingSignup({
      tokenHash: hashSecret(token),
      email: input.email,
      accountName: input.accountName,
      passwordHash,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + SIGNUP_VERIFICATION_TTL_SECONDS * 1000).toISOString(),
    });
    if (existing) {
      await this.mail(input.email, 'signupExistingOperator', { loginUrl: `${this.consoleUrl}/login`, resetUrl: `${this.consoleUrl}/forgot-password` });
    } else {
      await this.mail(input.email, 'signupVerification', {
        accountName: input.accountName,
        url: `${this.consoleUrl}/verify-email?token=${token}`,
        hours: SIGNUP_VERIFICATION_TTL_SECONDS / 3600,
      });
    }
    return { verificationSent: true };
  }

  /**
   * Sends one sign-up e-mail. A failure is a 502 `email_failed`, never a 500: both branches of a
   * `verify-email` sign-up send one, so the answer still tells nothing about the address.
   */
  private async mail(...args: Parameters<Signup['mailer']['send']>): Promise<void> {
    try {
      await this.mailer.send(...args);
    } catch {
      throw emailFailed();
    }
  }

  /**
   * Completes a `verify-email` sign-up with the e-mailed token: account, owner and a session through
   * the session gate, exactly as `open` does. Unknown, used and expired tokens get one answer, and so
   * does an address that got an operator meanwhile (its create is refused by the e-mail guard).
   */
  async verify(token: string, facts?: LoginFacts): Promise<SignupSession> {
    if (this.mode === 'closed') throw signupClosed();
    const at = this.now();
    const pending = await this.pending.consumePendingSignup(hashSecret(token), at.toISOString());
    if (!pending) throw invalidSignupToken();
    const createdAt = at.toISOString();
    const operator: Operator = { id: newId('usr'), email: pending.email, passwordHash: pending.passwordHash, createdAt };
    const account: Account = { id: newId('acc'), name: pending.accountName, createdAt };
    const membership: Membership = { accountId: account.id, userId: operator.id, role: 'owner', scope: 'all', createdAt };
    try {
      await this.operators.createOperatorWithAccount({ operator, account, membership });
    } catch (error) {
      // `email_taken`: the address signed up (or accepted an invitation) since. No second operator,
      // and the holder of the link learns nothing an unknown token would not tell.
      if (error instanceof ConflictError) throw invalidSignupToken();
      throw error;
    }
    // A brand-new person has no factor and a new account no policy: the gate opens, but it is asked.
    // With the request's facts, so the session list shows where it started; a sign-up, not a login, in the audit log.
    const result = await this.sessions.admit(operator.id, ['pwd'], facts, { audited: false });
    if (!('accessToken' in result)) throw new AuthError('mfa_required', 'A second factor is required; sign in again.');
    return { accountId: account.id, userId: operator.id, ...result };
  }
}

function emailFailed(): AppError {
  return new AppError(502, 'email_failed', 'Bad Gateway', 'The e-mail could not be sent; try again.');
}

function signupClosed(): AppError {
  return new AppError(403, 'signup_closed', 'Forbidden', 'Sign-up is closed on this deployment: ask an owner of an account for an invitation.');
}

function invalidSignupToken(): AppError {
  // Every 400 names its field (SPEC §6): here the token.
  return new AppError(400, 'invalid_signup_token', 'Bad Request', 'This sign-up link is unknown, expired or already used; sign up again.', {
    errors: [{ field: 'body.token', message: 'is unknown, expired or already used' }],
  });
}
