/**
 * The TOTP factor with its recovery codes, shared by operators and end users.
 *
 * Rules (SPEC §6): ±1 step; a code is accepted once — the last accepted time step is stored and the
 * check-and-store is one conditional write, so a replay or a concurrent second use of one code fails;
 * every check spends an attempt of the factor's budget first (totp-attempts.ts).
 */
import { spendThenCompare } from '../kernel/attempt-budget.ts';
import type { AuditContext, AuditEvent } from '../kernel/audit-events.ts';
import { ConflictError } from '../kernel/errors.ts';
import { NO_METRICS, type Metrics } from '../kernel/metrics.ts';
import { METRIC_NAMES } from '../../metrics-names.ts';
import { invalidCode, mfaEvents, outcomeError, subjectOwner, type MfaAuditPort, type MfaSubject, type VerifyOutcome } from './mfa-subject.ts';
import { findRecoveryCodeHash, hashRecoveryCode, newRecoveryCodes } from './recovery-codes.ts';
import { TOTP_LOCK_SECONDS, TotpAttempts, type TotpAttemptStore } from './totp-attempts.ts';
import { groupSecret, matchTotp, newTotpSecret, otpauthUri, type TotpSecretCipher } from './totp.ts';

/** The stored factor. Secrets are sealed (AES-256-GCM); recovery codes are hashes. */
export interface TotpFactorRecord {
  status: 'pending' | 'enabled';
  secret: string | null;
  pendingSecret: string | null;
  /** Bumped by every (re)configuration; accepting a code or a recovery code is conditional on it. */
  version: number;
  lastStep: number;
  /** Epoch seconds; 0 when not locked. */
  lockedUntil: number;
  recoveryCodeHashes: string[];
  enabledAt: string | null;
}

export interface TotpFactorStore extends TotpAttemptStore {
  findTotpFactor(subject: MfaSubject): Promise<TotpFactorRecord | undefined>;
  /** Stores a new pending secret (keeping an enabled one until the new one is confirmed). */
  savePendingSecret(subject: MfaSubject, sealed: string, at: string, events: AuditEvent[]): Promise<void>;
  /** Enables the pending secret if it is still `sealedPending`, with `step` used and new codes; false otherwise. */
  confirmPendingSecret(subject: MfaSubject, sealedPending: string, step: number, codeHashes: string[], at: string, events: AuditEvent[]): Promise<boolean>;
  /**
   * Stores `step` as the last accepted one if it is newer and the factor is at `version`; the
   * failure count restarts (a right code resets it).
   */
  acceptTimeStep(subject: MfaSubject, version: number, step: number, nowSeconds: number): Promise<boolean>;
  /** Removes the hash if still there at `version`; the number of codes left, or undefined when it was not. */
  spendRecoveryCode(subject: MfaSubject, version: number, hash: string, nowSeconds: number): Promise<number | undefined>;
  /** Replaces the set (old codes void) if the factor is still enabled at `version`. */
  replaceRecoveryCodes(subject: MfaSubject, version: number, hashes: string[], events: AuditEvent[]): Promise<boolean>;
  /** False when there was nothing to delete. */
  deleteTotpFactor(subject: MfaSubject, events: AuditEvent[]): Promise<boolean>;
}

export interface MfaSettings {
  /** `issuer` in the otpauth URI (and the app's entry name). */
  issuer: string;
}

/**
 * What a new enrolment shows: the secret and its URI. The QR code of the URI is drawn by the routes
 * that show it (`withQrCode` in totp.ts), so the other functions' bundles carry no QR encoder.
 */
export interface TotpEnrollment {
  secret: string;
  secretGroups: string;
  otpauthUri: string;
}

const noPendingEnrollment = () => new ConflictError('no_pending_enrollment', 'Start an enrolment first (POST …/totp).');

/**
 * One TOTP factor with its recovery codes, for any subject. Writes its audit events itself (with the
 * change, in one transaction, where there is a change).
 */
export class TotpFactors {
  private readonly attempts: TotpAttempts;

  constructor(
    private readonly store: TotpFactorStore,
    private readonly cipher: TotpSecretCipher,
    private readonly audit: MfaAuditPort,
    private readonly settings: MfaSettings,
    private readonly now: () => Date = () => new Date(),
    private readonly metrics: Metrics = NO_METRICS,
  ) {
    this.attempts = new TotpAttempts(store);
  }

  /** A new pending secret; an enabled factor stays in force until the new one is confirmed. */
  async begin(subject: MfaSubject, accountName: string, context: AuditContext): Promise<TotpEnrollment> {
    const secret = newTotpSecret();
    const uri = otpauthUri({ issuer: this.settings.issuer, accountName, secret });
    const now = this.now();
    const events = await mfaEvents(this.audit, subject, context, 'mfa.enrolled', {}, now);
    await this.store.savePendingSecret(subject, await this.cipher.seal(secret, subjectOwner(subject)), now.toISOString(), events);
    return { secret, secretGroups: groupSecret(secret), otpauthUri: uri };
  }

  /** The pending enrolment again (to re-show a page after a wrong code), or undefined. */
  async pending(subject: MfaSubject, accountName: string): Promise<TotpEnrollment | undefined> {
    const factor = await this.store.findTotpFactor(subject);
    if (!factor?.pendingSecret) return undefined;
    const secret = await this.cipher.open(factor.pendingSecret, subjectOwner(subject));
    const uri = otpauthUri({ issuer: this.settings.issuer, accountName, secret });
    return { secret, secretGroups: groupSecret(secret), otpauthUri: uri };
  }

  /** Confirms the pending secret with a code from the app; answers the new recovery codes (shown once). */
  async confirm(subject: MfaSubject, code: string, context: AuditContext): Promise<string[]> {
    const factor = await this.store.findTotpFactor(subject);
    if (!factor?.pendingSecret) throw noPendingEnrollment();
    const nowSeconds = this.nowSeconds();
    if (factor.lockedUntil > nowSeconds) throw outcomeError('locked');
    const pendingSecret = factor.pendingSecret;
    const checked = await spendThenCompare(
      () => this.attempts.take(subject, nowSeconds),
      async () => matchTotp(await this.cipher.open(pendingSecret, subjectOwner(subject)), code, nowSeconds),
    );
    if ('refused' in checked) throw checked.refused === 'missing' ? noPendingEnrollment() : outcomeError('locked');
    const step = checked.verdict;
    if (step === undefined) {
      await this.fail(subject, context);
      throw invalidCode();
    }
    const codes = newRecoveryCodes();
    const now = this.now();
    const events = await mfaEvents(this.audit, subject, context, 'mfa.confirmed', { recoveryCodes: codes.length }, now);
    const confirmed = await this.store.confirmPendingSecret(subject, factor.pendingSecret, step, codes.map(hashRecoveryCode), now.toISOString(), events);
    if (!confirmed) {
      await this.attempts.giveBack(subject);
      throw new ConflictError('enrollment_changed', 'The enrolment changed meanwhile; start again.');
    }
    return codes;
  }

  /** Checks a code and consumes its time step. */
  async verify(subject: MfaSubject, code: string, context: AuditContext): Promise<VerifyOutcome> {
    const factor = await this.store.findTotpFactor(subject);
    if (factor?.status !== 'enabled' || !factor.secret) return 'not_enrolled';
    const nowSeconds = this.nowSeconds();
    if (factor.lockedUntil > nowSeconds) return 'locked';
    const sealed = factor.secret;
    const checked = await spendThenCompare(
      () => this.attempts.take(subject, nowSeconds),
      async () => matchTotp(await this.cipher.open(sealed, subjectOwner(subject)), code, nowSeconds),
    );
    if ('refused' in checked) return checked.refused === 'missing' ? 'not_enrolled' : 'locked';
    const step = checked.verdict;
    if (step === undefined) return this.fail(subject, context);
    if (step > factor.lastStep && (await this.store.acceptTimeStep(subject, factor.version, step, nowSeconds))) return 'ok';
    // A right code that was used already, or by another request between our read and our write: not a failure.
    await this.attempts.giveBack(subject);
    const current = await this.store.findTotpFactor(subject);
    if (current && current.lockedUntil > nowSeconds) return 'locked';
    if (!current || current.version !== factor.version) return 'invalid';
    await this.record(subject, context, 'mfa.replay_rejected', {});
    return 'replayed';
  }

  /** Spends a recovery code (once); the number left is in the audit event and the answer. */
  async useRecoveryCode(subject: MfaSubject, code: string, context: AuditContext): Promise<{ outcome: VerifyOutcome; codesLeft?: number }> {
    const factor = await this.store.findTotpFactor(subject);
    if (factor?.status !== 'enabled') return { outcome: 'not_enrolled' };
    const nowSeconds = this.nowSeconds();
    if (factor.lockedUntil > nowSeconds) return { outcome: 'locked' };
    const checked = await spendThenCompare(
      () => this.attempts.take(subject, nowSeconds),
      () => Promise.resolve(findRecoveryCodeHash(factor.recoveryCodeHashes, code)),
    );
    if ('refused' in checked) return { outcome: checked.refused === 'missing' ? 'not_enrolled' : 'locked' };
    const hash = checked.verdict;
    const codesLeft = hash === undefined ? undefined : await this.store.spendRecoveryCode(subject, factor.version, hash, nowSeconds);
    if (codesLeft === undefined) return { outcome: await this.fail(subject, context) };
    await this.record(subject, context, 'mfa.recovery_code_used', { codesLeft });
    return { outcome: 'ok', codesLeft };
  }

  /** A new set of recovery codes (the old set void), after a current code. */
  async regenerateRecoveryCodes(subject: MfaSubject, code: string, context: AuditContext): Promise<string[]> {
    const outcome = await this.verify(subject, code, context);
    if (outcome !== 'ok') throw outcomeError(outcome);
    const factor = await this.store.findTotpFactor(subject);
    if (!factor) throw outcomeError('not_enrolled');
    const codes = newRecoveryCodes();
    const events = await mfaEvents(this.audit, subject, context, 'mfa.recovery_codes_regenerated', { recoveryCodes: codes.length }, this.now());
    if (!(await this.store.replaceRecoveryCodes(subject, factor.version, codes.map(hashRecoveryCode), events))) {
      throw new ConflictError('enrollment_changed', 'Two-factor authentication changed meanwhile; try again.');
    }
    return codes;
  }

  /** Removes the factor and its codes (`mfa.disabled`, or `mfa.reset` when an administrator does it). */
  async remove(subject: MfaSubject, context: AuditContext, type: 'mfa.disabled' | 'mfa.reset'): Promise<boolean> {
    return this.store.deleteTotpFactor(subject, await mfaEvents(this.audit, subject, context, type, {}, this.now()));
  }

  async status(subject: MfaSubject): Promise<{ totp: boolean; recoveryCodesRemaining: number }> {
    const factor = await this.store.findTotpFactor(subject);
    const enabled = factor?.status === 'enabled';
    return { totp: enabled, recoveryCodesRemaining: enabled ? factor.recoveryCodeHashes.length : 0 };
  }

  async isEnabled(subject: MfaSubject): Promise<boolean> {
    return (await this.store.findTotpFactor(subject))?.status === 'enabled';
  }

  /** A wrong code or recovery code (its attempt stays spent); locks the factor when it was the last of the budget. */
  private async fail(subject: MfaSubject, context: AuditContext): Promise<'invalid'> {
    if (await this.attempts.lockIfExhausted(subject, this.nowSeconds())) {
      this.metrics.count(METRIC_NAMES.lockouts);
      await this.record(subject, context, 'mfa.locked', { lockedForSeconds: TOTP_LOCK_SECONDS });
    }
    return 'invalid';
  }

  private async record(subject: MfaSubject, context: AuditContext, type: string, details: Record<string, unknown>): Promise<void> {
    await this.audit.recordEvents(await mfaEvents(this.audit, subject, context, type, details, this.now()));
  }

  private nowSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }
}
