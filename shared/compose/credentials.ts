import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { config } from '../config.ts';
import { mfaTokens } from './mfa.ts';
import { tokenSigningKeys } from './platform.ts';
import { apiKeyVerifier } from './tenancy.ts';
import { OPERATOR_AUDIENCE, verifyAccessToken } from '../domain/sessions/access-tokens.ts';
import { AuthError } from '../domain/kernel/errors.ts';
import { ENROLLMENT_AMR, MFA_TOKEN_PREFIX } from '../domain/mfa/mfa-tokens.ts';
import type { Principal } from '../domain/kernel/principal.ts';

/**
 * Verifies the credential of a `bearer-or-apikey` route in the function itself, with the same code the
 * authorizers run: an `Authorization: Bearer` access token, else an `apikey` header.
 */
export async function principalFromHeaders(event: APIGatewayProxyEventV2): Promise<Principal> {
  const authorization = event.headers.authorization;
  if (authorization) {
    const token = /^Bearer (\S+)$/i.exec(authorization.trim())?.[1] ?? '';
    const verified = await verifyAccessToken(token, await tokenSigningKeys().verificationKeys(['ES256']), {
      issuer: config().tokenIssuer,
      audience: OPERATOR_AUDIENCE,
    });
    if (!verified.valid) {
      throw verified.reason === 'expired'
        ? new AuthError('token_expired', 'The access token has expired.')
        : new AuthError('invalid_token', 'The access token is invalid.');
    }
    return { kind: 'operator', userId: verified.subject, amr: verified.amr, ...(verified.sessionId ? { sessionId: verified.sessionId } : {}) };
  }
  const apikey = event.headers.apikey;
  if (apikey) {
    const principal = await apiKeyVerifier().verify(apikey.trim());
    if (!principal) throw new AuthError('invalid_api_key', 'The API key is invalid or revoked.');
    return principal;
  }
  throw new AuthError('unauthorized', 'Send an `Authorization: Bearer` token or an `apikey` header.');
}

/**
 * The credential of a `public-or-bearer` route: anonymous without an `Authorization` header, else the
 * operator its access token names. A bad token is a 401, never silently anonymous; an mfaToken or an
 * `apikey` does not count.
 */
export async function principalFromOptionalBearer(event: APIGatewayProxyEventV2): Promise<Principal> {
  if (!event.headers.authorization) return { kind: 'anonymous' };
  return principalFromHeaders({ ...event, headers: { authorization: event.headers.authorization } });
}

/**
 * Verifies the credential of an `mfa` route (2FA enrolment): an operator access token, or the
 * enrolment mfaToken login hands out when a policy requires 2FA. The latter yields a principal whose
 * only `amr` is `mfa_enrollment`; no other route accepts it, so it can do nothing but enrol.
 */
export async function principalFromMfaCredential(event: APIGatewayProxyEventV2): Promise<Principal> {
  const token = /^Bearer (\S+)$/i.exec((event.headers.authorization ?? '').trim())?.[1];
  if (!token) throw new AuthError('unauthorized', 'Send an `Authorization: Bearer` access token or enrolment mfaToken.');
  if (token.startsWith(MFA_TOKEN_PREFIX)) {
    const record = await mfaTokens().find(token, 'enroll');
    if (!record) throw new AuthError('invalid_mfa_token', 'The MFA token is invalid, expired or already used; sign in again.');
    return { kind: 'operator', userId: record.userId, amr: [ENROLLMENT_AMR] };
  }
  return principalFromHeaders({ ...event, headers: { authorization: event.headers.authorization } });
}
