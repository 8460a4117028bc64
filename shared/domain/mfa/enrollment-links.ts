/**
 * The owner-issued enrolment link (SPEC §4): one-time, 24 hours, only the hash of its token stored.
 * Opening it (GET) writes nothing; the member's password (throttled like a login) unlocks a fresh
 * pending secret and a page token (`enrollment_page`), and the code with that page token confirms.
 */
import { auditEvent, type AuditContext, type AuditEvent } from '../kernel/audit-events.ts';
import { AuthError, NotFoundError } from '../kernel/errors.ts';
import type { OperatorStore } from '../sessions/operator-store.ts';
import { hashSecret, randomSecret } from '../kernel/secrets.ts';
import type { LoginThrottle } from '../sessions/login-throttle.ts';
import { verifyPassword } from '../sessions/passwords.ts';
import { operatorSubject, selfContext } from './mfa-subject.ts';
import type { MfaTokens } from './mfa-tokens.ts';
import type { TotpEnrollment, TotpFactors } from './totp-factors.ts';

/** An owner's enrolment link: a working day for the member to find it. */
export const ENROLLMENT_LINK_TTL_SECONDS = 24 * 60 * 60;
const ENROLLMENT_TOKEN_PREFIX = 'pme_';

export interface EnrollmentLinkRecord {
  tokenHash: string;
  userId: string;
  accountId: string;
  createdBy: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export interface EnrollmentLinkStore {
  createEnrollmentLink(record: EnrollmentLinkRecord, events: AuditEvent[]): Promise<void>;
  findEnrollmentLink(tokenHash: string): Promise<EnrollmentLinkRecord | undefined>;
  consumeEnrollmentLink(tokenHash: string, nowSeconds: number): Promise<boolean>;
}

type Facts = { requestId: string; sourceIp: string };

export class EnrollmentLinks {
  constructor(
    private readonly factors: TotpFactors,
    private readonly store: EnrollmentLinkStore,
    private readonly tokens: MfaTokens,
    private readonly operators: OperatorStore,
    private readonly throttle: LoginThrottle,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A new link for `userId` of `accountId` (the caller checked the owner may); `mfa.enrollment_link_created` with it. */
  async create(context: AuditContext, link: { accountId: string; userId: string; createdBy: string }): Promise<{ token: string; expiresAt: string }> {
    const token = `${ENROLLMENT_TOKEN_PREFIX}${randomSecret(32)}`;
    const now = this.now();
    const expiresAt = this.nowSeconds() + ENROLLMENT_LINK_TTL_SECONDS;
    const event = auditEvent(context, {
      accountId: link.accountId,
      type: 'mfa.enrollment_link_created',
      target: { type: 'operator', id: link.userId },
      details: { expiresAt: new Date(expiresAt * 1000).toISOString() },
    }, now);
    await this.store.createEnrollmentLink({ tokenHash: hashSecret(token), ...link, expiresAt }, [event]);
    return { token, expiresAt: new Date(expiresAt * 1000).toISOString() };
  }

  /**
   * Opening the link (GET): who it is for, and nothing else. It writes nothing: link scanners and
   * mail previews open links too, and must neither start an enrolment nor write an event.
   */
  async view(token: string): Promise<{ email: string }> {
    const link = await this.liveLink(token);
    const operator = await this.operators.findOperatorById(link.userId);
    if (!operator) throw new NotFoundError('Enrolment link');
    return { email: operator.email };
  }

  /**
   * The member's password on the page (POST): checked and throttled like a login. Right, a fresh
   * pending secret and a short-lived page token (`enrollment_page`) that the code form carries: the
   * secret is shown, and the code accepted, only to whoever typed the password.
   */
  async unlock(token: string, password: string, facts: Facts): Promise<TotpEnrollment & { email: string; pageToken: string }> {
    const link = await this.liveLink(token);
    const operator = await this.operators.findOperatorById(link.userId);
    if (!operator) throw new NotFoundError('Enrolment link');
    await this.throttle.reserveAttempt(operator.email);
    if (!(await verifyPassword(password, operator.passwordHash))) throw new AuthError('invalid_credentials', 'The password is incorrect.');
    await this.throttle.recordSuccess(operator.email);
    const enrollment = await this.factors.begin(operatorSubject(link.userId), operator.email, selfContext(link.userId, facts));
    return { ...enrollment, email: operator.email, pageToken: await this.tokens.issue(link.userId, 'enrollment_page') };
  }

  /** The pending enrolment again (a wrong code), for the holder of the page token only. */
  async pending(token: string, pageToken: string): Promise<(TotpEnrollment & { email: string }) | undefined> {
    const link = await this.unlockedLink(token, pageToken);
    const operator = await this.operators.findOperatorById(link.userId);
    if (!operator) throw new NotFoundError('Enrolment link');
    const pending = await this.factors.pending(operatorSubject(link.userId), operator.email);
    return pending && { ...pending, email: operator.email };
  }

  /** Submitting the code from the page (with the page token): confirms, spends the link, answers the recovery codes. */
  async complete(token: string, pageToken: string, code: string, facts: Facts): Promise<string[]> {
    const link = await this.unlockedLink(token, pageToken);
    const codes = await this.factors.confirm(operatorSubject(link.userId), code, selfContext(link.userId, facts));
    await this.store.consumeEnrollmentLink(link.tokenHash, this.nowSeconds());
    await this.tokens.consume(pageToken);
    return codes;
  }

  /** The live link, when the page token proves its member typed the password; else 401 (the page asks again). */
  private async unlockedLink(token: string, pageToken: string): Promise<EnrollmentLinkRecord> {
    const link = await this.liveLink(token);
    const unlocked = await this.tokens.find(pageToken, 'enrollment_page');
    if (unlocked?.userId !== link.userId) throw new AuthError('invalid_mfa_token', 'Enter your password again.');
    return link;
  }

  private async liveLink(token: string): Promise<EnrollmentLinkRecord> {
    const link = token.startsWith(ENROLLMENT_TOKEN_PREFIX) ? await this.store.findEnrollmentLink(hashSecret(token)) : undefined;
    if (!link || link.expiresAt <= this.nowSeconds()) throw new NotFoundError('Enrolment link');
    return link;
  }

  private nowSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }
}
