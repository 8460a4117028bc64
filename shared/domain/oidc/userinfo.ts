/**
 * `GET|POST {iss}/oauth2/userinfo` (OpenID Connect Core §5.3): the claims of the end user an access
 * token of this issuer names. The token is verified here (signature by the key ring's public keys,
 * `iss` = this organization's issuer, `typ` at+jwt, expiry): a token of another organization, an
 * id_token, a §4 sign-in token or an operator token is refused. Every refusal is the same 401
 * `invalid_token` (RFC 6750 §3), whatever the reason, and the user is re-read so that a deleted or
 * disabled one gets nothing.
 */
import { createLocalJWKSet, jwtVerify } from 'jose';
import { organizationIssuer, type VerificationKeySource } from '../sign-in/end-user-tokens.ts';
import { TOKEN_SIGNING_ALGS } from '../sign-in/model.ts';
import { OAuthError, quoted } from './oauth-errors.ts';
import type { OidcReads } from './oidc-reads.ts';
import { OIDC_ACCESS_TOKEN_TYPE } from './oidc-tokens.ts';

export interface UserInfoClaims {
  sub: string;
  email?: string;
  phone_number?: string;
}

export class UserInfo {
  constructor(
    private readonly keys: VerificationKeySource,
    private readonly reads: Pick<OidcReads, 'findUser'>,
    private readonly settings: { apiBase: string },
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** `authorization` is the request's Authorization header, when it sent one. */
  async claimsFor(organizationId: string, authorization: string | undefined): Promise<UserInfoClaims> {
    const issuer = organizationIssuer(this.settings.apiBase, organizationId);
    const realm = `Bearer realm=${quoted(issuer)}`;
    const token = /^Bearer +(\S+) *$/i.exec(authorization?.trim() ?? '')?.[1];
    // RFC 6750 §3.1: a request with no token gets the challenge without an error code.
    if (!token) throw new OAuthError('invalid_token', 'An access token is required.', { headers: { 'www-authenticate': realm }, reason: 'no bearer token' });
    const invalid = (reason: string) =>
      new OAuthError('invalid_token', 'The access token is invalid.', { headers: { 'www-authenticate': `${realm}, error="invalid_token"` }, reason });

    const keys = await this.keys.verificationKeys(); // outside the try: a failed read is a 503, not a bad token
    let payload;
    try {
      ({ payload } = await jwtVerify(token, createLocalJWKSet({ keys }), {
        issuer,
        typ: OIDC_ACCESS_TOKEN_TYPE,
        algorithms: [...TOKEN_SIGNING_ALGS],
        requiredClaims: ['sub', 'exp', 'iat', 'client_id', 'scope'],
        currentDate: this.now(),
      }));
    } catch (error) {
      throw invalid(error instanceof Error ? error.name : 'unverifiable');
    }
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
    if (payload.org !== organizationId || typeof payload.sub !== 'string') throw invalid('claims do not name this organization');
    if (!scopes.includes('openid')) {
      throw new OAuthError('insufficient_scope', 'The access token was not granted the openid scope.', {
        headers: { 'www-authenticate': `${realm}, error="insufficient_scope", scope="openid"` },
      });
    }
    const { organization, user } = await this.reads.findUser(organizationId, payload.sub);
    if (!organization || !user || user.status !== 'active') throw invalid('organization or end user gone or disabled');
    return {
      sub: user.id,
      ...(scopes.includes('email') ? { email: user.email } : {}),
      ...(scopes.includes('phone') ? { phone_number: user.phone } : {}),
    };
  }
}
