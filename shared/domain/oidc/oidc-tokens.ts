/**
 * The tokens the token endpoint answers (SPEC §9): an id_token (OpenID Connect Core §2) and an access
 * token that is a JWT (RFC 9068, `typ: at+jwt`), both issued by the organization's issuer for the
 * system (`aud` = `client_id`) and signed with the system's `tokenSigningAlg` by the key ring.
 *
 * The access token carries the same `iss` and `aud` as a §4 sign-in token, so a verifier set up with
 * (issuer, audience, JWKS) serves both; its `typ` keeps it apart where that matters (userinfo takes
 * `at+jwt` only; the operator verifier demands another issuer and audience anyway).
 */
import { SignJWT, type JWTPayload } from 'jose';
import { newId } from '../kernel/secrets.ts';
import { organizationIssuer, type SigningKeySource } from '../sign-in/end-user-tokens.ts';
import type { SignInSystem, TokenSigningAlg } from '../sign-in/model.ts';
import type { AuthorizationGrant } from './authorization-codes.ts';

/** `typ` of the access token (RFC 9068 §2.1). */
export const OIDC_ACCESS_TOKEN_TYPE = 'at+jwt';
/** `typ` of the id_token: plain JWT, so it is never taken for an access token. */
export const ID_TOKEN_TYPE = 'JWT';

/** Signs a JWT's claims with the key ring's key of `alg`, the header carrying `alg`, `kid` and `typ`. */
export type SignOidcToken = (claims: JWTPayload, header: { alg: TokenSigningAlg; typ: string }) => Promise<string>;

/**
 * `signOidcToken` over the key ring's ES256 key. Systems set to RS256 are refused (a 500) until the
 * key ring signs RSA: this is the one function to replace by the key ring's signer of both algorithms.
 */
export function keyRingSigner(keys: SigningKeySource): SignOidcToken {
  return async (claims, header) => {
    if (header.alg !== 'ES256') throw new Error(`the key ring has no ${header.alg} signing key`);
    const key = await keys.signingKey();
    return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: header.typ }).sign(key.privateKey);
  };
}

export interface OidcTokenSet {
  access_token: string;
  id_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

export class OidcTokens {
  constructor(
    private readonly sign: SignOidcToken,
    private readonly settings: { apiBase: string },
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Both tokens of a redeemed grant. They live the system's `policy.tokenTtlSeconds`; the id_token's
   * identity claims are the grant's (what the person proved at sign-in), not re-read.
   */
  async issue(grant: AuthorizationGrant, system: Pick<SignInSystem, 'policy' | 'tokenSigningAlg'>): Promise<OidcTokenSet> {
    const iat = Math.floor(this.now().getTime() / 1000);
    const ttl = system.policy.tokenTtlSeconds;
    const common = {
      iss: organizationIssuer(this.settings.apiBase, grant.organizationId),
      sub: grant.userId,
      aud: grant.clientId,
      iat,
      exp: iat + ttl,
      auth_time: grant.authTime,
      amr: grant.amr,
      org: grant.organizationId,
    };
    const scope = grant.scope.join(' ');
    const alg = system.tokenSigningAlg;
    const [accessToken, idToken] = await Promise.all([
      this.sign({ ...common, client_id: grant.clientId, scope, jti: newId('oat') }, { alg, typ: OIDC_ACCESS_TOKEN_TYPE }),
      this.sign(
        {
          ...common,
          ...(grant.nonce !== null ? { nonce: grant.nonce } : {}),
          email: grant.email,
          ...(grant.scope.includes('phone') ? { phone_number: grant.phone } : {}),
        },
        { alg, typ: ID_TOKEN_TYPE },
      ),
    ]);
    return { access_token: accessToken, id_token: idToken, token_type: 'Bearer', expires_in: ttl, scope };
  }
}
