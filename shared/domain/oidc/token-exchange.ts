/**
 * `POST {iss}/oauth2/token` (RFC 6749 §4.1.3, OpenID Connect Core §3.1.3): the relying party's back
 * channel exchanges an authorization code for tokens. In order, each step before anything is spent:
 * the grant type, the client's authentication (an unauthenticated request must not burn codes), the
 * parameters; then the code is redeemed (spent whatever follows: one conditional delete, so of
 * concurrent exchanges one gets the grant) and checked against the request: organization (a code of
 * another tenant's issuer), client, redirect URI, PKCE verifier. Last, the end user must still be
 * active and granted the system: a user disabled or a grant revoked since the sign-in gets no tokens.
 */
import { organizationIssuer } from '../sign-in/end-user-tokens.ts';
import type { AuthorizationGrant } from './authorization-codes.ts';
import { authenticatesAs, clientAuthenticationOf, invalidClient } from './client-authentication.ts';
import { OAuthError } from './oauth-errors.ts';
import type { OidcReads } from './oidc-reads.ts';
import type { OidcTokens, OidcTokenSet } from './oidc-tokens.ts';
import { verifiesChallenge } from './pkce.ts';

/** The token request's parameters (RFC 6749 §4.1.3 and §2.3.1); unknown ones are ignored (§3.2). */
export interface TokenParameters {
  grant_type?: string | undefined;
  code?: string | undefined;
  redirect_uri?: string | undefined;
  code_verifier?: string | undefined;
  client_id?: string | undefined;
  client_secret?: string | undefined;
}

export interface CodeRedeemer {
  redeem(code: string): Promise<AuthorizationGrant | undefined>;
}

/** One answer for every refused code, so that it is no oracle of why. */
const invalidGrant = (reason: string): OAuthError =>
  new OAuthError('invalid_grant', 'The authorization code is invalid, expired, already used, or was issued to another client or redirect URI.', { reason });

export class TokenExchange {
  constructor(
    private readonly reads: Pick<OidcReads, 'findClient' | 'findSubject'>,
    private readonly codes: CodeRedeemer,
    private readonly tokens: OidcTokens,
    private readonly settings: { apiBase: string },
  ) {}

  /** `authorization` is the request's Authorization header, when it sent one. */
  async exchange(organizationId: string, authorization: string | undefined, parameters: TokenParameters): Promise<OidcTokenSet> {
    const realm = organizationIssuer(this.settings.apiBase, organizationId);
    if (!parameters.grant_type) throw new OAuthError('invalid_request', 'grant_type is required.');
    if (parameters.grant_type !== 'authorization_code') throw new OAuthError('unsupported_grant_type', 'Only authorization_code is supported.');
    const client = clientAuthenticationOf(authorization, parameters, realm);
    const { code, redirect_uri: redirectUri, code_verifier: verifier } = parameters;
    if (!code) throw new OAuthError('invalid_request', 'code is required.');
    if (!redirectUri) throw new OAuthError('invalid_request', 'redirect_uri is required.');
    if (!verifier) throw new OAuthError('invalid_request', 'code_verifier is required (PKCE).');

    const { organization, system } = await this.reads.findClient(organizationId, client.clientId);
    const usedHeader = client.method === 'client_secret_basic';
    if (!organization) throw invalidClient(realm, usedHeader, 'unknown or deleted organization');
    if (!system) throw invalidClient(realm, usedHeader, 'unknown client');
    if (!authenticatesAs(client, system)) throw invalidClient(realm, usedHeader, `wrong credentials for ${client.method}`);

    const grant = await this.codes.redeem(code);
    if (!grant) throw invalidGrant('unknown, spent or expired code');
    if (grant.organizationId !== organizationId) throw invalidGrant("another organization's code");
    if (grant.clientId !== system.name) throw invalidGrant("another client's code");
    if (grant.redirectUri !== redirectUri) throw invalidGrant('redirect_uri differs from the authorization request');
    if (!verifiesChallenge(verifier, grant.codeChallenge)) throw invalidGrant('PKCE verifier does not match');

    const { user, granted } = await this.reads.findSubject(organizationId, system.name, grant.userId);
    if (!user || user.status !== 'active') throw invalidGrant('end user deleted or disabled since the sign-in');
    if (!granted) throw invalidGrant('access revoked since the sign-in');
    return this.tokens.issue(grant, system);
  }
}
