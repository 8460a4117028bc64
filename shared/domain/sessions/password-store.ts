/** Port: what the password lifecycle keeps: the operator's password hash, their one live reset link, and the reset-mail limit. */

/** A reset link as stored: the SHA-256 of its token, never the token. */
export interface PasswordResetLink {
  userId: string;
  tokenHash: string;
  /** Epoch seconds. DynamoDB's TTL removes the items later, so expiry is checked on every read. */
  expiresAt: number;
}

export interface PasswordStore {
  /** Replaces the operator's password hash. */
  setPasswordHash(userId: string, passwordHash: string): Promise<void>;
  /** Makes `link` the operator's one live link: a previous one stops working. */
  saveResetLink(link: PasswordResetLink): Promise<void>;
  /** The link a token hash names, only while it is the operator's live one; expired ones too (the caller checks). */
  findResetLink(tokenHash: string): Promise<PasswordResetLink | undefined>;
  /**
   * Spends the operator's live link in one conditional write: true for exactly one caller, and only
   * while it is `tokenHash`'s and not expired at `nowSeconds`.
   */
  consumeResetLink(userId: string, tokenHash: string, nowSeconds: number): Promise<boolean>;
  /** Voids the operator's live link, if any (after a password change). */
  deleteResetLink(userId: string): Promise<void>;
  /**
   * Takes one reset e-mail for the address (`addressHash`) at `nowMs`: false when one was sent in
   * the last `minIntervalMs`, or `maxPerWindow` in the current `windowMs`. One conditional write per try.
   */
  takeResetMail(addressHash: string, nowMs: number, limits: ResetMailLimits): Promise<boolean>;
}

export interface ResetMailLimits {
  minIntervalMs: number;
  windowMs: number;
  maxPerWindow: number;
}
