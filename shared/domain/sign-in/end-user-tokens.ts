/**
 * End-user tokens: what a system's backend gets when a sign-in completes. Every organization is its
 * own issuer (SPEC §9): `iss` = `{apiBase}/v2/organizations/{orgId}`, keys at `{iss}/.well-known/jwks.json`
 * (the deployment's keys, also at `GET /v2/.well-known/jwks.json`, shared with operator tokens, which
 * carry another `iss`, `aud` and `typ`). `aud` is the system's name, unique only inside its
 * organization: the issuer is what keeps one tenant's "app" from accepting another tenant's "app" tokens.
 */
import { SignJWT, type CryptoKey, type JWK } from 'jose';
import { NotFoundError } from '../kernel/errors.ts';
import { newId } from '../kernel/secrets.ts';
import { passkeyAmr } from '../passkeys/options.ts';
import type { SatisfiedFactor, TokenSigningAlg } from './model.ts';

/** `typ` of end-user tokens: plain JWT, so an operator verifier (which demands `at+jwt`) never takes one. */
export const END_USER_TOKEN_TYPE = 'JWT';

/** `iss` of an organization's tokens: a URL under the API, where its keys are published too. */
export function organizationIssuer(apiBase: string, organizationId: string): string {
  return `${apiBase}/v2/organizations/${encodeURIComponent(organizationId)}`;
}

export interface EndUserTokenSettings {
  /** The deployment's public URL, no trailing slash (config `apiBase`). */
  apiBase: string;
}

export interface EndUserTokenInput {
  /** The system's name. */
  audience: string;
  /** The end user's id. */
  subject: string;
  /** The issuing organization: `iss` is derived from it, so `iss` and `org` can never disagree. */
  organizationId: string;
  amr: string[];
  ttlSeconds: number;
  /** The system's `tokenSigningAlg`. @default 'ES256' */
  alg?: TokenSigningAlg;
}

/** How `EndUserTokens.sign` signs and what it asserts: the claims a caller may not set itself. */
export interface EndUserSignOptions {
  /** The JWS algorithm: the system's `tokenSigningAlg`. */
  alg: TokenSigningAlg;
  /** The header's `typ`: `JWT` for the §4 token and id_tokens, `at+jwt` for OAuth access tokens (RFC 9068). */
  typ: string;
  ttlSeconds: number;
  /** `aud`: the system's name (its `client_id`). */
  audience: string;
  /** `sub`: the end user's id. */
  subject: string;
  /** The issuing organization: `iss` and `org` both come from it. */
  organizationId: string;
}

/** The claims `sign` sets from its options; a caller's claim of the same name is replaced, never kept. */
const ASSERTED_CLAIMS = ['iss', 'aud', 'sub', 'iat', 'nbf', 'exp', 'jti', 'org'] as const;

/** The key ring as the token signer sees it (`TokenSigningKeys`): the active private key of an algorithm. */
export interface SigningKeySource {
  signingKey(alg?: TokenSigningAlg): Promise<{ kid: string; privateKey: CryptoKey }>;
}

/**
 * Method references of a completed chain: `sms` for a PIN or a link sent by SMS (RFC 8176), `email`
 * for one sent by e-mail (not in RFC 8176's registry, which has no e-mail method; the name is the one
 * other issuers use), `otp` for TOTP or a recovery code, `hwk` + `user` for a passkey (`passkeyAmr`),
 * and `mfa` when at least two different methods were used, or a passkey with user verification (the
 * key and the PIN or biometric that unlocked it: two factors on their own).
 */
const METHODS_OF: Record<SatisfiedFactor, readonly string[]> = {
  pin: ['sms'],
  passwordless: ['sms'],
  email_pin: ['email'],
  email_link: ['email'],
  totp: ['otp'],
  recoveryCode: ['otp'],
  passkey: passkeyAmr(false),
  passkeyUserVerified: passkeyAmr(true),
};

export function amrOf(satisfied: SatisfiedFactor[]): string[] {
  const all = satisfied.flatMap((factor) => METHODS_OF[factor]);
  const methods = [...new Set(all.filter((method) => method !== 'mfa'))];
  const kinds = new Set(satisfied.map((factor) => METHODS_OF[factor][0]));
  return kinds.size >= 2 || all.includes('mfa') ? [...methods, 'mfa'] : methods;
}

/**
 * Signs end-user tokens in-process with the active key of the system's algorithm (ES256 or RS256),
 * each key unwrapped once per process: no KMS call per token.
 */
export class EndUserTokens {
  constructor(
    private readonly keys: SigningKeySource,
    private readonly settings: EndUserTokenSettings,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Starts loading the ES256 signing key (cached by the key source) without waiting; errors surface in `issue`. */
  warmUp(): void {
    this.keys.signingKey().catch(() => undefined);
  }

  /** The token of a completed sign-in (§4 `POST /v2/system/authenticate/user`): `org`, `amr`, `typ: JWT`. */
  issue(input: EndUserTokenInput): Promise<string> {
    const { amr, alg = 'ES256', ...rest } = input;
    return this.sign({ amr }, { ...rest, alg, typ: END_USER_TOKEN_TYPE });
  }

  /**
   * Any token of an organization's issuer (the §4 token, OIDC id_tokens and access tokens): `claims`
   * plus `iss` (the organization's issuer URL), `org`, `aud`, `sub`, `iat`, `exp` (`iat` +
   * `ttlSeconds`) and a fresh `jti`, which the options decide whatever `claims` holds.
   */
  async sign(claims: Record<string, unknown>, options: EndUserSignOptions): Promise<string> {
    const key = await this.keys.signingKey(options.alg);
    const issuedAt = Math.floor(this.now().getTime() / 1000);
    const asserted: ReadonlySet<string> = new Set(ASSERTED_CLAIMS);
    const payload = Object.fromEntries(Object.entries(claims).filter(([name]) => !asserted.has(name)));
    return new SignJWT({ ...payload, org: options.organizationId })
      .setProtectedHeader({ alg: options.alg, kid: key.kid, typ: options.typ })
      .setIssuer(organizationIssuer(this.settings.apiBase, options.organizationId))
      .setAudience(options.audience)
      .setSubject(options.subject)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + options.ttlSeconds)
      .setJti(newId('tok'))
      .sign(key.privateKey);
  }
}

/** The public keys that verify tokens (the key ring's, shared by every issuer of the deployment). */
export interface VerificationKeySource {
  verificationKeys(): Promise<JWK[]>;
}

/** Finds an active organization (a deleted one is as good as missing). */
export interface IssuerDirectory {
  findOrganization(organizationId: string): Promise<{ id: string } | undefined>;
}

/** The JWKS of an organization's issuer, `GET {iss}/.well-known/jwks.json`: public, like any issuer's. */
export class OrganizationIssuerKeys {
  constructor(
    private readonly organizations: IssuerDirectory,
    private readonly keys: VerificationKeySource,
  ) {}

  /** The keys that verify the organization's tokens; NotFoundError for an unknown or deleted one. */
  async keysOf(organizationId: string): Promise<JWK[]> {
    const [organization, keys] = await Promise.all([this.organizations.findOrganization(organizationId), this.keys.verificationKeys()]);
    if (!organization) throw new NotFoundError('Organization');
    return keys;
  }
}
