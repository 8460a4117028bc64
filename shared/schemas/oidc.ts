/** OpenID Connect (SPEC §9): the discovery document, the token endpoint's and userinfo's shapes. */
import { described } from './common.ts';
import * as z from './zod.ts';

/** `{iss}/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §3). */
export const OpenIdConfiguration = z.looseObject({
  issuer: z.string(),
  authorization_endpoint: z.string(),
  token_endpoint: z.string(),
  userinfo_endpoint: z.string(),
  jwks_uri: z.string(),
  response_types_supported: z.array(z.string()),
  response_modes_supported: z.array(z.string()),
  grant_types_supported: z.array(z.string()),
  subject_types_supported: z.array(z.string()),
  id_token_signing_alg_values_supported: z.array(z.string()),
  scopes_supported: z.array(z.string()),
  token_endpoint_auth_methods_supported: z.array(z.string()),
  code_challenge_methods_supported: z.array(z.string()),
  claims_supported: z.array(z.string()),
});

/** One OAuth parameter: a string of bounded length (an absent one is the domain's `invalid_request`, naming it). */
const parameter = (max: number, description: string) =>
  described(z.optional(z.string({ error: 'must be a string' }).check(z.maxLength(max, { error: `must be at most ${max} characters` }))), description);

/**
 * `POST {iss}/oauth2/token`, form-encoded (RFC 6749 §4.1.3). Unknown parameters are ignored (§3.2);
 * which are required is the token endpoint's check, so that a missing one is `invalid_request` naming it.
 */
export const TokenRequest = z.looseObject({
  grant_type: parameter(64, '`authorization_code` (the only grant type).'),
  code: parameter(256, 'The code the hosted login put on the redirect URI: single use, 60 seconds.'),
  redirect_uri: parameter(2048, 'Exactly the `redirect_uri` of the authorization request.'),
  code_verifier: parameter(256, 'The PKCE verifier (43–128 characters) whose S256 hash was the `code_challenge`.'),
  client_id: parameter(64, "The system's name: required for a public client (`none`) and with `client_secret_post`; optional with Basic, where it must match."),
  client_secret: parameter(256, '`client_secret_post` only; with `client_secret_basic` the secret goes in the `Authorization: Basic` header instead.'),
});

/** RFC 6749 §5.1 with OpenID Connect Core §3.1.3.3's `id_token`. */
export const TokenResponse = z.object({
  access_token: described(z.string(), 'A JWT (`typ: at+jwt`, RFC 9068): `aud` = `client_id`, `scope`, `client_id`, `org`, `amr`, `exp` after the system’s `policy.tokenTtlSeconds`.'),
  id_token: described(z.string(), 'A JWT (`typ: JWT`): `iss`, `sub`, `aud` = `client_id`, `exp`, `iat`, `auth_time`, `nonce` (when sent), `amr`, `org`, `email`, `phone_number` (scope `phone`).'),
  token_type: z.literal('Bearer'),
  expires_in: z.number().check(z.int()),
  scope: described(z.string(), 'The granted scopes, space-separated (`openid` first).'),
});

/** OpenID Connect Core §5.3.2: `sub` always, `email` with scope `email`, `phone_number` with scope `phone`. */
export const UserInfoResponse = z.object({
  sub: z.string(),
  email: z.optional(z.string()),
  phone_number: z.optional(z.string()),
});
