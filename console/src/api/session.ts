/**
 * The console's session (SPEC §10). The access token lives in this module's memory only: never in
 * localStorage, sessionStorage, the URL or a log. The refresh token never reaches script at all: every
 * call carries `X-Refresh-Token-Mode: cookie`, so the API puts it in an `HttpOnly; Secure;
 * SameSite=Strict` cookie on `/v2/auth`, and refresh and logout read it from there.
 *
 * Silent refresh: a page load (the token is gone from memory) asks `/v2/auth/refresh` once; a token
 * is renewed a minute before it expires; a call answered 401 is retried once after a refresh. Two
 * callers that need a refresh at once share one request (a refresh token is single use: the second
 * would spend the server's one grace repeat, which is there for what a page cannot share: two page
 * loads at once, docs/sessions.md "Two refreshes at once").
 */
import { createPortcullisClient, type Middleware, type PortcullisClient } from '../../../client/index.ts';

export type SessionState = 'unknown' | 'signed-in' | 'signed-out';

/** What a successful login, MFA step, sign-up or invitation accept answers in cookie mode. */
export interface IssuedTokens {
  accessToken: string;
  expiresIn: number;
}

const REFRESH_MARGIN_SECONDS = 60;

export class ConsoleSession {
  readonly api: PortcullisClient;
  private accessToken: string | undefined;
  private state: SessionState = 'unknown';
  private refreshing: Promise<boolean> | undefined;
  private renewTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<() => void>();
  /** A copy of each request as sent, to retry it after a refresh (its body is spent by then). */
  private readonly sent = new WeakMap<Request, Request>();

  constructor(baseUrl: string) {
    this.api = createPortcullisClient({ baseUrl, headers: { 'x-refresh-token-mode': 'cookie' } });
    this.api.fetchClient.use(this.middleware());
  }

  /** For `useSyncExternalStore`. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getState = (): SessionState => this.state;

  /** Keeps the tokens a sign-in answered (the refresh token is in the cookie already). */
  signedIn(tokens: IssuedTokens): void {
    this.accessToken = tokens.accessToken;
    this.scheduleRenewal(tokens.expiresIn);
    this.setState('signed-in');
  }

  /** On a page load: a refresh with the cookie, if the browser has one. */
  async restore(): Promise<SessionState> {
    if (this.state === 'unknown') await this.refresh();
    return this.state;
  }

  /** Sign out: the API revokes the session and clears the cookie; memory is cleared whatever it answers. */
  async signOut(): Promise<void> {
    try {
      await this.api.POST('/v2/auth/logout', { body: {} });
    } finally {
      this.forget();
    }
  }

  /** Drops the in-memory token (the session ended elsewhere, or sign-out). */
  forget(): void {
    this.accessToken = undefined;
    clearTimeout(this.renewTimer);
    this.setState('signed-out');
  }

  /** One refresh at a time; true when a new access token is in memory. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.api
      .POST('/v2/auth/refresh', { body: {} })
      .then(({ data }) => {
        if (data && 'accessToken' in data) {
          this.signedIn(data);
          return true;
        }
        this.forget();
        return false;
      })
      .catch(() => {
        this.forget();
        return false;
      })
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  private scheduleRenewal(expiresIn: number): void {
    clearTimeout(this.renewTimer);
    const delay = Math.max(5, expiresIn - REFRESH_MARGIN_SECONDS) * 1000;
    this.renewTimer = setTimeout(() => void this.refresh(), delay);
  }

  private setState(state: SessionState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.listeners) listener();
  }

  private middleware(): Middleware {
    return {
      onRequest: ({ request }) => {
        if (this.accessToken && !isAuthPath(request.url)) request.headers.set('authorization', `Bearer ${this.accessToken}`);
        this.sent.set(request, request.clone());
        return request;
      },
      onResponse: async ({ request, response }) => {
        if (response.status !== 401 || isAuthPath(request.url) || this.state !== 'signed-in') return response;
        const copy = this.sent.get(request);
        if (!copy || !(await this.refresh()) || !this.accessToken) return response;
        copy.headers.set('authorization', `Bearer ${this.accessToken}`);
        return fetch(copy);
      },
    };
  }
}

/** `/v2/auth/*` (login, MFA, refresh, logout, password reset) never carries the access token. */
function isAuthPath(url: string): boolean {
  return new URL(url).pathname.startsWith('/v2/auth/');
}

/** The console's one session, against the origin it is served from (`/v2/*` is the same origin). */
export const session = new ConsoleSession(window.location.origin);
export const api = session.api;
