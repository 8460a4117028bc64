import { OPERATOR_AUDIENCE, signAccessToken } from './access-tokens.ts';
import { AuthError } from './errors.ts';
import type { TokenSigningKeys } from './keyring.ts';
import type { LoginThrottle } from './login-throttle.ts';
import type { Account, Membership, Operator } from './model.ts';
import { assertAcceptablePassword, hashPassword, verifyAgainstDummy, verifyPassword } from './passwords.ts';
import type { OperatorStore, SessionStore } from './ports.ts';
import { hashSecret, newId, randomSecret } from './secrets.ts';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export interface SessionSettings {
  issuer: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
}

/** Refresh tokens carry a recognisable prefix so secret scanners and support can spot them. */
const REFRESH_TOKEN_PREFIX = 'prt_';

/**
 * Operator sign-up and sessions: password login, refresh-token rotation with reuse detection, logout.
 * Knows nothing of HTTP or DynamoDB; it talks to ports.
 */
export class OperatorSessions {
  constructor(
    private readonly operators: OperatorStore,
    private readonly sessions: SessionStore,
    private readonly throttle: LoginThrottle,
    private readonly signingKeys: TokenSigningKeys,
    private readonly settings: SessionSettings,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Creates the operator, the account and the owner membership at once, then signs the owner in. */
  async signUp(input: { email: string; password: string; accountName: string }) {
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
    const tokens = await this.startSession(operator.id, ['pwd']);
    return { accountId: account.id, userId: operator.id, ...tokens };
  }

  /** Email + password. Every failure, known email or not, is the same 401 after the same work. */
  async logIn(input: { email: string; password: string }): Promise<TokenPair> {
    await this.throttle.reserveAttempt(input.email);
    const operator = await this.operators.findOperatorByEmail(input.email);
    const ok = operator
      ? await verifyPassword(input.password, operator.passwordHash)
      : await verifyAgainstDummy(input.password);
    if (!operator || !ok) throw invalidCredentials();
    await this.throttle.recordSuccess(input.email);
    return this.startSession(operator.id, ['pwd']);
  }

  /**
   * Rotates a refresh token. A token that was already spent means it leaked (or was replayed): the
   * whole family, i.e. every token descended from that login, is revoked (OAuth 2.0 Security BCP 4.14).
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const tokenHash = hashSecret(refreshToken);
    const current = await this.sessions.findRefreshToken(tokenHash);
    if (!current) throw invalidRefreshToken();
    const family = await this.sessions.findFamily(current.familyId);
    if (!family || family.revoked) throw invalidRefreshToken();

    const next = this.newRefreshToken(current.familyId, current.userId);
    const outcome = await this.sessions.rotateRefreshToken(tokenHash, next.record, this.nowSeconds());
    switch (outcome) {
      case 'rotated':
        return this.tokenPair(current.userId, family.amr, next.secret);
      case 'reused':
        await this.sessions.revokeFamily(current.familyId);
        throw new AuthError('refresh_token_reused', 'This refresh token was already used; the session has been revoked.');
      case 'expired':
        throw new AuthError('expired', 'The refresh token has expired.');
      case 'not_found':
      case 'revoked':
        throw invalidRefreshToken();
    }
  }

  /** Revokes the family of the token. Unknown tokens are ignored so the answer reveals nothing. */
  async logOut(refreshToken: string): Promise<void> {
    const current = await this.sessions.findRefreshToken(hashSecret(refreshToken));
    if (current) await this.sessions.revokeFamily(current.familyId);
  }

  /**
   * Signs in an operator whose credential another flow has already checked (an accepted invitation:
   * a new password set, or the existing one verified).
   */
  startSessionFor(userId: string, amr: string[] = ['pwd']): Promise<TokenPair> {
    return this.startSession(userId, amr);
  }

  private async startSession(userId: string, amr: string[]): Promise<TokenPair> {
    const familyId = newId('fam');
    const next = this.newRefreshToken(familyId, userId);
    await this.sessions.createFamily(
      { familyId, userId, amr, revoked: false, expiresAt: next.record.expiresAt },
      next.record,
    );
    return this.tokenPair(userId, amr, next.secret);
  }

  private newRefreshToken(familyId: string, userId: string) {
    const secret = `${REFRESH_TOKEN_PREFIX}${randomSecret(32)}`;
    return {
      secret,
      record: {
        tokenHash: hashSecret(secret),
        familyId,
        userId,
        status: 'active' as const,
        expiresAt: this.nowSeconds() + this.settings.refreshTokenTtlSeconds,
      },
    };
  }

  private async tokenPair(userId: string, amr: string[], refreshToken: string): Promise<TokenPair> {
    const accessToken = await signAccessToken(await this.signingKeys.signingKey(), {
      issuer: this.settings.issuer,
      audience: OPERATOR_AUDIENCE,
      subject: userId,
      amr,
      ttlSeconds: this.settings.accessTokenTtlSeconds,
    });
    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: this.settings.accessTokenTtlSeconds };
  }

  private nowSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }
}

function invalidCredentials(): AuthError {
  return new AuthError('invalid_credentials', 'Email or password is incorrect.');
}

function invalidRefreshToken(): AuthError {
  return new AuthError('invalid_refresh_token', 'The refresh token is invalid or has been revoked.');
}
