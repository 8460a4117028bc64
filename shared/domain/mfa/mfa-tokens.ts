/**
 * Short-lived, single-use MFA tokens: the login's second step (`login`), enrolment only when a policy
 * requires 2FA (`enroll`), and the enrolment page's proof that the member typed their password
 * (`enrollment_page`). Only the hash of a token is stored.
 */
import { hashSecret, randomSecret } from '../kernel/secrets.ts';

/** Login's MFA token: long enough to open the app and type a code, short enough to be useless later. */
export const MFA_TOKEN_TTL_SECONDS = 5 * 60;

/** Prefix of login MFA tokens, so the `mfa` credential check can tell them from access tokens. */
export const MFA_TOKEN_PREFIX = 'pmt_';

/** `amr` of the restricted principal an enrolment mfaToken yields: it can do nothing but enrol. */
export const ENROLLMENT_AMR = 'mfa_enrollment';

/**
 * `login`: the second step of a login. `enroll`: enrolment only (requireMfa). `enrollment_page`: the
 * enrolment page's proof that the member typed their password on this link (never a credential of any
 * API route: the `mfa` credential check accepts `enroll` tokens only).
 */
export type MfaTokenPurpose = 'login' | 'enroll' | 'enrollment_page';

export interface MfaTokenRecord {
  tokenHash: string;
  userId: string;
  purpose: MfaTokenPurpose;
  /** Epoch seconds. */
  expiresAt: number;
  /**
   * The `amr` of the step that led here (a password: `pwd`; a passkey without user verification:
   * `hwk`, `user`), so that the session the second step starts says which factors it took. Absent on
   * tokens issued before it was recorded: they followed a password.
   */
  firstFactor?: string[];
}

export interface MfaTokenStore {
  createMfaToken(record: MfaTokenRecord): Promise<void>;
  findMfaToken(tokenHash: string): Promise<MfaTokenRecord | undefined>;
  /** Deletes it if still live; the record, or undefined when it was spent, expired or never existed. */
  consumeMfaToken(tokenHash: string, nowSeconds: number): Promise<MfaTokenRecord | undefined>;
}

/** Issues, finds and spends MFA tokens. */
export class MfaTokens {
  constructor(
    private readonly store: MfaTokenStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A new token of `purpose` for `userId`, live for `MFA_TOKEN_TTL_SECONDS`. */
  async issue(userId: string, purpose: MfaTokenPurpose, firstFactor?: readonly string[]): Promise<string> {
    const token = `${MFA_TOKEN_PREFIX}${randomSecret(32)}`;
    await this.store.createMfaToken({
      tokenHash: hashSecret(token),
      userId,
      purpose,
      expiresAt: this.nowSeconds() + MFA_TOKEN_TTL_SECONDS,
      ...(firstFactor ? { firstFactor: [...firstFactor] } : {}),
    });
    return token;
  }

  /** The live token of this purpose (not consumed), or undefined. */
  async find(token: string, purpose: MfaTokenPurpose): Promise<MfaTokenRecord | undefined> {
    if (!token.startsWith(MFA_TOKEN_PREFIX)) return undefined;
    const record = await this.store.findMfaToken(hashSecret(token));
    return record?.purpose === purpose && record.expiresAt > this.nowSeconds() ? record : undefined;
  }

  /** Spends the token: of two concurrent spends only one gets true. */
  async consume(token: string): Promise<boolean> {
    return (await this.store.consumeMfaToken(hashSecret(token), this.nowSeconds())) !== undefined;
  }

  private nowSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }
}
