/**
 * The discovery document of an organization's issuer (OpenID Connect Discovery 1.0): what a relying
 * party (openid-client, an ALB, Grafana, an API Gateway JWT authorizer) reads to find the endpoints
 * and the keys. Everything in it follows from the issuer URL, so it is built, not stored.
 */
import { NotFoundError } from '../kernel/errors.ts';
import { organizationIssuer, type IssuerDirectory } from '../sign-in/end-user-tokens.ts';
import { TOKEN_SIGNING_ALGS } from '../sign-in/model.ts';

/** The scopes the hosted login grants: `openid` always, `email` and `phone` add their claims to userinfo and the id_token. */
export const SUPPORTED_SCOPES = ['openid', 'email', 'phone'] as const;

/** The endpoints of an issuer, by path under it. */
export const issuerEndpoints = (issuer: string) => ({
  authorization: `${issuer}/oauth2/authorize`,
  token: `${issuer}/oauth2/token`,
  userinfo: `${issuer}/oauth2/userinfo`,
  jwks: `${issuer}/.well-known/jwks.json`,
});

export function openIdConfiguration(apiBase: string, organizationId: string) {
  const issuer = organizationIssuer(apiBase, organizationId);
  const endpoints = issuerEndpoints(issuer);
  return {
    issuer,
    authorization_endpoint: endpoints.authorization,
    token_endpoint: endpoints.token,
    userinfo_endpoint: endpoints.userinfo,
    jwks_uri: endpoints.jwks,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...TOKEN_SIGNING_ALGS],
    scopes_supported: [...SUPPORTED_SCOPES],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    code_challenge_methods_supported: ['S256'],
    // RFC 9207: the hosted login's redirects carry `iss`, so a client of several issuers can tell them apart.
    authorization_response_iss_parameter_supported: true,
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'amr', 'org', 'email', 'phone_number'],
  };
}

/** `GET {iss}/.well-known/openid-configuration`: for active organizations only (a deleted one is as good as missing). */
export class IssuerDiscovery {
  constructor(
    private readonly organizations: IssuerDirectory,
    private readonly apiBase: string,
  ) {}

  async configurationOf(organizationId: string): Promise<ReturnType<typeof openIdConfiguration>> {
    if (!(await this.organizations.findOrganization(organizationId))) throw new NotFoundError('Organization');
    return openIdConfiguration(this.apiBase, organizationId);
  }
}
