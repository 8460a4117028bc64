/**
 * The sign-in side (SPEC §4 systems, end users, access; §5 policies; §6 challenges), as the domain sees
 * it, and the ports between its parts: the directory (systems, end users, grants), the sign-in
 * services (`POST /v2/user/authenticate`: start-sign-in.ts, `POST /v2/system/authenticate/user`:
 * complete-sign-in.ts) and the end users' second factor (TOTP and recovery codes).
 */

/**
 * `pin` and `passwordless` go by SMS, `email_pin` and `email_link` by e-mail to the user's address
 * (SPEC §8): the same secrets and rules (an e-mailed PIN takes the policy's `pin` settings, an
 * e-mailed link its `passwordless` ones) and the same completion fields (`pin`, `passwordless`).
 */
export type Factor = 'pin' | 'passwordless' | 'totp' | 'email_pin' | 'email_link' | 'passkey';

/**
 * Where a system's end users use passkeys (SPEC §11): the WebAuthn RP ID (a DNS name or `localhost`)
 * and the origins a ceremony may come from, each on the RP ID or a subdomain of it. Required by a
 * policy naming `passkey`.
 */
export interface WebAuthnConfig {
  rpId: string;
  origins: string[];
}

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

/** The JWS algorithms the key ring signs with: one P-256 and one RSA key per generation, both published. */
export const TOKEN_SIGNING_ALGS = ['ES256', 'RS256'] as const;
export type TokenSigningAlg = (typeof TOKEN_SIGNING_ALGS)[number];

export interface SignInSystem {
  organizationId: string;
  /** Unique in its organization; systems are addressed by name. */
  name: string;
  policy: Policy;
  /** https URL the magic link points to, with `?token=…`; null when the system uses no links. */
  passwordlessUrl: string | null;
  /** The system's WebAuthn relying party for end users' passkeys; null when it uses none. */
  webauthn: WebAuthnConfig | null;
  /**
   * As an OAuth 2.0 client of its organization's issuer (SPEC §9, `client_id` = `name`): the redirect
   * URIs `/oauth2/authorize` accepts, compared exactly (https, or http on localhost/127.0.0.1).
   */
  redirectUris: string[];
  /** How its tokens are signed: ES256 (default) or RS256 (API Gateway JWT authorizers accept RSA only). */
  tokenSigningAlg: TokenSigningAlg;
  /** SHA-256 of its client secret (`POST …/systems/{systemName}/secret`, shown once); null for a public client (PKCE only). */
  clientSecretHash: string | null;
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

/**
 * Read side of the directory, one item at a time (end-user TOTP administration, the directory's own
 * services). A sign-in reads none of it this way: its facts come in one batch (sign-in-facts.ts).
 * Every read is strongly consistent.
 */
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

/** An end user's TOTP factor, as a sign-in uses it in a factor chain. */
export interface EndUserSecondFactor {
  isEnrolled(organizationId: string, userId: string): Promise<boolean>;
  verifyTotp(organizationId: string, userId: string, code: string): Promise<SecondFactorOutcome>;
  useRecoveryCode(organizationId: string, userId: string, code: string): Promise<SecondFactorOutcome>;
}

/**
 * What a completed factor is recorded as (recovery codes stand in for TOTP; a passkey used with user
 * verification is `passkeyUserVerified`, which counts as two factors in the `amr`).
 */
export type SatisfiedFactor = Factor | 'recoveryCode' | 'passkeyUserVerified';

/** One sign-in's challenge: its factor chain, the step reached, the secret of that step and its attempts. */
export interface Challenge {
  id: string;
  organizationId: string;
  accountId: string;
  systemName: string;
  /**
   * The end user; for a decoy (no such user, no access, disabled) the subject it stands for: the
   * user's id, or one derived from the email (`decoySubjectId`). Either way the key of its sign-in state.
   */
  userId: string;
  /** A decoy: stored and refused like a real challenge (attempts, window, expiry), never completed. */
  decoy?: true;
  chain: Factor[];
  /** Index in `chain` of the factor to satisfy next. */
  step: number;
  status: 'open' | 'consumed' | 'void';
  /** HMAC-SHA256 of the PIN (keyed, bound to the challenge id) or SHA-256 of the link token; null for TOTP and passkey steps. */
  secretHash: string | null;
  /**
   * The WebAuthn challenge (base64url) of a `passkey` step, as sent in the `publicKey` options: public
   * (the page and the authenticator see it), so stored as is; the verifier needs its value. Absent otherwise.
   */
  passkeyChallenge?: string | null | undefined;
  /** Attempts taken on this challenge, all steps together (taken before a code is checked; a right code gives its own back). */
  attempts: number;
  maxAttempts: number;
  /** Epoch milliseconds: checked on every read (DynamoDB TTL only cleans up). */
  expiresAt: number;
  satisfied: SatisfiedFactor[];
  createdAt: string;
}

/** The sign-in state of one (organization, end user, system). */
export interface SignInState {
  /** The live challenge: any other is void. */
  challengeId: string | null;
  /**
   * The user's attempt window: slot id → epoch ms. A slot is taken with every attempt, before the
   * code is checked, and given back when the code was right; so it holds wrong codes and attempts
   * in flight. Slots older than the window are pruned when it is full.
   */
  window: Record<string, number>;
  version: number;
}
