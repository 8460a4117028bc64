/**
 * The token endpoint's rules, with in-memory fakes: PKCE S256, client authentication parsing
 * (RFC 6749 §2.3.1), the order of the exchange (no code is spent by an unauthenticated or incomplete
 * request), expiry, and the RFC 6749 §5.2 error bodies the wrapper gives the OAuth routes.
 */
import { decodeJwt, decodeProtectedHeader, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { AppError, ValidationError } from '#shared/domain/kernel/errors.ts';
import { hashSecret } from '#shared/domain/kernel/secrets.ts';
import { AuthorizationCodes, type AuthorizationCodeStore, type AuthorizationGrant, type StoredAuthorizationCode } from '#shared/domain/oidc/authorization-codes.ts';
import { authenticatesAs, clientAuthenticationOf, parseBasicCredentials } from '#shared/domain/oidc/client-authentication.ts';
import { OAuthError } from '#shared/domain/oidc/oauth-errors.ts';
import { OidcTokens } from '#shared/domain/oidc/oidc-tokens.ts';
import { EndUserTokens } from '#shared/domain/sign-in/end-user-tokens.ts';
import { s256Challenge, verifiesChallenge } from '#shared/domain/oidc/pkce.ts';
import type { OidcReads } from '#shared/domain/oidc/oidc-reads.ts';
import { TokenExchange } from '#shared/domain/oidc/token-exchange.ts';
import { POLICY_DEFAULTS } from '#shared/domain/sign-in/policy.ts';
import type { EndUser, SignInSystem } from '#shared/domain/sign-in/model.ts';
import { oauthErrorResponse } from '#shared/http/oauth-error.ts';
import { FixedClock } from '#test/support/fakes/clock.ts';

const { privateKey: SIGNING_KEY } = await generateKeyPair('ES256');

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** What an OAuth error carries, or an error when `act` did not throw one. */
function oauthErrorOf(act: () => unknown): { code: string; status: number; headers: Record<string, string> } {
  try {
    act();
  } catch (error) {
    if (error instanceof OAuthError) return { code: error.code, status: error.status, headers: error.headers };
    throw error;
  }
  throw new Error('expected an OAuthError');
}

describe('PKCE S256 (RFC 7636)', () => {
  it('matches the RFC 7636 appendix B vector', () => {
    expect(s256Challenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    expect(verifiesChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')).toBe(true);
  });

  it('refuses a wrong verifier, and a verifier outside 43–128 unreserved characters even when it hashes right', () => {
    const good = 'a'.repeat(43);
    expect(verifiesChallenge('b'.repeat(43), s256Challenge(good))).toBe(false);
    for (const bad of ['a'.repeat(42), 'a'.repeat(129), `${'a'.repeat(42)}+`, `${'a'.repeat(42)} `, `${'a'.repeat(42)}é`]) {
      expect(verifiesChallenge(bad, s256Challenge(bad)), bad).toBe(false);
    }
    expect(verifiesChallenge('a'.repeat(128), s256Challenge('a'.repeat(128)))).toBe(true);
    expect(verifiesChallenge(good, '')).toBe(false);
  });
});

describe('client authentication (RFC 6749 §2.3.1)', () => {
  it('reads Basic credentials form-urlencoded inside base64, so ids and secrets may hold ":" and "+"', () => {
    expect(parseBasicCredentials(basic('my%3Aapp', 'se+cr%2Bet%3A'))).toEqual({ clientId: 'my:app', secret: 'se cr+et:' });
    expect(parseBasicCredentials(basic('app', ''))).toEqual({ clientId: 'app', secret: '' });
    expect(parseBasicCredentials(`basic  ${Buffer.from('app:s').toString('base64')}`)).toEqual({ clientId: 'app', secret: 's' });
  });

  it('finds no credentials in a malformed or non-Basic header', () => {
    for (const header of ['Basic', 'Basic !!!', `Basic ${Buffer.from('no-colon').toString('base64')}`, basic('', 's'), basic('%E0%A4%A', 's'), 'Bearer abc', `Digest ${Buffer.from('a:b').toString('base64')}`]) {
      expect(parseBasicCredentials(header), header).toBeUndefined();
    }
  });

  it('tells the three methods apart', () => {
    expect(clientAuthenticationOf(basic('app', 's'), {}, 'realm')).toEqual({ method: 'client_secret_basic', clientId: 'app', secret: 's' });
    expect(clientAuthenticationOf(basic('app', 's'), { client_id: 'app' }, 'realm')).toMatchObject({ method: 'client_secret_basic' });
    expect(clientAuthenticationOf(undefined, { client_id: 'app', client_secret: 's' }, 'realm')).toEqual({ method: 'client_secret_post', clientId: 'app', secret: 's' });
    expect(clientAuthenticationOf(undefined, { client_id: 'app' }, 'realm')).toEqual({ method: 'none', clientId: 'app' });
  });

  it('refuses two methods at once, or a body client_id that contradicts the header, as invalid_request', () => {
    expect(oauthErrorOf(() => clientAuthenticationOf(basic('app', 's'), { client_id: 'app', client_secret: 's' }, 'r'))).toMatchObject({ code: 'invalid_request', status: 400 });
    expect(oauthErrorOf(() => clientAuthenticationOf(basic('app', 's'), { client_id: 'other' }, 'r'))).toMatchObject({ code: 'invalid_request' });
    expect(oauthErrorOf(() => clientAuthenticationOf(undefined, { client_secret: 's' }, 'r'))).toMatchObject({ code: 'invalid_request' });
  });

  it('answers invalid_client 401, with the Basic challenge when the header was used, for a bad header or no client at all', () => {
    const bad = oauthErrorOf(() => clientAuthenticationOf('Bearer x', { client_id: 'app' }, 'https://issuer'));
    expect(bad).toMatchObject({ code: 'invalid_client', status: 401 });
    expect(bad.headers['www-authenticate']).toBe('Basic realm="https://issuer", charset="UTF-8"');
    const none = oauthErrorOf(() => clientAuthenticationOf(undefined, {}, 'r'));
    expect(none).toMatchObject({ code: 'invalid_client', status: 401 });
    expect(none.headers).not.toHaveProperty('www-authenticate');
  });

  it('refuses a client id that is no system name (too long, or characters a name cannot have) before anything is read', () => {
    for (const id of ['a'.repeat(65), 'SYSTEM#x', '-app', 'a b']) {
      expect(oauthErrorOf(() => clientAuthenticationOf(basic(encodeURIComponent(id), 's'), {}, 'r')), id).toMatchObject({ code: 'invalid_client', status: 401 });
      expect(oauthErrorOf(() => clientAuthenticationOf(undefined, { client_id: id }, 'r')), id).toMatchObject({ code: 'invalid_client' });
    }
    expect(clientAuthenticationOf(undefined, { client_id: 'a'.repeat(64) }, 'r')).toMatchObject({ method: 'none' });
  });

  it('authenticates a confidential client by its secret only, and a public client by its name only', () => {
    const confidential = { name: 'app', clientSecretHash: hashSecret('s3cret') };
    const publicClient = { name: 'app', clientSecretHash: null };
    expect(authenticatesAs({ method: 'client_secret_basic', clientId: 'app', secret: 's3cret' }, confidential)).toBe(true);
    expect(authenticatesAs({ method: 'client_secret_post', clientId: 'app', secret: 's3cret' }, confidential)).toBe(true);
    expect(authenticatesAs({ method: 'client_secret_post', clientId: 'app', secret: 's3creT' }, confidential)).toBe(false);
    expect(authenticatesAs({ method: 'none', clientId: 'app' }, confidential)).toBe(false);
    expect(authenticatesAs({ method: 'client_secret_basic', clientId: 'other', secret: 's3cret' }, confidential)).toBe(false);
    expect(authenticatesAs({ method: 'none', clientId: 'app' }, publicClient)).toBe(true);
    expect(authenticatesAs({ method: 'client_secret_post', clientId: 'app', secret: '' }, publicClient)).toBe(false);
  });
});

class MemoryCodes implements AuthorizationCodeStore {
  readonly codes = new Map<string, StoredAuthorizationCode>();
  takes = 0;
  saveCode(codeHash: string, code: StoredAuthorizationCode): Promise<void> {
    this.codes.set(codeHash, code);
    return Promise.resolve();
  }
  takeCode(codeHash: string): Promise<StoredAuthorizationCode | undefined> {
    this.takes++;
    const code = this.codes.get(codeHash);
    this.codes.delete(codeHash);
    return Promise.resolve(code);
  }
}

const VERIFIER = 'v'.repeat(50);
const ORG = 'org_1';
const grantOf = (overrides: Partial<AuthorizationGrant> = {}): AuthorizationGrant => ({
  organizationId: ORG,
  accountId: 'acc_1',
  clientId: 'app',
  redirectUri: 'https://app.example/cb',
  codeChallenge: s256Challenge(VERIFIER),
  scope: ['openid', 'email'],
  nonce: 'n-1',
  userId: 'usr_1',
  email: 'ada@example.com',
  phone: '+33612345678',
  amr: ['sms'],
  authTime: 1_700_000_000,
  ...overrides,
});

function world(options: { secret?: string } = {}) {
  const clock = new FixedClock();
  const store = new MemoryCodes();
  const codes = new AuthorizationCodes(store, clock.now);
  const system = { organizationId: ORG, name: 'app', policy: { ...POLICY_DEFAULTS, factors: ['pin'] }, tokenSigningAlg: 'ES256', clientSecretHash: options.secret ? hashSecret(options.secret) : null } as SignInSystem;
  const user = { id: 'usr_1', organizationId: ORG, email: 'ada@example.com', phone: '+33612345678', status: 'active' } as EndUser;
  const directory: OidcReads = {
    findClient: (org, name) => Promise.resolve({ organization: org === ORG ? { id: org } : undefined, system: org === ORG && name === 'app' ? system : undefined }),
    findSubject: (org, _name, id) => Promise.resolve({ user: org === ORG && id === user.id ? user : undefined, granted: true }),
    findUser: (org, id) => Promise.resolve({ organization: org === ORG ? { id: org } : undefined, user: org === ORG && id === user.id ? user : undefined }),
  };
  const signed: Record<string, unknown>[] = [];
  // The real signer over a key of the test's own: the claims asserted are the ones it signs.
  const signer = new EndUserTokens({ signingKey: () => Promise.resolve({ kid: 'k1', privateKey: SIGNING_KEY }) }, { apiBase: 'https://auth.example' }, clock.now);
  const tokens = new OidcTokens({
    sign: async (claims, options) => {
      const jwt = await signer.sign(claims, options);
      signed.push({ ...decodeJwt(jwt), typ: decodeProtectedHeader(jwt).typ });
      return `jwt.${options.typ}`;
    },
  });
  const exchange = new TokenExchange(directory, codes, tokens, { apiBase: 'https://auth.example' });
  const params = (code: string, overrides: Record<string, string | undefined> = {}) => ({
    grant_type: 'authorization_code',
    code,
    redirect_uri: 'https://app.example/cb',
    code_verifier: VERIFIER,
    client_id: 'app',
    ...overrides,
  });
  return { clock, store, codes, exchange, params, user, signed };
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; status: number; reason: string | undefined }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OAuthError) return { code: error.code, status: error.status, reason: error.reason };
    throw error;
  }
  throw new Error('expected an OAuthError');
}

describe('TokenExchange', () => {
  it('issues both tokens with the documented claims, and the code only once', async () => {
    const { codes, exchange, params, signed } = world();
    const code = await codes.issue(grantOf({ scope: ['openid', 'email', 'phone'] }));
    const tokens = await exchange.exchange(ORG, undefined, params(code));
    expect(tokens).toEqual({ access_token: 'jwt.at+jwt', id_token: 'jwt.JWT', token_type: 'Bearer', expires_in: 3600, scope: 'openid email phone' });
    const [access, id] = signed;
    expect(access).toMatchObject({ iss: `https://auth.example/v2/organizations/${ORG}`, sub: 'usr_1', aud: 'app', client_id: 'app', scope: 'openid email phone', org: ORG, amr: ['sms'] });
    expect(access?.exp).toBe(Number(access?.iat) + 3600);
    expect(id).toMatchObject({ aud: 'app', nonce: 'n-1', auth_time: 1_700_000_000, email: 'ada@example.com', phone_number: '+33612345678', typ: 'JWT' });
    expect(await refusal(exchange.exchange(ORG, undefined, params(code)))).toMatchObject({ code: 'invalid_grant', status: 400 });
  });

  it('leaves phone_number out of the id_token without the phone scope, and nonce when the request had none', async () => {
    const { codes, exchange, params, signed } = world();
    await exchange.exchange(ORG, undefined, params(await codes.issue(grantOf({ nonce: null }))));
    expect(signed[1]).not.toHaveProperty('phone_number');
    expect(signed[1]).not.toHaveProperty('nonce');
  });

  it('spends no code on a request that is unauthenticated, incomplete or of another grant type', async () => {
    const { codes, store, exchange, params } = world({ secret: 's3cret' });
    const code = await codes.issue(grantOf());
    expect(await refusal(exchange.exchange(ORG, undefined, params(code)))).toMatchObject({ code: 'invalid_client', status: 401 });
    expect(await refusal(exchange.exchange(ORG, basic('app', 'wrong'), params(code, { client_id: undefined })))).toMatchObject({ code: 'invalid_client' });
    expect(await refusal(exchange.exchange(ORG, undefined, params(code, { client_id: 'nobody' })))).toMatchObject({ code: 'invalid_client' });
    expect(await refusal(exchange.exchange('org_other', basic('app', 's3cret'), params(code, { client_id: undefined })))).toMatchObject({ code: 'invalid_client' });
    expect(await refusal(exchange.exchange(ORG, basic('app', 's3cret'), params(code, { grant_type: 'refresh_token' })))).toMatchObject({ code: 'unsupported_grant_type' });
    for (const missing of ['grant_type', 'code', 'redirect_uri', 'code_verifier']) {
      expect(await refusal(exchange.exchange(ORG, basic('app', 's3cret'), params(code, { [missing]: undefined }))), missing).toMatchObject({ code: 'invalid_request' });
    }
    expect(store.takes).toBe(0);
    await expect(exchange.exchange(ORG, basic('app', 's3cret'), params(code, { client_id: undefined }))).resolves.toMatchObject({ token_type: 'Bearer' });
  });

  it('refuses, with one answer, a code of another organization or client, another redirect URI or verifier — and spends it', async () => {
    const cases: [Partial<AuthorizationGrant>, Record<string, string>][] = [
      [{ organizationId: 'org_other' }, {}],
      [{ clientId: 'other-app' }, {}],
      [{}, { redirect_uri: 'https://app.example/cb/' }],
      [{}, { code_verifier: 'w'.repeat(50) }],
      [{}, { code_verifier: 'short' }],
    ];
    const descriptions = new Set<string>();
    for (const [grant, overrides] of cases) {
      const { codes, store, exchange, params } = world();
      const code = await codes.issue(grantOf(grant));
      try {
        await exchange.exchange(ORG, undefined, params(code, overrides));
        expect.unreachable();
      } catch (error) {
        expect(error).toMatchObject({ code: 'invalid_grant', status: 400 });
        descriptions.add((error as OAuthError).detail ?? '');
      }
      expect(store.codes.size, JSON.stringify(grant)).toBe(0);
      expect(await refusal(exchange.exchange(ORG, undefined, params(code)))).toMatchObject({ code: 'invalid_grant', reason: 'unknown, spent or expired code' });
    }
    expect(descriptions.size).toBe(1);
  });

  it('refuses an expired code (60 s)', async () => {
    const { clock, codes, exchange, params } = world();
    const code = await codes.issue(grantOf());
    clock.advance(60);
    expect(await refusal(exchange.exchange(ORG, undefined, params(code)))).toMatchObject({ code: 'invalid_grant', reason: 'unknown, spent or expired code' });
  });

  it('refuses a user disabled since the sign-in', async () => {
    const { codes, exchange, params, user } = world();
    const code = await codes.issue(grantOf());
    user.status = 'disabled';
    expect(await refusal(exchange.exchange(ORG, undefined, params(code)))).toMatchObject({ code: 'invalid_grant' });
  });
});

describe('RFC 6749 §5.2 error bodies (errorFormat: oauth)', () => {
  const bodyOf = (error: unknown) => {
    const { result } = oauthErrorResponse(error);
    return { status: result.statusCode, headers: result.headers, body: JSON.parse(String(result.body)) as Record<string, unknown> };
  };

  it("answers the wrapper's own refusals as invalid_request: fields, JSON, a non-form body (400), an oversized one (413)", () => {
    expect(bodyOf(new ValidationError([{ field: 'body.code', message: 'must be a string' }]))).toMatchObject({ status: 400, body: { error: 'invalid_request', error_description: 'body.code: must be a string' } });
    expect(bodyOf(new AppError(415, 'unsupported_media_type', 'Unsupported Media Type', 'Send the body as application/x-www-form-urlencoded.'))).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(bodyOf(new AppError(413, 'payload_too_large', 'Payload Too Large', 'too big'))).toMatchObject({ status: 413, body: { error: 'invalid_request' } });
  });

  it('keeps OAuth errors and their headers; throttling is temporarily_unavailable; the unexpected says nothing', () => {
    const challenge = { 'www-authenticate': 'Basic realm="x"' };
    expect(bodyOf(new OAuthError('invalid_client', 'Client authentication failed.', { headers: challenge, reason: 'secret' }))).toEqual({
      status: 401,
      headers: { 'content-type': 'application/json', pragma: 'no-cache', ...challenge },
      body: { error: 'invalid_client', error_description: 'Client authentication failed.' },
    });
    expect(bodyOf(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))).toMatchObject({ status: 503, headers: { 'retry-after': '1' }, body: { error: 'temporarily_unavailable' } });
    const crash = bodyOf(new Error('connect ECONNREFUSED 10.0.0.1 at /var/task/index.mjs'));
    expect(crash).toMatchObject({ status: 500, body: { error: 'server_error' } });
    expect(JSON.stringify(crash.body)).not.toMatch(/ECONNREFUSED|index\.mjs/);
  });

  it('keeps error_description to the characters RFC 6749 allows (no quote, backslash or non-ASCII)', () => {
    const { body } = bodyOf(new OAuthError('invalid_request', 'the “code” isn’t \\ valid é'));
    expect(body.error_description).toMatch(/^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/);
  });
});
