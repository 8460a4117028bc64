/**
 * End-user tokens: what a system's backend gets when a sign-in completes. Every organization is its
 * own issuer (SPEC §9): `iss` = `{apiBase}/v2/organizations/{orgId}`, keys at `{iss}/.well-known/jwks.json`
 * (the deployment's keys, also at `GET /v2/.well-known/jwks.json`, shared with operator tokens, which
 * carry another `iss`, `aud` and `typ`). `aud` is the system's name, unique only inside its
 * organization: the issuer is what keeps one tenant's "app" from accepting another tenant's "app" tokens.
 */
import { SignJWT, type JWK } from 'jose';
import { NotFoundError } from '../kernel/errors.ts';
import type { SigningKey } from '../platform/keyring.ts';
import { newId } from '../kernel/secrets.ts';
import type { Factor } from './model.ts';

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
}

export interface SigningKeySource {
  signingKey(): Promise<SigningKey>;
}

/**
 * Method references of a completed chain: `sms` for a PIN or a link sent by SMS (RFC 8176), `email`
 * for one sent by e-mail (not in RFC 8176's registry, which has no e-mail method; the name is the one
 * other issuers use), `otp` for TOTP or a recovery code, and `mfa` when at least two different methods
 * were used.
 */
const METHOD_OF: Record<Factor | 'recoveryCode', string> = { pin: 'sms', passwordless: 'sms', email_pin: 'email', email_link: 'email', totp: 'otp', recoveryCode: 'otp' };

export function amrOf(satisfied: (Factor | 'recoveryCode')[]): string[] {
  const methods = [...new Set(satisfied.map((factor) => METHOD_OF[factor]))];
  return methods.length >= 2 ? [...methods, 'mfa'] : methods;
}

/** Signs ES256 in-process with the active key (unwrapped once per process: no KMS call per token). */
export class EndUserTokens {
  constructor(
    private readonly keys: SigningKeySource,
    private readonly settings: EndUserTokenSettings,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Starts loading the signing key (cached by the key source) without waiting; errors surface in `issue`. */
  warmUp(): void {
    this.keys.signingKey().catch(() => undefined);
  }

  async issue(input: EndUserTokenInput): Promise<string> {
    const key = await this.keys.signingKey();
    const issuedAt = Math.floor(this.now().getTime() / 1000);
    return new SignJWT({ org: input.organizationId, amr: input.amr })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: END_USER_TOKEN_TYPE })
      .setIssuer(organizationIssuer(this.settings.apiBase, input.organizationId))
      .setAudience(input.audience)
      .setSubject(input.subject)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + input.ttlSeconds)
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
