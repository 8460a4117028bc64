import type { RefreshFamily, RefreshTokenRecord } from '#shared/domain/kernel/model.ts';
import type { LoginAttempts, LoginThrottleStore } from '#shared/domain/sessions/login-throttle-store.ts';
import type { RepeatOutcome, RotateOutcome, SessionStore } from '#shared/domain/sessions/session-store.ts';
import type { LoginAudit, LoginFacts, LoginFailureReason, LoginSecondFactor } from '#shared/domain/sessions/operator-sessions.ts';
import type { PersonFactors } from '#shared/domain/sessions/session-gate.ts';
import type { SecondFactorOutcome } from '#shared/domain/sign-in/model.ts';

/** Refresh families and tokens; `rotateRefreshToken` decides like the table's transaction does. */
export class MemorySessions implements SessionStore {
  readonly families = new Map<string, RefreshFamily>();
  readonly tokens = new Map<string, RefreshTokenRecord>();

  createFamily(family: RefreshFamily, token: RefreshTokenRecord): Promise<void> {
    this.families.set(family.familyId, { ...family });
    this.tokens.set(token.tokenHash, { ...token });
    return Promise.resolve();
  }

  findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const token = this.tokens.get(tokenHash);
    return Promise.resolve(token && { ...token });
  }

  findFamily(familyId: string): Promise<RefreshFamily | undefined> {
    const family = this.families.get(familyId);
    return Promise.resolve(family && { ...family, amr: [...family.amr] });
  }

  /** One step, as one transaction: still active, unexpired, family live → spent, replaced, family used. */
  rotateRefreshToken(oldTokenHash: string, next: RefreshTokenRecord, nowSeconds: number, usedAt: string): Promise<RotateOutcome> {
    const current = this.tokens.get(oldTokenHash);
    const family = this.families.get(next.familyId);
    const outcome = ((): RotateOutcome => {
      if (family?.revoked !== false) return 'revoked';
      if (family.expiresAt <= nowSeconds) return 'expired';
      if (!current) return 'not_found';
      if (current.status !== 'active') return 'reused';
      if (current.expiresAt <= nowSeconds) return 'expired';
      return 'rotated';
    })();
    if (outcome === 'rotated' && current && family) {
      Object.assign(current, { status: 'used', usedAt: nowSeconds, nextHash: next.tokenHash });
      family.lastUsedAt = usedAt;
      this.tokens.set(next.tokenHash, { ...next });
    }
    return Promise.resolve(outcome);
  }

  /** The grace repeat, as one transaction (shared/adapters/session-repository.ts). */
  repeatRefreshToken(spentHash: string, successorHash: string, next: RefreshTokenRecord, nowSeconds: number, spentAfter: number, usedAt: string): Promise<RepeatOutcome> {
    const spent = this.tokens.get(spentHash);
    const successor = this.tokens.get(successorHash);
    const family = this.families.get(next.familyId);
    const outcome = ((): RepeatOutcome => {
      if (family?.revoked !== false) return 'revoked';
      if (family.expiresAt <= nowSeconds) return 'expired';
      if (!spent) return 'outside_grace';
      if (spent.repeatedAt !== undefined) return 'already_repeated';
      if (spent.status !== 'used' || (spent.usedAt ?? 0) <= spentAfter || spent.nextHash !== successorHash) return 'outside_grace';
      if (successor?.status !== 'active' || successor.expiresAt <= nowSeconds) return 'moved_on';
      return 'repeated';
    })();
    if (outcome === 'repeated' && spent && successor && family) {
      Object.assign(spent, { repeatedAt: nowSeconds, nextHash: next.tokenHash });
      Object.assign(successor, { status: 'superseded', usedAt: nowSeconds });
      family.lastUsedAt = usedAt;
      this.tokens.set(next.tokenHash, { ...next });
    }
    return Promise.resolve(outcome);
  }

  revokeFamily(familyId: string): Promise<void> {
    const family = this.families.get(familyId);
    if (family) family.revoked = true;
    return Promise.resolve();
  }

  listLiveFamilies(userId: string, nowSeconds: number): Promise<RefreshFamily[]> {
    const live = [...this.families.values()].filter((f) => f.userId === userId && !f.revoked && f.expiresAt > nowSeconds && f.createdAt !== undefined);
    return Promise.resolve(live.sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '')).map((f) => ({ ...f, amr: [...f.amr] })));
  }
}

/** Login attempts per email, with the table's conditional append and optimistic replace. */
export class MemoryLoginAttempts implements LoginThrottleStore {
  readonly records = new Map<string, LoginAttempts>();
  readonly locks = new Map<string, number>();

  appendLoginAttempt(email: string, at: number, max: number): Promise<boolean> {
    const record = this.records.get(email) ?? { attempts: [], version: 0 };
    if (record.attempts.length >= max) return Promise.resolve(false);
    this.records.set(email, { attempts: [...record.attempts, at], version: record.version + 1 });
    return Promise.resolve(true);
  }

  findLoginAttempts(email: string): Promise<LoginAttempts | undefined> {
    const record = this.records.get(email);
    return Promise.resolve(record && { attempts: [...record.attempts], version: record.version });
  }

  replaceLoginAttempts(email: string, attempts: number[], expectedVersion: number): Promise<boolean> {
    if ((this.records.get(email)?.version ?? 0) !== expectedVersion) return Promise.resolve(false);
    this.records.set(email, { attempts: [...attempts], version: expectedVersion + 1 });
    return Promise.resolve(true);
  }

  clearLoginAttempts(email: string): Promise<void> {
    this.records.delete(email);
    return Promise.resolve();
  }

  noticeLoginLock(email: string, lockedUntil: number): Promise<boolean> {
    if (this.locks.get(email) === lockedUntil) return Promise.resolve(false);
    this.locks.set(email, lockedUntil);
    return Promise.resolve(true);
  }
}

/**
 * The operator second factor as the sessions see it: who has TOTP (and its one right code), whom a
 * `requireMfa` policy covers, recovery codes, and short-lived mfaTokens that can be spent once.
 */
export class FakeSecondFactor implements LoginSecondFactor {
  private readonly totp = new Map<string, string>();
  private readonly recoveryCodes = new Map<string, Set<string>>();
  private readonly required = new Set<string>();
  readonly mfaTokens = new Map<string, { userId: string; purpose: 'login' | 'enroll'; firstFactor?: string[] }>();
  private issued = 0;

  /** The person has TOTP on; `code` is the one their authenticator shows now. */
  enableTotp(userId: string, code: string, recoveryCodes: string[] = []): void {
    this.totp.set(userId, code);
    this.recoveryCodes.set(userId, new Set(recoveryCodes));
  }

  /** A `requireMfa` policy (account or organization) covers the person. */
  requireFor(userId: string): void {
    this.required.add(userId);
  }

  factorsOf(userId: string): Promise<PersonFactors> {
    return Promise.resolve({ totp: this.totp.has(userId) });
  }

  isRequiredFor(userId: string): Promise<boolean> {
    return Promise.resolve(this.required.has(userId));
  }

  issueMfaToken(userId: string, purpose: 'login' | 'enroll', firstFactor?: readonly string[]): Promise<string> {
    this.issued += 1;
    const token = `mfa-token-${this.issued}`;
    this.mfaTokens.set(token, { userId, purpose, ...(firstFactor ? { firstFactor: [...firstFactor] } : {}) });
    return Promise.resolve(token);
  }

  findMfaToken(token: string, purpose: 'login' | 'enroll'): Promise<{ userId: string; firstFactor?: string[] } | undefined> {
    const record = this.mfaTokens.get(token);
    return Promise.resolve(record?.purpose === purpose ? { userId: record.userId, ...(record.firstFactor ? { firstFactor: record.firstFactor } : {}) } : undefined);
  }

  consumeMfaToken(token: string): Promise<boolean> {
    return Promise.resolve(this.mfaTokens.delete(token));
  }

  verifyLoginProof(userId: string, proof: { code: string } | { recoveryCode: string }): Promise<{ outcome: SecondFactorOutcome; method: 'otp' | 'recovery_code' }> {
    const code = this.totp.get(userId);
    if (code === undefined) return Promise.resolve({ outcome: 'not_enrolled', method: 'code' in proof ? 'otp' : 'recovery_code' });
    if ('code' in proof) return Promise.resolve({ outcome: proof.code === code ? 'ok' : 'invalid', method: 'otp' });
    const spent = this.recoveryCodes.get(userId)?.delete(proof.recoveryCode) ?? false;
    return Promise.resolve({ outcome: spent ? 'ok' : 'invalid', method: 'recovery_code' });
  }
}

/** What the sessions told the audit log, in order. */
export class RecordingLoginAudit implements LoginAudit {
  readonly succeeded: { userId: string; amr: string[] }[] = [];
  readonly failed: { userId: string | undefined; reason: LoginFailureReason }[] = [];

  loginSucceeded(userId: string, amr: string[], _facts: LoginFacts): Promise<void> {
    this.succeeded.push({ userId, amr });
    return Promise.resolve();
  }

  loginFailed(userId: string | undefined, reason: LoginFailureReason, _facts: LoginFacts): Promise<void> {
    this.failed.push({ userId, reason });
    return Promise.resolve();
  }
}
