/**
 * The tokens the token endpoint answers (SPEC §9): an id_token (OpenID Connect Core §2) and an access
 * token that is a JWT (RFC 9068, `typ: at+jwt`), both issued by the organization's issuer for the
 * system (`aud` = `client_id`) and signed with the system's `tokenSigningAlg` by the key ring.
 *
 * The access token carries the same `iss` and `aud` as a §4 sign-in token, so a verifier set up with
 * (issuer, audience, JWKS) serves both; its `typ` keeps it apart where that matters (userinfo takes
 * `at+jwt` only; the operator verifier demands another issuer and audience anyway).
 */
import type { EndUserTokens } from '../sign-in/end-user-tokens.ts';
import type { SignInSystem } from '../sign-in/model.ts';
import type { AuthorizationGrant } from './authorization-codes.ts';

/** `typ` of the access token (RFC 9068 §2.1). */
export const OIDC_ACCESS_TOKEN_TYPE = 'at+jwt';
/** `typ` of the id_token: plain JWT, so it is never taken for an access token. */
export const ID_TOKEN_TYPE = 'JWT';

/**
 * The signer of every token of an organization's issuer (`EndUserTokens.sign`): it asserts `iss`,
 * `org`, `aud`, `sub`, `iat`, `exp` and `jti` itself, with the key of the system's algorithm.
 */
export type OidcSigner = Pick<EndUserTokens, 'sign'>;

export interface OidcTokenSet {
  access_token: string;
  id_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

export class OidcTokens {
  constructor(
    private readonly signer: OidcSigner,
  ) {}

  /**
   * Both tokens of a redeemed grant. They live the system's `policy.tokenTtlSeconds`; the id_token's
   * identity claims are the grant's (what the person proved at sign-in), not re-read.
   */
  async issue(grant: AuthorizationGrant, system: Pick<SignInSystem, 'policy' | 'tokenSigningAlg'>): Promise<OidcTokenSet> {
    const ttlSeconds = system.policy.tokenTtlSeconds;
    const signed = { alg: system.tokenSigningAlg, ttlSeconds, audience: grant.clientId, subject: grant.userId, organizationId: grant.organizationId };
    const common = { auth_time: grant.authTime, amr: grant.amr };
    const scope = grant.scope.join(' ');
    const [accessToken, idToken] = await Promise.all([
      this.signer.sign({ ...common, client_id: grant.clientId, scope }, { ...signed, typ: OIDC_ACCESS_TOKEN_TYPE }),
      this.signer.sign(
        {
          ...common,
          ...(grant.nonce !== null ? { nonce: grant.nonce } : {}),
          email: grant.email,
          ...(grant.scope.includes('phone') ? { phone_number: grant.phone } : {}),
        },
        { ...signed, typ: ID_TOKEN_TYPE },
      ),
    ]);
    return { access_token: accessToken, id_token: idToken, token_type: 'Bearer', expires_in: ttlSeconds, scope };
  }
}
