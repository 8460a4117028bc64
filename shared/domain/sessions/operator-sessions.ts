import { OPERATOR_AUDIENCE, signAccessToken } from './access-tokens.ts';
import { AuthError, RateLimitError } from '../kernel/errors.ts';
import type { TokenSigningKeys } from '../platform/keyring.ts';
import type { LoginThrottle } from './login-throttle.ts';
import type { Account, Membership, Operator, RefreshFamily } from '../kernel/model.ts';
import { assertAcceptablePassword, hashPassword, verifyAgainstDummy, verifyPassword } from './passwords.ts';
import type { OperatorStore } from './operator-store.ts';
import type { SessionStore } from './session-store.ts';
import { hashSecret, newId, randomSecret } from '../kernel/secrets.ts';
import { NotFoundError } from '../kernel/errors.ts';
import { ipPrefixOf, sessionUserAgent } from './session-facts.ts';
import { SESSION_ENDS_AT } from './session-end.ts';
import { SessionGate, type GateVerdict, type PersonFactorSource } from './session-gate.ts';
import type { SecondFactorOutcome } from '../sign-in/model.ts';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  /** When the session ends whatever its refreshes; never in the JSON answer (session-end.ts). */
  [SESSION_ENDS_AT]?: number;
}

export interface SessionSettings {
  issuer: string;
  accessTokenTtlSeconds: number;
  /** A session ends this long after its login, whatever its refreshes (config `sessions.absoluteSeconds`). */
  absoluteSeconds: number;
  /** A session ends after this long without a refresh (config `sessions.idleSeconds`). */
  idleSeconds: number;
  /**
   * A spent refresh token presented again less than this many seconds after its rotation is answered
   * once more instead of revoking its family (`REFRESH_ROTATION_GRACE_SECONDS`, config
   * `sessions.refreshGraceSeconds`); 0 turns the grace off.
   */
  refreshGraceSeconds: number;
}

/** A session as its person sees it in `GET /v2/me/sessions`: never a token or a hash. */
export interface SessionView {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  userAgent: string | null;
  ipPrefix: string | null;
  amr: string[];
  /** The session the caller's access token belongs to. */
  current: boolean;
}

/** What a correct password leads to: a session, or a second step with a short-lived token. */
export type LoginResult =
  | TokenPair
  | { mfaRequired: true; mfaToken: string; methods: ['totp', 'recovery_code'] }
  | { mfaEnrollmentRequired: true; mfaToken: string };

/**
 * The request facts a login records in the audit log; the session it starts keeps the User-Agent
 * and the network of `sourceIp` (shared/domain/sessions/session-facts.ts).
 */
export interface LoginFacts {
  requestId: string;
  sourceIp: string;
  userAgent?: string;
}

/** Why a login failed, as the audit log records it. */
export type LoginFailureReason = 'bad_password' | 'throttled' | 'mfa_failed' | 'mfa_replayed' | 'mfa_locked' | 'mfa_not_enrolled';

/**
 * The second factor of operator logins (TOTP and recovery codes; see shared/domain/mfa/operator-second-factor.ts), and what
 * the session gate reads: the person's factors and whether `requireMfa` covers them.
 */
export interface LoginSecondFactor extends PersonFactorSource {
  /** `firstFactor`: the `amr` of the step before (`secondStepAmr` reads it back). */
  issueMfaToken(userId: string, purpose: 'login' | 'enroll', firstFactor?: readonly string[]): Promise<string>;
  findMfaToken(token: string, purpose: 'login' | 'enroll'): Promise<{ userId: string; firstFactor?: string[] | undefined } | undefined>;
  consumeMfaToken(token: string): Promise<boolean>;
  verifyLoginProof(
    userId: string,
    proof: { code: string } | { recoveryCode: string },
    facts: LoginFacts,
  ): Promise<{ outcome: SecondFactorOutcome; method: 'otp' | 'recovery_code' }>;
}

/** Login events for the audit log of every account the operator belongs to. */
export interface LoginAudit {
  loginSucceeded(userId: string, amr: string[], facts: LoginFacts): Promise<void>;
  /** `userId` is undefined for an unknown email: that is logged, never written to an account. */
  loginFailed(userId: string | undefined, reason: LoginFailureReason, facts: LoginFacts): Promise<void>;
}

const NO_FACTS: LoginFacts = { requestId: '', sourceIp: '' };

/** Refresh tokens carry a recognisable prefix so secret scanners and support can spot them. */
const REFRESH_TOKEN_PREFIX = 'prt_';

/**
 * Operator sign-up and sessions: password login, refresh-token rotation with reuse detection, logout.
 * Knows nothing of HTTP or DynamoDB; it talks to ports.
 */
export class OperatorSessions {
  private readonly gate: SessionGate;

  constructor(
    private readonly operators: OperatorStore,
    private readonly sessions: SessionStore,
    private readonly throttle: LoginThrottle,
    private readonly signingKeys: TokenSigningKeys,
    private readonly settings: SessionSettings,
    private readonly secondFactor: LoginSecondFactor,
    private readonly audit?: LoginAudit,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.gate = new SessionGate(secondFactor);
  }

  /**
   * The only way an operator session starts (SPEC §6 "One gate issues operator sessions"). The gate
   * decides whether the factors shown (`amr`) satisfy what the person has and what covers them:
   * tokens only when they do; otherwise the login's second step (`mfaRequired`) or the enrolment
   * (`mfaEnrollmentRequired`), each with a short-lived mfaToken. `facts` given: they describe the
   * session (browser, network) and the sign-in goes to the audit log, unless `audited: false` (a
   * sign-up, which is not a login).
   */
  async admit(userId: string, amr: string[], facts?: LoginFacts, options: { audited?: boolean } = {}): Promise<LoginResult> {
    const verdict = await this.gate.verdict(userId, amr);
    if (verdict === 'verify') {
      return { mfaRequired: true, mfaToken: await this.secondFactor.issueMfaToken(userId, 'login', amr), methods: ['totp', 'recovery_code'] };
    }
    if (verdict === 'enroll') {
      return { mfaEnrollmentRequired: true, mfaToken: await this.secondFactor.issueMfaToken(userId, 'enroll', amr) };
    }
    if (facts && options.audited !== false) await this.audit?.loginSucceeded(userId, amr, facts);
    return this.mint(userId, amr, facts);
  }

  /** The gate's verdict for a credential already held (an access token's `amr`), without starting anything. */
  verdict(userId: string, amr: readonly string[]): Promise<GateVerdict> {
    return this.gate.verdict(userId, amr);
  }

  /** Creates the operator, the account and the owner membership at once, then signs the owner in. */
  async signUp(input: { email: string; password: string; accountName: string }, facts?: LoginFacts) {
    assertAcceptablePassword(input.password, input.email);
    const createdAt = this.now().toISOString();
    const operator: Operator = {
      id: newId('usr'),
      email: input.email,
      passwordHash: await hashPassword(input.password),
      createdAt,
    };
    const account: Account = { id: newId('acc'), name: input.accountName, createdAt };
    const membership: Membership = { accountId: account.id, userId: operator.id, role: 'owner', scope: 'all', createdAt };
    await this.operators.createOperatorWithAccount({ operator, account, membership });
    // A brand-new person has no factor and a new account no policy: the gate opens, but it is asked.
    // The facts describe the session it starts; a sign-up is not audited as a login (Auth0 logs them apart).
    const tokens = tokensOnly(await this.admit(operator.id, ['pwd'], facts, { audited: false }));
    return { accountId: account.id, userId: operator.id, ...tokens };
  }

  /**
   * Email + password. Every failure, known email or not, is the same 401 after the same work. With
   * TOTP on, a correct password yields `mfaRequired` and a 5-minute mfaToken instead of tokens; when
   * a policy requires 2FA the operator has not set up, `mfaEnrollmentRequired` and a token that can
   * only enrol.
   */
  async logIn(input: { email: string; password: string }, facts: LoginFacts = NO_FACTS): Promise<LoginResult> {
    const operator = await this.operators.findOperatorByEmail(input.email);
    try {
      await this.throttle.reserveAttempt(input.email);
    } catch (error) {
      if (error instanceof RateLimitError) await this.audit?.loginFailed(operator?.id, 'throttled', facts);
      throw error;
    }
    const ok = operator
      ? await verifyPassword(input.password, operator.passwordHash)
      : await verifyAgainstDummy(input.password);
    if (!operator || !ok) {
      await this.audit?.loginFailed(operator?.id, 'bad_password', facts);
      throw invalidCredentials();
    }
    await this.throttle.recordSuccess(input.email);
    return this.admit(operator.id, ['pwd'], facts);
  }

  /**
   * The second step: the mfaToken from login plus a TOTP code or a recovery code. A wrong code leaves
   * the token usable until it expires (failures are counted on the factor, which locks after 5); a
   * right one spends it, so one token yields at most one session.
   */
  async completeMfaLogin(
    input: { mfaToken: string } & ({ code: string } | { recoveryCode: string }),
    facts: LoginFacts = NO_FACTS,
  ): Promise<TokenPair> {
    const record = await this.secondFactor.findMfaToken(input.mfaToken, 'login');
    if (!record) throw invalidMfaToken();
    const proof = 'code' in input ? { code: input.code } : { recoveryCode: input.recoveryCode };
    const { outcome, method } = await this.secondFactor.verifyLoginProof(record.userId, proof, facts);
    if (outcome !== 'ok') {
      await this.audit?.loginFailed(record.userId, FAILURE_REASONS[outcome], facts);
      throw mfaOutcomeError(outcome);
    }
    if (!(await this.secondFactor.consumeMfaToken(input.mfaToken))) throw invalidMfaToken();
    return tokensOnly(await this.admit(record.userId, secondStepAmr(record.firstFactor, method), facts));
  }

  /**
   * Completes a login that had to enrol first: the enrolment was just confirmed with a code, so the
   * enrolment mfaToken is spent and a session starts.
   */
  async completeEnrollmentLogin(mfaToken: string, facts: LoginFacts = NO_FACTS): Promise<TokenPair> {
    const record = await this.secondFactor.findMfaToken(mfaToken, 'enroll');
    if (!record || !(await this.secondFactor.consumeMfaToken(mfaToken))) throw invalidMfaToken();
    return tokensOnly(await this.admit(record.userId, secondStepAmr(record.firstFactor, 'otp'), facts));
  }

  /**
   * Rotates a refresh token. A token that was already spent means it leaked (or was replayed): the
   * whole family, i.e. every token descended from that login, is revoked (OAuth 2.0 Security BCP 4.14).
   * A session past its absolute lifetime or unused for the idle timeout is refused (401 `expired`)
   * and its family revoked; the rotation itself moves the family's `lastUsedAt`.
   *
   * The rotation grace (`refreshGraceSeconds`): a token presented again within the grace of its own
   * rotation is answered once more, with a new pair of the same family, after the same checks
   * (family live, gate open); see `repeatWithinGrace`.
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const tokenHash = hashSecret(refreshToken);
    const current = await this.sessions.findRefreshToken(tokenHash);
    if (!current) throw invalidRefreshToken();
    const family = await this.sessions.findFamily(current.familyId);
    if (!family || family.revoked) throw invalidRefreshToken();
    const now = this.nowSeconds();
    if (!this.isLive(family, now)) {
      await this.sessions.revokeFamily(current.familyId);
      throw sessionExpired();
    }
    // The gate again: a session from before the person turned TOTP on, or before `requireMfa` came to
    // cover them, does not outlive that change. Its family ends; the person signs in again with the
    // second factor (or enrols).
    const verdict = await this.gate.verdict(current.userId, family.amr);
    if (verdict !== 'open') {
      await this.sessions.revokeFamily(current.familyId);
      throw verdict === 'enroll'
        ? new AuthError('mfa_enrollment_required', 'Two-factor authentication is now required; sign in again to set it up.')
        : new AuthError('mfa_required', 'Two-factor authentication is now on; sign in again with the second factor.');
    }

    const next = this.newRefreshToken(current.familyId, current.userId, family.expiresAt);
    const outcome = await this.sessions.rotateRefreshToken(tokenHash, next.record, now, this.now().toISOString());
    let secret: string;
    switch (outcome) {
      case 'rotated':
        secret = next.secret;
        break;
      case 'reused':
        secret = await this.repeatWithinGrace(tokenHash, current.familyId, current.userId, family, now);
        break;
      case 'expired':
        await this.sessions.revokeFamily(current.familyId);
        throw sessionExpired();
      case 'not_found':
      case 'revoked':
        throw invalidRefreshToken();
    }
    return this.tokenPair(current.userId, family.amr, secret, current.familyId, family.expiresAt);
  }

  /**
   * A spent token came back. Within the grace, once, and only while the token its rotation answered
   * (its successor) is still unused, it gets a new pair of the same family; that successor is then
   * `superseded`, so the family goes on from the newest child alone and never forks: were the repeat
   * a thief's, the owner's next refresh (with the superseded token) is a reuse that revokes the family,
   * the thief's branch with it, as without the grace. A second repeat within the grace is refused
   * (401 `refresh_token_reused`) without ending the session: the one repeat already gave the family
   * its newest child. Anything else (after the grace, a successor used since, a superseded token) is
   * a reuse: the family is revoked. Answers the repeat's refresh token; `refresh` signs the pair.
   */
  private async repeatWithinGrace(tokenHash: string, familyId: string, userId: string, family: RefreshFamily, now: number): Promise<string> {
    const grace = this.settings.refreshGraceSeconds;
    const spent = await this.sessions.findRefreshToken(tokenHash);
    if (spent?.status === 'used' && spent.usedAt !== undefined && spent.nextHash !== undefined && now - spent.usedAt < grace) {
      if (spent.repeatedAt !== undefined) throw alreadyRepeated();
      const next = this.newRefreshToken(familyId, userId, family.expiresAt);
      const outcome = await this.sessions.repeatRefreshToken(tokenHash, spent.nextHash, next.record, now, now - grace, this.now().toISOString());
      switch (outcome) {
        case 'repeated':
          return next.secret;
        case 'already_repeated':
          throw alreadyRepeated();
        case 'revoked':
          throw invalidRefreshToken();
        case 'expired':
          await this.sessions.revokeFamily(familyId);
          throw sessionExpired();
        case 'moved_on':
        case 'outside_grace':
          break;
      }
    }
    await this.sessions.revokeFamily(familyId);
    throw new AuthError('refresh_token_reused', 'This refresh token was already used; the session has been revoked.');
  }

  /** Revokes the family of the token. Unknown tokens are ignored so the answer reveals nothing. */
  async logOut(refreshToken: string): Promise<void> {
    const current = await this.sessions.findRefreshToken(hashSecret(refreshToken));
    if (current) await this.sessions.revokeFamily(current.familyId);
  }

  /**
   * Ends every live session of the operator, but `except` (the caller's own, when it keeps it):
   * their refresh tokens stop working at once; access tokens already issued run out within their
   * 15 minutes. Answers how many ended.
   */
  async endSessions(userId: string, options: { except?: string } = {}): Promise<number> {
    const live = await this.liveFamilies(userId);
    const ending = live.filter((family) => family.familyId !== options.except);
    await Promise.all(ending.map((family) => this.sessions.revokeFamily(family.familyId)));
    return ending.length;
  }

  /**
   * The operator's live sessions, newest login first, as they may see them: when and where each
   * started, when it was last refreshed, and which one the caller holds (`currentSessionId`, the
   * access token's `sid`).
   */
  async listSessions(userId: string, currentSessionId: string | undefined): Promise<SessionView[]> {
    const live = await this.liveFamilies(userId);
    return live.reverse().map((family) => {
      const createdAt = family.createdAt ?? '';
      return {
        id: family.familyId,
        createdAt,
        lastUsedAt: family.lastUsedAt ?? createdAt,
        userAgent: family.userAgent ?? null,
        ipPrefix: family.ipPrefix ?? null,
        amr: family.amr,
        current: family.familyId === currentSessionId,
      };
    });
  }

  /**
   * Ends one of the operator's own sessions (the current one too). Another person's session, an
   * unknown id and one already ended are the same 404: a session id says nothing about who owns it.
   */
  async endSession(userId: string, sessionId: string): Promise<void> {
    const family = await this.sessions.findFamily(sessionId);
    if (family?.userId !== userId || family.revoked || !this.isLive(family, this.nowSeconds())) throw new NotFoundError('Session');
    await this.sessions.revokeFamily(sessionId);
  }

  /**
   * Creates the refresh family and signs the pair. Called by `admit` only, after the gate opened. The
   * family ends `absoluteSeconds` after now whatever its refreshes; it keeps what the person needs to
   * recognise it (User-Agent, network of the source address), never the full address.
   */
  private async mint(userId: string, amr: string[], facts: LoginFacts | undefined): Promise<TokenPair> {
    const familyId = newId('fam');
    const now = this.now().toISOString();
    const expiresAt = this.nowSeconds() + this.settings.absoluteSeconds;
    const next = this.newRefreshToken(familyId, userId, expiresAt);
    const userAgent = sessionUserAgent(facts?.userAgent);
    const ipPrefix = ipPrefixOf(facts?.sourceIp);
    await this.sessions.createFamily(
      {
        familyId,
        userId,
        amr,
        revoked: false,
        expiresAt,
        createdAt: now,
        lastUsedAt: now,
        ...(userAgent ? { userAgent } : {}),
        ...(ipPrefix ? { ipPrefix } : {}),
      },
      next.record,
    );
    return this.tokenPair(userId, amr, next.secret, familyId, expiresAt);
  }

  /**
   * A refresh token lives until the idle timeout from its issue, and never past its family's absolute
   * end: the table's rotation condition (`expiresAt > now`) then enforces both in the same write.
   */
  private newRefreshToken(familyId: string, userId: string, familyExpiresAt: number) {
    const secret = `${REFRESH_TOKEN_PREFIX}${randomSecret(32)}`;
    return {
      secret,
      record: {
        tokenHash: hashSecret(secret),
        familyId,
        userId,
        status: 'active' as const,
        expiresAt: Math.min(this.nowSeconds() + this.settings.idleSeconds, familyExpiresAt),
      },
    };
  }

  /** Not past its absolute end, and used (refreshed or started) within the idle timeout. */
  private isLive(family: RefreshFamily, nowSeconds: number): boolean {
    if (family.expiresAt <= nowSeconds) return false;
    const lastUsed = family.lastUsedAt ?? family.createdAt;
    // A family from before sessions were listed has no times: its token's own expiry is its idle clock.
    if (lastUsed === undefined) return true;
    return Math.floor(Date.parse(lastUsed) / 1000) + this.settings.idleSeconds > nowSeconds;
  }

  /** Live families (`isLive`), oldest first. */
  private async liveFamilies(userId: string): Promise<RefreshFamily[]> {
    const now = this.nowSeconds();
    return (await this.sessions.listLiveFamilies(userId, now)).filter((family) => this.isLive(family, now));
  }

  /** `sid` names the session (refresh family), so that the operator's own session can be told apart. */
  private async tokenPair(userId: string, amr: string[], refreshToken: string, familyId: string, sessionEndsAt: number): Promise<TokenPair> {
    const accessToken = await signAccessToken(await this.signingKeys.signingKey(), {
      issuer: this.settings.issuer,
      audience: OPERATOR_AUDIENCE,
      subject: userId,
      amr,
      claims: { sid: familyId },
      ttlSeconds: this.settings.accessTokenTtlSeconds,
    });
    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: this.settings.accessTokenTtlSeconds, [SESSION_ENDS_AT]: sessionEndsAt };
  }

  private nowSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }
}

/**
 * The `amr` of a session started in two steps (RFC 8176): the first step's methods as the mfaToken
 * recorded them, then the second's. After a password it stays what it always was, `pwd` + `otp` (a
 * TOTP code) or `pwd` + `mfa` (a recovery code, which RFC 8176 has no name for). After anything else
 * (a passkey without user verification: `hwk`, `user`) the methods are kept and `mfa` added, since
 * two factors were shown: `hwk user otp mfa`, or `hwk user mfa` with a recovery code. A token issued
 * before the first step was recorded followed a password.
 */
export function secondStepAmr(firstFactor: readonly string[] | undefined, method: 'otp' | 'recovery_code'): string[] {
  const first = firstFactor && firstFactor.length > 0 ? firstFactor : ['pwd'];
  if (first.length === 1 && first[0] === 'pwd') return ['pwd', method === 'otp' ? 'otp' : 'mfa'];
  return [...new Set([...first, ...(method === 'otp' ? ['otp'] : []), 'mfa'])];
}

/**
 * For the steps whose `amr` already carries the second factor (or whose person cannot have one yet):
 * the gate opens for them, so anything else is a broken invariant and refused, never turned into tokens.
 */
function tokensOnly(result: LoginResult): TokenPair {
  if ('accessToken' in result) return result;
  throw new AuthError('mfa_required', 'A second factor is required; sign in again.');
}

function invalidCredentials(): AuthError {
  return new AuthError('invalid_credentials', 'Email or password is incorrect.');
}

function invalidMfaToken(): AuthError {
  return new AuthError('invalid_mfa_token', 'The MFA token is invalid, expired or already used; sign in again.');
}

const FAILURE_REASONS: Record<Exclude<SecondFactorOutcome, 'ok'>, LoginFailureReason> = {
  invalid: 'mfa_failed',
  replayed: 'mfa_replayed',
  locked: 'mfa_locked',
  not_enrolled: 'mfa_not_enrolled',
};

function mfaOutcomeError(outcome: Exclude<SecondFactorOutcome, 'ok'>): AuthError {
  switch (outcome) {
    case 'replayed':
      return new AuthError('code_already_used', 'This code was already used; wait for the next one.');
    case 'locked':
      return new AuthError('too_many_attempts', 'Too many wrong codes; the factor is locked for 15 minutes.');
    case 'invalid':
    case 'not_enrolled':
      return new AuthError('invalid_code', 'The code is incorrect or has expired.');
  }
}

/** Past the absolute lifetime or the idle timeout: the same answer as a token that ran out. */
function sessionExpired(): AuthError {
  return new AuthError('expired', 'The session has expired; sign in again.');
}

/** A second repeat within the grace: refused, the session goes on from the first repeat's child. */
function alreadyRepeated(): AuthError {
  return new AuthError('refresh_token_reused', 'This refresh token was already used twice; use the newest one.');
}

function invalidRefreshToken(): AuthError {
  return new AuthError('invalid_refresh_token', 'The refresh token is invalid or has been revoked.');
}
