/**
 * The hosted login's requests (SPEC §9). Lenient on purpose where OAuth says how to answer: the
 * authorize parameters are checked by the domain, which shows a page for a bad client or redirect
 * URI and redirects the other errors to the client (RFC 6749 §4.1.2.1); only absurd lengths are a 400.
 */
import * as z from './zod.ts';

const text = (max: number) => z.string({ error: 'must be a string' }).check(z.maxLength(max, { error: `must be at most ${max} characters` }));

/** `GET {iss}/oauth2/authorize` (RFC 6749 §4.1.1, RFC 7636 §4.3, OpenID Connect Core §3.1.2.1). */
export const AuthorizeQuery = z.looseObject({
  response_type: z.optional(text(64)),
  client_id: z.optional(text(256)),
  redirect_uri: z.optional(text(2048)),
  scope: z.optional(text(1024)),
  state: z.optional(text(4096)),
  nonce: z.optional(text(4096)),
  code_challenge: z.optional(text(256)),
  code_challenge_method: z.optional(text(64)),
  response_mode: z.optional(text(64)),
  login_hint: z.optional(text(4096)),
});

const LoginId = text(64);

/** `GET {iss}/oauth2/login`: the transaction's page. */
export const LoginPageQuery = z.object({ login: LoginId });

/** `POST {iss}/oauth2/login`: the page's forms (URL-encoded). */
export const LoginFormBody = z.looseObject({
  login: LoginId,
  form_token: z.optional(text(128)),
  email: z.optional(text(320)),
  code: z.optional(text(64)),
  recovery_code: z.optional(text(64)),
  action: z.optional(text(16)),
  /** A passkey step's credential: the JSON of its `toJSON()` (an assertion is about 1 KB; bounded well above). */
  passkey: z.optional(text(16384)),
});

/** `GET {iss}/oauth2/link` and its form's `POST`: the link's transaction and token. */
export const LinkPageQuery = z.object({ login: LoginId, token: text(200) });
export const LinkFormBody = z.looseObject({ login: LoginId, token: text(200) });
