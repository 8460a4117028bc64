/**
 * A login transaction of the hosted login (SPEC §9): one authorization request, from the browser's
 * first `GET {iss}/oauth2/authorize` to the code it hands the redirect URI. It remembers the
 * request (client, redirect URI, PKCE challenge, scope, state, nonce), where the sign-in stands (the
 * e-mail given, the challenge and its current factor) and whose browser it is: it lives 15 minutes
 * (checked on read; DynamoDB's TTL only cleans up) and is spent by one conditional write, so one
 * transaction yields at most one code.
 *
 * The browser is bound by two secrets, of which only hashes are stored: a cookie secret (HttpOnly,
 * SameSite=Lax, scoped to the issuer's oauth2 path) and a form token derived from it (HMAC of the
 * cookie secret), which every form carries in a hidden field. A POST must show both: the cookie
 * proves the browser, the field proves the page (a cross-site form cannot read it).
 */
import { createHmac } from 'node:crypto';
import { constantTimeEqual, hashSecret, newId, randomSecret } from '../kernel/secrets.ts';
import type { PublicKeyCredentialRequestOptionsJSON } from '../passkeys/options.ts';
import type { Factor } from '../sign-in/model.ts';

/** How long a browser has for the whole sign-in, e-mail to code (a link's TTL is at most this long in practice). */
export const LOGIN_TRANSACTION_TTL_SECONDS = 15 * 60;

/**
 * `email`: the page asks the e-mail. `factor`: a challenge is open at `factor`. `authenticated`: the
 * chain was completed on another device (a link) and the waiting browser has yet to collect the
 * code. `spent`: a code was issued.
 */
export type LoginPhase = 'email' | 'factor' | 'authenticated' | 'spent';

/** What the relying party asked for, as validated by `authorize`. */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  /** `openid` first. */
  scope: string[];
  state: string | null;
  nonce: string | null;
  loginHint: string | null;
}

/** Who signed in, kept when the chain was completed on another device until the waiting browser collects its code. */
export interface SignedIn {
  userId: string;
  email: string;
  phone: string;
  amr: string[];
  authTime: number;
}

export interface LoginTransaction {
  /** `lgn_…`: in the page's URLs and forms; not a secret (the cookie and the form token are). */
  id: string;
  organizationId: string;
  accountId: string;
  /** Shown on every page of the transaction (read once, at the authorization request). */
  organizationName: string;
  request: AuthorizationRequest;
  /** SHA-256 of the cookie secret. */
  browserHash: string;
  /** SHA-256 of the form token. */
  formTokenHash: string;
  phase: LoginPhase;
  email: string | null;
  challengeId: string | null;
  factor: Factor | null;
  deliveredTo: string | null;
  /**
   * A `passkey` step's request options as the engine answered them (the challenge in them is public:
   * the page shows it), so that the step's page renders them again; null at any other step.
   */
  passkeyOptions: PublicKeyCredentialRequestOptionsJSON | null;
  signedIn: SignedIn | null;
  /**
   * Where the e-mail was entered (the browser that waits): the link's confirmation page shows it, so
   * that whoever opens a link they did not ask for can tell it is someone else's sign-in.
   */
  requestedFrom: { ip: string; userAgent: string; at: string } | null;
  /** Epoch milliseconds. */
  expiresAt: number;
  createdAt: string;
}

/** Where transactions live (DynamoDB: shared/adapters/login-transaction-repository.ts). */
export interface LoginTransactionStore {
  createTransaction(transaction: LoginTransaction): Promise<void>;
  /** Strongly consistent. */
  findTransaction(id: string): Promise<LoginTransaction | undefined>;
  /** Writes where the sign-in stands; false when the transaction is gone or already spent. */
  updateTransaction(transaction: LoginTransaction): Promise<boolean>;
  /**
   * Marks it spent with one conditional write and answers what it was, or undefined when it was
   * spent already (or, with `onlyAuthenticated`, is not waiting for its code).
   */
  spendTransaction(id: string, options: { onlyAuthenticated: boolean }): Promise<LoginTransaction | undefined>;
}

/** The form token of a browser secret: derived, so a reload can render it again while only hashes are stored. */
export const formTokenOf = (browserSecret: string, transactionId: string): string =>
  createHmac('sha256', browserSecret).update(`portcullis-login-form:${transactionId}`).digest('base64url');

/** A new transaction and the browser secret its cookie carries (shown once, stored hashed). */
export function newLoginTransaction(
  target: { organizationId: string; accountId: string; organizationName: string; request: AuthorizationRequest },
  now: Date,
): { transaction: LoginTransaction; browserSecret: string } {
  const id = newId('lgn');
  const browserSecret = randomSecret();
  return {
    browserSecret,
    transaction: {
      id,
      ...target,
      browserHash: hashSecret(browserSecret),
      formTokenHash: hashSecret(formTokenOf(browserSecret, id)),
      phase: 'email',
      email: null,
      challengeId: null,
      factor: null,
      deliveredTo: null,
      passkeyOptions: null,
      signedIn: null,
      requestedFrom: null,
      expiresAt: now.getTime() + LOGIN_TRANSACTION_TTL_SECONDS * 1000,
      createdAt: now.toISOString(),
    },
  };
}

/** The cookie holds this browser's secret: constant-time against the stored hash. */
export const holdsBrowser = (transaction: LoginTransaction, browserSecret: string | undefined): boolean =>
  browserSecret !== undefined && browserSecret !== '' && constantTimeEqual(hashSecret(browserSecret), transaction.browserHash);

/** The form shows the page's token: constant-time against the stored hash. */
export const showsFormToken = (transaction: LoginTransaction, formToken: string | undefined): boolean =>
  formToken !== undefined && formToken !== '' && constantTimeEqual(hashSecret(formToken), transaction.formTokenHash);

/** Still usable: of this organization, unexpired, not spent. */
export const isLive = (transaction: LoginTransaction | undefined, organizationId: string, nowMs: number): transaction is LoginTransaction =>
  transaction !== undefined && transaction.organizationId === organizationId && transaction.expiresAt > nowMs && transaction.phase !== 'spent';
