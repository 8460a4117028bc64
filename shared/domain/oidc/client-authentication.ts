/**
 * Client authentication at the token endpoint (RFC 6749 §2.3, OpenID Connect Core §9): a system with
 * a client secret authenticates with `client_secret_basic` (HTTP Basic, id and secret each
 * form-urlencoded first: RFC 6749 §2.3.1) or `client_secret_post` (both in the body), exactly one of
 * them; a public client (no secret) names itself with `client_id` (`none`) and proves itself with
 * PKCE. Secrets are stored as their SHA-256 and compared in constant time.
 */
import { verifyClientSecret } from '../directory/systems.ts';
import type { SignInSystem } from '../sign-in/model.ts';
import { OAuthError, quoted } from './oauth-errors.ts';

export type ClientAuthentication =
  | { method: 'client_secret_basic'; clientId: string; secret: string }
  | { method: 'client_secret_post'; clientId: string; secret: string }
  | { method: 'none'; clientId: string };

/** A client id is a system name (`SystemName` in shared/schemas/common.ts): anything else names no client, and is never used in a key. */
const CLIENT_ID = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;

/** The body fields of client authentication. */
export interface ClientCredentialFields {
  client_id?: string | undefined;
  client_secret?: string | undefined;
}

/** The `WWW-Authenticate` challenge of a refused Basic authentication (RFC 6749 §5.2 requires it). */
export const basicChallenge = (realm: string): Record<string, string> => ({ 'www-authenticate': `Basic realm=${quoted(realm)}, charset="UTF-8"` });

/** An `invalid_client` answer: 401, with the Basic challenge when the client used the Authorization header. */
export function invalidClient(realm: string, usedHeader: boolean, reason: string): OAuthError {
  return new OAuthError('invalid_client', 'Client authentication failed.', { headers: usedHeader ? basicChallenge(realm) : {}, reason });
}

/** `application/x-www-form-urlencoded` decoding of one Basic credential half; undefined when malformed. */
function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

/** The id and secret of an `Authorization: Basic` header; undefined when the header is not a well-formed Basic one. */
export function parseBasicCredentials(authorization: string): { clientId: string; secret: string } | undefined {
  const encoded = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(authorization.trim())?.[1];
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const clientId = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  if (!clientId || secret === undefined) return undefined;
  return { clientId, secret };
}

/**
 * How the request authenticates its client, read off the Authorization header and the body. Two
 * methods at once, or a body `client_id` that contradicts the header, is `invalid_request`; a
 * malformed or non-Basic Authorization header, or no client named at all, is `invalid_client`.
 */
export function clientAuthenticationOf(authorization: string | undefined, fields: ClientCredentialFields, realm: string): ClientAuthentication {
  const client = readClientAuthentication(authorization, fields, realm);
  if (!CLIENT_ID.test(client.clientId)) throw invalidClient(realm, client.method === 'client_secret_basic', 'client_id is no system name');
  return client;
}

function readClientAuthentication(authorization: string | undefined, fields: ClientCredentialFields, realm: string): ClientAuthentication {
  if (authorization !== undefined && authorization.trim() !== '') {
    const basic = parseBasicCredentials(authorization);
    if (!basic) throw invalidClient(realm, true, 'malformed or non-Basic Authorization header');
    if (fields.client_secret !== undefined) {
      throw new OAuthError('invalid_request', 'Use one client authentication method: client_secret_basic or client_secret_post, not both.');
    }
    if (fields.client_id !== undefined && fields.client_id !== basic.clientId) {
      throw new OAuthError('invalid_request', 'client_id differs from the client of the Authorization header.');
    }
    return { method: 'client_secret_basic', ...basic };
  }
  if (!fields.client_id) {
    if (fields.client_secret !== undefined) throw new OAuthError('invalid_request', 'client_secret requires client_id.');
    throw invalidClient(realm, false, 'no client_id and no Authorization header');
  }
  if (fields.client_secret !== undefined) return { method: 'client_secret_post', clientId: fields.client_id, secret: fields.client_secret };
  return { method: 'none', clientId: fields.client_id };
}

/**
 * Whether the client authenticates as `system`: with its secret when it has one (basic or post), with
 * `none` when it has none (a public client that sends a secret is refused too: it has none to send).
 */
export function authenticatesAs(client: ClientAuthentication, system: Pick<SignInSystem, 'name' | 'clientSecretHash'>): boolean {
  if (client.clientId !== system.name) return false;
  if (system.clientSecretHash === null) return client.method === 'none';
  return client.method !== 'none' && verifyClientSecret(system, client.secret);
}
