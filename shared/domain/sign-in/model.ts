/**
 * The sign-in side (SPEC §4 systems, end users, access; §5 policies), as the domain sees it, and the
 * ports between its three parts: the directory (systems, end users, grants), the challenge engine
 * (`POST /v2/user/authenticate`, `POST /v2/system/authenticate/user`) and the end users' second factor
 * (TOTP and recovery codes).
 */

export type Factor = 'pin' | 'passwordless' | 'totp';

export interface PolicyRule {
  /** Every listed condition must match; a condition with several values matches any of them. */
  if: { sensitivity?: string[]; ipCidr?: string[]; resource?: string[] };
  factors: Factor[];
}

export interface Policy {
  factors: Factor[];
  rules: PolicyRule[];
  pin: { length: number; ttlSeconds: number; maxAttempts: number };
  passwordless: { ttlSeconds: number };
  tokenTtlSeconds: number;
}

/** What a sign-in request says about itself; matched against a policy's rules. */
export interface SignInContext {
  ip?: string;
  sensitivity?: string;
  resource?: string;
  userAgent?: string;
  [key: string]: unknown;
}

export interface SignInSystem {
  organizationId: string;
  /** Unique in its organization; systems are addressed by name. */
  name: string;
  policy: Policy;
  /** https URL the magic link points to, with `?token=…`; null when the system uses no links. */
  passwordlessUrl: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface EndUser {
  id: string;
  organizationId: string;
  /** Stored as given; unique per organization case-insensitively. */
  email: string;
  /** E.164. */
  phone: string;
  name: string | null;
  status: 'active' | 'disabled';
  createdAt: string;
  updatedAt: string;
}

export interface AccessGrant {
  organizationId: string;
  systemName: string;
  userId: string;
  createdAt: string;
}

/** Read side of the directory, as the challenge engine needs it. Every read is strongly consistent. */
export interface SignInDirectory {
  findSystem(organizationId: string, systemName: string): Promise<SignInSystem | undefined>;
  /** Case-insensitive on the email. */
  findEndUserByEmail(organizationId: string, email: string): Promise<EndUser | undefined>;
  findEndUser(organizationId: string, userId: string): Promise<EndUser | undefined>;
  hasAccess(organizationId: string, systemName: string, userId: string): Promise<boolean>;
}

/**
 * Outcome of checking an end user's TOTP code or recovery code. `ok` has consumed it (the TOTP time
 * step or the recovery code); `replayed` is a TOTP code already accepted; `locked` after 5 failures in
 * 15 minutes; `not_enrolled` when the user has no confirmed TOTP.
 */
export type SecondFactorOutcome = 'ok' | 'invalid' | 'replayed' | 'locked' | 'not_enrolled';

/** An end user's TOTP factor, as the challenge engine uses it in a factor chain. */
export interface EndUserSecondFactor {
  isEnrolled(organizationId: string, userId: string): Promise<boolean>;
  verifyTotp(organizationId: string, userId: string, code: string): Promise<SecondFactorOutcome>;
  useRecoveryCode(organizationId: string, userId: string, code: string): Promise<SecondFactorOutcome>;
}
