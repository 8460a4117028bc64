/**
 * Schemas of the sign-in directory (systems, end users, access grants): request validation and,
 * through the manifest, the OpenAPI document.
 */
import { looksLikeInternationalPhone, PHONE_FORMAT_MESSAGE } from '../domain/kernel/phone-format.ts';
import { pageQuery } from '../http/pagination.ts';
import { FACTORS } from '../domain/sign-in/policy.ts';
import { TOKEN_SIGNING_ALGS } from '../domain/sign-in/model.ts';
import { body, EndUserEmail, ResourceId, SystemName, uniqueItems } from './common.ts';
import { PasswordlessUrl, PolicySchema, urlField } from './policy.ts';
import * as z from './zod.ts';

export { EndUserEmail, SystemName } from './common.ts';

/**
 * A mobile number in international form (`+` and the country code; spaces, dashes and brackets are
 * tolerated). The schema checks the shape; the directory then checks it is a valid mobile number by
 * libphonenumber's mobile metadata and stores it as E.164, answering a 400 naming `body.phone` too
 * (shared/domain/kernel/phone-format.ts says why the check is split, phone-numbers.ts why mobile only).
 */
export const Phone = z.pipe(
  z
    .string({ error: 'must be a string' })
    .check(z.maxLength(32, { error: 'must be at most 32 characters' }), z.refine(looksLikeInternationalPhone, { error: PHONE_FORMAT_MESSAGE })),
  z.transform((value: string) => value.trim()),
);

const EndUserName = z
  .string({ error: 'must be a string' })
  .check(z.trim(), z.minLength(1, { error: 'must not be empty' }), z.maxLength(200, { error: 'must be at most 200 characters' }));

const Status = z.enum(['active', 'disabled'], { error: 'must be active or disabled' });

// ---- Systems ---------------------------------------------------------------------------------

export const SystemsParams = z.object({ orgId: ResourceId });
export const SystemParams = z.object({ orgId: ResourceId, systemName: SystemName });

/** How many redirect URIs a system may register. */
export const MAX_REDIRECT_URIS = 10;

/** Hosts on which an `http` redirect URI is allowed: the relying party runs on the user's machine (RFC 8252 §7.3). */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1']);

/** Whether the string holds a space or an ASCII control character (which the URL parser would drop). */
function hasSpaceOrControl(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code <= 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * A redirect URI of an OAuth client (SPEC §9): absolute, https (or http on localhost/127.0.0.1), no
 * fragment (RFC 6749 §3.1.2), no credentials, no white space. Stored and later compared as the exact
 * string given: no normalization, so what the operator registered is what must come back.
 */
export const RedirectUri = urlField((value, url) => {
  // The URL parser drops surrounding white space and tabs/newlines inside: the stored string would not be what is compared.
  if (hasSpaceOrControl(value)) return 'must not contain white space or control characters';
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)))) return 'must be an https URL (http only on localhost or 127.0.0.1)';
  if (value.includes('#')) return 'must have no fragment';
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  return undefined;
});

/** The whole list of a system's redirect URIs (a PATCH replaces it): at most ten, each once. */
export const RedirectUris = z
  .array(RedirectUri, { error: 'must be an array of URLs' })
  .check(z.maxLength(MAX_REDIRECT_URIS, { error: `must have at most ${MAX_REDIRECT_URIS} URIs` }), uniqueItems);

/** The JWS algorithm of the system's tokens: ES256 (default) or RS256 (API Gateway JWT authorizers accept RSA only). */
export const TokenSigningAlgSchema = z.enum(TOKEN_SIGNING_ALGS, { error: 'must be ES256 or RS256' });

/** How many origins a system's `webauthn` may list. */
export const MAX_WEBAUTHN_ORIGINS = 10;

/**
 * A WebAuthn RP ID: a lower-case DNS name (labels of letters, digits and inner hyphens, at least one
 * letter in the last label, so never an IPv4 address; no colon, so never IPv6) or `localhost`.
 * Browsers refuse WebAuthn on IP addresses, and an RP ID is compared byte for byte: lower case only.
 */
const isRpId = (value: string): boolean =>
  /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/.test(value) && !/^[0-9]+$/.test(value.split('.').at(-1) ?? '');

const RpId = z.string({ error: 'must be a string' }).check(
  z.maxLength(253, { error: 'must be at most 253 characters' }),
  z.refine(isRpId, { error: 'must be a lower-case DNS name or localhost (never an IP address)' }),
);

/**
 * An origin of a passkey ceremony: `https://host[:port]` (or `http://localhost[:port]`), exactly as the
 * browser writes it in clientDataJSON (lower case, no default port, no path, query or fragment).
 */
const WebAuthnOrigin = urlField((value, url) => {
  const local = url.protocol === 'http:' && url.hostname === 'localhost';
  if (!(url.protocol === 'https:' || local)) return 'must be an https origin (http only on localhost)';
  if (url.origin !== value) return 'must be an origin exactly as browsers write it: scheme://host[:port], lower case, no path, query or fragment';
  return undefined;
});

/** Whether `host` is the RP ID or a subdomain of it (what browsers allow an origin to claim). */
const onRpId = (host: string, rpId: string): boolean => host === rpId || host.endsWith(`.${rpId}`);

/**
 * A system's WebAuthn relying party (SPEC §11): `rpId` and 1–10 `origins` whose hosts are the RP ID or
 * subdomains of it. Required when the policy names `passkey`; `null` removes it.
 */
export const WebAuthnConfigSchema = z
  .object({
    rpId: RpId,
    origins: z
      .array(WebAuthnOrigin, { error: 'must be an array of origins' })
      .check(
        z.minLength(1, { error: 'must have at least one origin' }),
        z.maxLength(MAX_WEBAUTHN_ORIGINS, { error: `must have at most ${MAX_WEBAUTHN_ORIGINS} origins` }),
        uniqueItems,
      ),
  })
  .check(
    z.superRefine((value: { rpId: string; origins: string[] }, context) => {
      // Against a valid RP ID only: a bad one is reported once, on `rpId`.
      if (typeof value.rpId !== 'string' || !isRpId(value.rpId) || !Array.isArray(value.origins)) return;
      // The object's check runs even when an origin failed its own: those are reported already, and skipped here.
      value.origins.forEach((origin, index) => {
        if (typeof origin !== 'string' || !URL.canParse(origin)) return;
        if (!onRpId(new URL(origin).hostname, value.rpId)) {
          context.addIssue({ code: 'custom', path: ['origins', index], message: 'must be on the rpId or a subdomain of it' });
        }
      });
    }),
  );

export const CreateSystemBody = body({
  name: SystemName,
  policy: PolicySchema,
  /** Required when the policy uses `passwordless`. */
  passwordlessUrl: z.optional(z.nullable(PasswordlessUrl)),
  /** Where `/oauth2/authorize` may send the user back, compared exactly. @default [] */
  redirectUris: z.optional(RedirectUris),
  /** @default 'ES256' */
  tokenSigningAlg: z.optional(TokenSigningAlgSchema),
  /** Required when the policy names `passkey`. @default null */
  webauthn: z.optional(z.nullable(WebAuthnConfigSchema)),
});

/**
 * `policy` replaces the whole policy; `passwordlessUrl: null` removes the URL; `redirectUris` replaces
 * the whole list (`[]` removes them). The name is immutable; the client secret has its own route.
 */
export const UpdateSystemBody = body({
  policy: z.optional(PolicySchema),
  passwordlessUrl: z.optional(z.nullable(PasswordlessUrl)),
  redirectUris: z.optional(RedirectUris),
  tokenSigningAlg: z.optional(TokenSigningAlgSchema),
  /** `null` removes it (refused while the policy names `passkey`). */
  webauthn: z.optional(z.nullable(WebAuthnConfigSchema)),
});

const FactorOut = z.enum(FACTORS);

const int = () => z.number().check(z.int());

export const PolicyResponse = z.object({
  factors: z.array(FactorOut),
  rules: z.array(
    z.object({
      if: z.object({ sensitivity: z.optional(z.array(z.string())), ipCidr: z.optional(z.array(z.string())), resource: z.optional(z.array(z.string())) }),
      factors: z.array(FactorOut),
    }),
  ),
  pin: z.object({ length: int(), ttlSeconds: int(), maxAttempts: int() }),
  passwordless: z.object({ ttlSeconds: int() }),
  tokenTtlSeconds: int(),
});

export const SystemResponse = z.object({
  name: z.string(),
  policy: PolicyResponse,
  passwordlessUrl: z.nullable(z.string()),
  redirectUris: z.array(z.string()),
  tokenSigningAlg: z.enum(TOKEN_SIGNING_ALGS),
  /** The WebAuthn relying party of the system's end users' passkeys, or null. */
  webauthn: z.nullable(z.object({ rpId: z.string(), origins: z.array(z.string()) })),
  /** Whether the system has a client secret (a confidential client); the secret itself is shown once, by `POST …/secret`. */
  hasClientSecret: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** `POST …/systems/{systemName}/secret`: the OAuth client's credentials, the secret shown this once. */
export const ClientSecretResponse = z.object({ clientId: z.string(), clientSecret: z.string() });

export const SystemList = z.object({ items: z.array(SystemResponse), nextCursor: z.nullable(z.string()) });

export const ListSystemsQuery = z.object(pageQuery);

// ---- End users -------------------------------------------------------------------------------

export const EndUsersParams = z.object({ orgId: ResourceId });
export const EndUserParams = z.object({ orgId: ResourceId, userId: ResourceId });

export const CreateEndUserBody = body({
  email: EndUserEmail,
  phone: Phone,
  name: z.optional(z.nullable(EndUserName)),
});

export const UpdateEndUserBody = body({
  email: z.optional(EndUserEmail),
  phone: z.optional(Phone),
  /** `null` clears it. */
  name: z.optional(z.nullable(EndUserName)),
  status: z.optional(Status),
});

export const ListEndUsersQuery = z.object({
  /** Exact, case-insensitive lookup: a list of zero or one user. */
  email: z.optional(EndUserEmail),
  ...pageQuery,
});

export const EndUserResponse = z.object({
  id: z.string(),
  email: z.string(),
  phone: z.string(),
  name: z.nullable(z.string()),
  status: Status,
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const EndUserList = z.object({ items: z.array(EndUserResponse), nextCursor: z.nullable(z.string()) });

// ---- Access grants ---------------------------------------------------------------------------

export const AccessParams = z.object({ orgId: ResourceId, systemName: SystemName, userId: ResourceId });

export const AccessGrantResponse = z.object({ systemName: z.string(), userId: z.string(), createdAt: z.string() });

export const AccessList = z.object({
  items: z.array(z.extend(AccessGrantResponse, { email: z.string() })),
  nextCursor: z.nullable(z.string()),
});

export const ListAccessQuery = z.object(pageQuery);
