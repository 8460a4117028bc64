/**
 * Arrange and act helpers for the hosted login tests (SPEC §9): a system registered as an OAuth
 * client through the systems API, and a minimal browser over fetch: a cookie jar, redirects followed
 * by hand, the pages' hidden fields.
 */
import { createHash, randomBytes } from 'node:crypto';
import { expectData, type useLocalApi } from './local-api.ts';
import { signInFixture, type FixtureOptions, type SignInFixture } from './sign-in.ts';

type Api = ReturnType<typeof useLocalApi>;

/** Registers the system's redirect URIs (`PATCH …/systems/{systemName}` as the account's owner). */
export async function registerRedirectUris(api: Api, fixture: Pick<SignInFixture, 'account' | 'orgId' | 'system'>, redirectUris: string[]): Promise<void> {
  const path = { orgId: fixture.orgId, systemName: fixture.system.name };
  expectData(await api.as(fixture.account.owner.accessToken).PATCH('/v2/organizations/{orgId}/systems/{systemName}', { params: { path }, body: { redirectUris } }), 200);
}

export interface HostedFixture extends SignInFixture {
  issuer: string;
  redirectUri: string;
}

/** A sign-in fixture whose system is a client with one redirect URI (nothing listens there: redirects are read, not followed). */
export async function hostedFixture(api: Api, options: FixtureOptions & { redirectUri?: string } = {}): Promise<HostedFixture> {
  const fixture = await signInFixture(api, options);
  const redirectUri = options.redirectUri ?? `http://127.0.0.1:9/cb/${fixture.system.name}`;
  await registerRedirectUris(api, fixture, [redirectUri]);
  return { ...fixture, issuer: `${api.url()}/v2/organizations/${fixture.orgId}`, redirectUri };
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** `{iss}/oauth2/authorize?…` with a good request, then `overrides` (undefined removes a parameter). */
export function authorizeUrl(fixture: HostedFixture, overrides: Record<string, string | undefined> = {}): string {
  const parameters: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: fixture.system.name,
    redirect_uri: fixture.redirectUri,
    scope: 'openid email',
    state: `st-${randomBytes(6).toString('hex')}`,
    nonce: `n-${randomBytes(6).toString('hex')}`,
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
    ...overrides,
  };
  const query = new URLSearchParams(Object.entries(parameters).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return `${fixture.issuer}/oauth2/authorize?${query.toString()}`;
}

export interface PageAnswer {
  status: number;
  location: string | null;
  html: string;
  headers: Headers;
}

/** A browser without JavaScript: keeps cookies (name → value), never follows redirects by itself. */
export class FormBrowser {
  readonly cookies = new Map<string, string>();

  async get(url: string): Promise<PageAnswer> {
    return this.answer(await fetch(url, { redirect: 'manual', headers: this.cookieHeader() }));
  }

  async post(url: string, fields: Record<string, string>): Promise<PageAnswer> {
    return this.answer(
      await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...this.cookieHeader() },
        body: new URLSearchParams(fields).toString(),
      }),
    );
  }

  /** Follows 303s to pages of this API (never to the client's redirect URI): the last answer. */
  async follow(answer: PageAnswer, base: string): Promise<PageAnswer> {
    let current = answer;
    while (current.status === 303 && current.location?.startsWith(base)) current = await this.get(current.location);
    return current;
  }

  private cookieHeader(): Record<string, string> {
    return this.cookies.size ? { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') } : {};
  }

  private async answer(response: Response): Promise<PageAnswer> {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      if (/Max-Age=0/i.test(cookie)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: response.status, location: response.headers.get('location'), html: await response.text(), headers: response.headers };
  }
}

/** The value of a hidden field of a page (the first of that name). */
export function hiddenField(html: string, name: string): string {
  const value = new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
  if (value === undefined) throw new Error(`no hidden field ${name} in the page: ${html.slice(0, 400)}`);
  return value;
}

/** The `login` and `form_token` a page's forms carry. */
export function formOf(html: string): { login: string; form_token: string } {
  return { login: hiddenField(html, 'login'), form_token: hiddenField(html, 'form_token') };
}
