/**
 * Authorization codes (RFC 6749 §4.1, SPEC §9): what the hosted login hands the relying party's
 * redirect URI once a sign-in's chain is complete, and the token endpoint exchanges for tokens. A
 * code is 256 random bits, stored only as its SHA-256, lives 60 seconds and is spent by one
 * conditional delete: of two concurrent exchanges exactly one gets the grant.
 */
import { hashSecret, randomSecret } from '../kernel/secrets.ts';

/** How long a code may wait for its exchange (RFC 6749 §4.1.2 recommends at most 10 minutes; SPEC §9 says ≤ 60 s). */
export const AUTHORIZATION_CODE_TTL_SECONDS = 60;

/** What a code stands for: everything the token endpoint needs to check the exchange and mint the tokens. */
export interface AuthorizationGrant {
  organizationId: string;
  accountId: string;
  /** The system's name. */
  clientId: string;
  /** Exactly as the authorization request sent it: the exchange must send the same (RFC 6749 §4.1.3). */
  redirectUri: string;
  /** The PKCE S256 challenge: BASE64URL(SHA-256(code_verifier)). */
  codeChallenge: string;
  /** The granted scopes, `openid` first. */
  scope: string[];
  nonce: string | null;
  /** The end user's id (`sub`). */
  userId: string;
  email: string;
  phone: string;
  amr: string[];
  /** Epoch seconds of the sign-in (`auth_time`). */
  authTime: number;
}

export interface StoredAuthorizationCode {
  grant: AuthorizationGrant;
  /** Epoch milliseconds: checked on redeem (DynamoDB TTL only cleans up). */
  expiresAt: number;
}

/** Where codes live (DynamoDB: shared/adapters/authorization-code-repository.ts). */
export interface AuthorizationCodeStore {
  saveCode(codeHash: string, code: StoredAuthorizationCode): Promise<void>;
  /** Deletes the code and answers what it held, or undefined when it is not there (never issued, or already spent). */
  takeCode(codeHash: string): Promise<StoredAuthorizationCode | undefined>;
}

const CODE_PREFIX = 'poc_';

export class AuthorizationCodes {
  constructor(
    private readonly store: AuthorizationCodeStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A new code for the grant; only its hash is stored. */
  async issue(grant: AuthorizationGrant): Promise<string> {
    const code = `${CODE_PREFIX}${randomSecret()}`;
    await this.store.saveCode(hashSecret(code), { grant, expiresAt: this.now().getTime() + AUTHORIZATION_CODE_TTL_SECONDS * 1000 });
    return code;
  }

  /**
   * Spends the code and answers its grant; undefined when it is unknown, spent or expired. The code is
   * spent even when the caller then refuses the exchange (wrong client, redirect URI or verifier):
   * RFC 6749 §4.1.2 says a code is used once, and a guessed verifier must not get a second try.
   */
  async redeem(code: string): Promise<AuthorizationGrant | undefined> {
    if (!code.startsWith(CODE_PREFIX) || code.length > 128) return undefined;
    const taken = await this.store.takeCode(hashSecret(code));
    if (!taken || taken.expiresAt <= this.now().getTime()) return undefined;
    return taken.grant;
  }
}
