/**
 * The hosted login of an organization (SPEC §9): `GET {iss}/oauth2/authorize` checks the client and
 * its redirect URI, opens a login transaction and binds it to the browser; the pages then ask the
 * e-mail and run the system's policy through the same challenge engine as the API (`StartSignIn`,
 * `CompleteSignIn.completeStep`: same decoys, attempt budgets, SMS limits, audit), as a principal
 * standing for the hosted login of the organization; a completed chain becomes one authorization
 * code, redirected to the client with `state` and `iss` (RFC 9207).
 *
 * A `passkey` step (SPEC §11) keeps the step's request options in the transaction; the page runs the
 * ceremony in the browser and posts the credential's `toJSON()`, which the engine verifies with the
 * hosted login's own origin accepted besides the system's, when the system's RP ID covers its host.
 *
 * Everything here answers a `LoginOutcome` (a screen, a redirect, what to do with the browser's
 * cookie); shared/http/hosted-login-page.ts renders it. No HTTP or HTML here.
 */
import { AppError, AuthError, RateLimitError } from '../kernel/errors.ts';
import type { Organization } from '../kernel/model.ts';
import type { Principal } from '../kernel/principal.ts';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '../passkeys/options.ts';
import { isDeliveredFactor, isEmailFactor } from '../sign-in/challenge-rules.ts';
import type { CompleteInput, CompletedSignIn, CompletedStep } from '../sign-in/complete-sign-in.ts';
import { emailDelivery } from '../sign-in/decoys.ts';
import { organizationIssuer } from '../sign-in/end-user-tokens.ts';
import type { Factor, SignInContext, SignInSystem } from '../sign-in/model.ts';
import type { SignInRequest } from '../sign-in/sign-in-facts.ts';
import type { StartedChallenge, StartInput } from '../sign-in/start-sign-in.ts';
import type { AuthorizationGrant } from './authorization-codes.ts';
import { SUPPORTED_SCOPES } from './discovery.ts';
import {
  formTokenOf,
  holdsBrowser,
  isLive,
  newLoginTransaction,
  showsFormToken,
  type AuthorizationRequest,
  type LoginTransaction,
  type LoginTransactionStore,
  type SignedIn,
} from './login-transactions.ts';

/** The audit log's name for the hosted login (the actor of its sign-ins: `{kind: 'key', id: 'hosted-login'}`). */
export const HOSTED_LOGIN_ACTOR_ID = 'hosted-login';

/** The query of `GET {iss}/oauth2/authorize`, as sent (each parameter checked here, in RFC 6749's order). */
export interface AuthorizeQuery {
  response_type?: string | undefined;
  client_id?: string | undefined;
  redirect_uri?: string | undefined;
  scope?: string | undefined;
  state?: string | undefined;
  nonce?: string | undefined;
  code_challenge?: string | undefined;
  code_challenge_method?: string | undefined;
  response_mode?: string | undefined;
  login_hint?: string | undefined;
}

/** The fields the pages' forms post. */
export interface LoginForm {
  login: string;
  form_token?: string | undefined;
  email?: string | undefined;
  code?: string | undefined;
  recovery_code?: string | undefined;
  /** `restart`: back to the e-mail (a new challenge; the engine's limits apply to it as to any). */
  action?: string | undefined;
  /** A passkey step's credential (`toJSON()` of `navigator.credentials.get()`); null: a field that is no credential. */
  passkey?: AuthenticationResponseJSON | null | undefined;
}

/** Who posts: the browser's cookie secret, and the request's origin for the engine's policy and audit. */
export interface LoginRequest {
  browserSecret: string | undefined;
  requestId: string;
  sourceIp: string;
  userAgent: string;
}

/** Why a page cannot go on; each has its own text. */
export type UnavailableReason = 'unknown_organization' | 'unknown_client' | 'bad_redirect_uri' | 'expired' | 'other_browser';

/** Why a form is shown again. */
export type FormError = 'invalid_email' | 'wrong_code' | 'rate_limited' | 'start_again';

/** What the page shows the organization as, and where its forms may lead (the client's redirect origin). */
export interface Frame {
  organizationName: string;
  clientId: string;
  redirectUri: string;
}

export type LoginScreen =
  | { kind: 'email'; loginId: string; formToken: string; email: string; error?: FormError }
  | { kind: 'code'; loginId: string; formToken: string; factor: Factor; deliveredTo: string | null; error?: FormError }
  | { kind: 'wait'; loginId: string; formToken: string; factor: Factor; deliveredTo: string | null }
  /** `options` null: the system's passkeys cannot be used at this page's host (its RP ID does not cover it). */
  | { kind: 'passkey'; loginId: string; formToken: string; options: PublicKeyCredentialRequestOptionsJSON | null; error?: FormError }
  | { kind: 'confirm_link'; loginId: string; token: string; requestedFrom: LoginTransaction['requestedFrom'] }
  | { kind: 'link_done' }
  | { kind: 'link_invalid' }
  | { kind: 'unavailable'; reason: UnavailableReason };

/** What the browser's cookie of a transaction becomes. */
export type BrowserBinding = { set: { loginId: string; secret: string } } | { clear: { loginId: string } };

export type LoginOutcome =
  | { kind: 'screen'; status: number; screen: LoginScreen; frame: Frame | null; browser?: BrowserBinding }
  | { kind: 'redirect'; location: string; frame: Frame | null; browser?: BrowserBinding };

export interface HostedLoginDependencies {
  organizations: { findOrganization(orgId: string): Promise<Organization | undefined> };
  systems: { findSystem(orgId: string, systemName: string): Promise<SignInSystem | undefined> };
  transactions: LoginTransactionStore;
  signIn: {
    start(request: SignInRequest, input: StartInput): Promise<StartedChallenge>;
    completeStep(request: SignInRequest, input: CompleteInput): Promise<CompletedStep>;
  };
  codes: { issue(grant: AuthorizationGrant): Promise<string> };
  apiBase: string;
  now?: () => Date;
}

/** RFC 7636 §4.2: S256 challenges are BASE64URL(SHA-256) without padding, 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** What the page accepts as an e-mail before the engine sees it (the API's schema is stricter; the engine treats any string alike). */
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,253}$/;
const MAX_PARAMETER_LENGTH = 2048;

const isLinkFactor = (factor: Factor | null): boolean => factor === 'passwordless' || factor === 'email_link';

export class HostedLogin {
  private readonly now: () => Date;

  constructor(private readonly deps: HostedLoginDependencies) {
    this.now = deps.now ?? (() => new Date());
  }

  /**
   * `GET {iss}/oauth2/authorize`. The client and its redirect URI first: either wrong shows a page
   * and never redirects (RFC 6749 §4.1.2.1), else an open redirector. Then the request's own errors
   * go back to the client; a good request opens a transaction and sends the browser to its page.
   */
  async authorize(orgId: string, query: AuthorizeQuery): Promise<LoginOutcome> {
    const organization = await this.deps.organizations.findOrganization(orgId);
    if (!organization) return unavailable(404, 'unknown_organization', null);
    const clientId = query.client_id ?? '';
    const system = clientId === '' || clientId.length > 128 ? undefined : await this.deps.systems.findSystem(orgId, clientId);
    if (!system) return unavailable(400, 'unknown_client', null);
    const redirectUri = query.redirect_uri ?? '';
    if (!system.redirectUris.includes(redirectUri)) return unavailable(400, 'bad_redirect_uri', null);

    const frame: Frame = { organizationName: organization.name, clientId, redirectUri };
    const issuer = organizationIssuer(this.deps.apiBase, orgId);
    const state = query.state ?? null;
    const refuse = (error: string, description: string): LoginOutcome => ({
      kind: 'redirect',
      location: withParameters(redirectUri, { error, error_description: description, ...(state !== null ? { state } : {}), iss: issuer }),
      frame,
    });
    if (query.response_type === undefined) return refuse('invalid_request', 'response_type is required.');
    if (query.response_type !== 'code') return refuse('unsupported_response_type', 'Only response_type=code is supported.');
    if (query.response_mode !== undefined && query.response_mode !== 'query') return refuse('invalid_request', 'Only response_mode=query is supported.');
    if (query.code_challenge === undefined) return refuse('invalid_request', 'PKCE is required: send code_challenge and code_challenge_method=S256.');
    if (query.code_challenge_method !== 'S256') return refuse('invalid_request', 'code_challenge_method must be S256 (plain is not accepted).');
    if (!S256_CHALLENGE.test(query.code_challenge)) return refuse('invalid_request', 'code_challenge must be 43 base64url characters (S256).');
    const requested = (query.scope ?? '').split(' ').filter((scope) => scope !== '');
    if (!requested.includes('openid')) return refuse('invalid_scope', 'The scope must include openid.');
    for (const value of [state, query.nonce, query.login_hint]) {
      if (value && value.length > MAX_PARAMETER_LENGTH) return refuse('invalid_request', `state, nonce and login_hint are at most ${MAX_PARAMETER_LENGTH} characters.`);
    }
    // OpenID Connect Core §3.1.2.1: scope values not understood are ignored.
    const scope = SUPPORTED_SCOPES.filter((supported) => requested.includes(supported));

    const request: AuthorizationRequest = {
      clientId,
      redirectUri,
      codeChallenge: query.code_challenge,
      scope,
      state,
      nonce: query.nonce ?? null,
      loginHint: query.login_hint ?? null,
    };
    const { transaction, browserSecret } = newLoginTransaction(
      { organizationId: orgId, accountId: organization.accountId, organizationName: organization.name, request },
      this.now(),
    );
    await this.deps.transactions.createTransaction(transaction);
    return { kind: 'redirect', location: this.pageOf(transaction), frame, browser: { set: { loginId: transaction.id, secret: browserSecret } } };
  }

  /**
   * `GET {iss}/oauth2/login?login=…`: the transaction's current page, for the browser that holds it
   * (the waiting page reloads this). A chain completed on another device is collected here.
   */
  async view(orgId: string, loginId: string, request: LoginRequest): Promise<LoginOutcome> {
    const transaction = await this.bound(orgId, loginId, request.browserSecret);
    if ('kind' in transaction) return transaction;
    if (transaction.phase === 'authenticated') return this.finish(transaction, null);
    return this.current(transaction, request.browserSecret ?? '');
  }

  /** `POST {iss}/oauth2/login`: the e-mail, a code, a recovery code, or starting again. */
  async submit(orgId: string, form: LoginForm, request: LoginRequest): Promise<LoginOutcome> {
    const transaction = await this.bound(orgId, form.login, request.browserSecret);
    if ('kind' in transaction) return transaction;
    // The cookie proves the browser; the form token proves the page (a cross-site form cannot read it).
    if (!showsFormToken(transaction, form.form_token)) return unavailable(403, 'other_browser', frameOf(transaction));
    const secret = request.browserSecret ?? '';
    if (form.action === 'restart') return this.restart(transaction, secret);
    switch (transaction.phase) {
      case 'email':
        return this.enterEmail(transaction, form.email, request);
      case 'factor':
        return this.enterCode(transaction, form, request);
      default:
        return this.finish(transaction, null);
    }
  }

  /** `GET {iss}/oauth2/link?login=…&token=…`: a button to confirm; it writes nothing (mail scanners open links). */
  async showLink(orgId: string, loginId: string, token: string): Promise<LoginOutcome> {
    const transaction = await this.deps.transactions.findTransaction(loginId);
    if (!isLive(transaction, orgId, this.now().getTime()) || transaction.phase !== 'factor' || !isLinkFactor(transaction.factor) || token === '') {
      return { kind: 'screen', status: 404, screen: { kind: 'link_invalid' }, frame: transaction?.organizationId === orgId ? frameOf(transaction) : null };
    }
    return { kind: 'screen', status: 200, screen: { kind: 'confirm_link', loginId, token, requestedFrom: transaction.requestedFrom }, frame: frameOf(transaction) };
  }

  /**
   * `POST {iss}/oauth2/link`: completes the link's step with its token, on whichever device opened it.
   * The browser that waits continues on its next reload; when this is that browser, it goes on now.
   */
  async confirmLink(orgId: string, form: { login: string; token: string }, request: LoginRequest): Promise<LoginOutcome> {
    const transaction = await this.deps.transactions.findTransaction(form.login);
    if (!isLive(transaction, orgId, this.now().getTime()) || transaction.phase !== 'factor' || !isLinkFactor(transaction.factor)) {
      return { kind: 'screen', status: 404, screen: { kind: 'link_invalid' }, frame: null };
    }
    const frame = frameOf(transaction);
    const here = holdsBrowser(transaction, request.browserSecret);
    let step: CompletedStep;
    try {
      step = await this.deps.signIn.completeStep(this.signInRequest(transaction, request), {
        ...this.completeInputOf(transaction),
        passwordless: form.token,
      });
    } catch (error) {
      const refused = refusalOf(error);
      if (refused === undefined) throw error;
      if (refused === 'gone') return unavailable(404, 'unknown_client', frame);
      if (refused === 'start_again') await this.deps.transactions.updateTransaction(reset(transaction));
      return { kind: 'screen', status: refused === 'rate_limited' ? 429 : 400, screen: { kind: 'link_invalid' }, frame };
    }
    if (step.authenticated) {
      if (here) return this.finish(transaction, signedInOf(step.signIn));
      await this.deps.transactions.updateTransaction({ ...transaction, phase: 'authenticated', signedIn: signedInOf(step.signIn) });
      return { kind: 'screen', status: 200, screen: { kind: 'link_done' }, frame };
    }
    await this.deps.transactions.updateTransaction(advanced(transaction, step.remaining[0] ?? 'pin', step.publicKey));
    if (here) return { kind: 'redirect', location: this.pageOf(transaction), frame };
    return { kind: 'screen', status: 200, screen: { kind: 'link_done' }, frame };
  }

  /** The live transaction of this organization held by this browser, or the page saying why not. */
  private async bound(orgId: string, loginId: string, browserSecret: string | undefined): Promise<LoginTransaction | Extract<LoginOutcome, { kind: 'screen' }>> {
    const transaction = await this.deps.transactions.findTransaction(loginId);
    if (!isLive(transaction, orgId, this.now().getTime())) return unavailable(410, 'expired', null, loginId);
    if (!holdsBrowser(transaction, browserSecret)) return unavailable(403, 'other_browser', frameOf(transaction));
    return transaction;
  }

  private async enterEmail(transaction: LoginTransaction, given: string | undefined, request: LoginRequest): Promise<LoginOutcome> {
    const email = (given ?? '').trim();
    const secret = request.browserSecret ?? '';
    if (!EMAIL.test(email)) return this.current(transaction, secret, { error: 'invalid_email', status: 400, email });
    let started: StartedChallenge;
    try {
      started = await this.deps.signIn.start(this.signInRequest(transaction, request), {
        email,
        system: transaction.request.clientId,
        organization: transaction.organizationId,
        context: contextOf(request),
        linkUrl: this.linkUrlOf(transaction),
      });
    } catch (error) {
      const refused = refusalOf(error);
      if (refused === 'rate_limited') return this.current(transaction, secret, { error: 'rate_limited', status: 429, email });
      if (refused === 'gone') return unavailable(404, 'unknown_client', frameOf(transaction));
      throw error;
    }
    const next: LoginTransaction = {
      ...transaction,
      phase: 'factor',
      email,
      challengeId: started.challengeId,
      factor: started.method,
      deliveredTo: started.deliveredTo,
      passkeyOptions: started.publicKey ?? null,
      requestedFrom: { ip: request.sourceIp, userAgent: request.userAgent.slice(0, 200), at: this.now().toISOString() },
    };
    if (!(await this.deps.transactions.updateTransaction(next))) return unavailable(410, 'expired', frameOf(transaction));
    return { kind: 'redirect', location: this.pageOf(transaction), frame: frameOf(transaction) };
  }

  private async enterCode(transaction: LoginTransaction, form: LoginForm, request: LoginRequest): Promise<LoginOutcome> {
    const secret = request.browserSecret ?? '';
    // The waiting page has no code to send: it stays until the link is opened.
    if (isLinkFactor(transaction.factor)) return this.current(transaction, secret);
    if (transaction.factor === 'passkey') return this.enterPasskey(transaction, form, request);
    const code = (form.code ?? '').replace(/\s/g, '');
    const recoveryCode = (form.recovery_code ?? '').trim();
    // A TOTP step takes a recovery code instead; a PIN (SMS or e-mail) comes back in `pin`.
    const credential: Pick<CompleteInput, 'pin' | 'totp' | 'recoveryCode'> =
      transaction.factor !== 'totp' ? { pin: code } : recoveryCode !== '' ? { recoveryCode } : { totp: code };
    // An empty field spends no attempt: it is the form again.
    if ((credential.pin ?? credential.totp ?? credential.recoveryCode) === '') return this.current(transaction, secret, { error: 'wrong_code', status: 400 });
    return this.completeWith(transaction, credential, request);
  }

  /**
   * A passkey step: the credential the page's script posted, verified by the engine (its attempt
   * budget, its single-use challenge) with this page's origin accepted. No credential, or a page
   * whose host the system's RP ID does not cover, spends nothing: the step's page again.
   */
  private async enterPasskey(transaction: LoginTransaction, form: LoginForm, request: LoginRequest): Promise<LoginOutcome> {
    const origin = hostedPasskeyOrigin(this.deps.apiBase, transaction.passkeyOptions);
    if (!form.passkey || origin === null) return this.current(transaction, request.browserSecret ?? '', { error: 'wrong_code', status: 400 });
    return this.completeWith(transaction, { passkey: form.passkey, passkeyOrigins: [origin] }, request);
  }

  /** Completes the transaction's step with this credential: the next step's page, the client with its code, or the form again. */
  private async completeWith(transaction: LoginTransaction, credential: Partial<CompleteInput>, request: LoginRequest): Promise<LoginOutcome> {
    const secret = request.browserSecret ?? '';
    let step: CompletedStep;
    try {
      step = await this.deps.signIn.completeStep(this.signInRequest(transaction, request), { ...this.completeInputOf(transaction), ...credential });
    } catch (error) {
      const refused = refusalOf(error);
      if (refused === undefined) throw error;
      if (refused === 'gone') return unavailable(404, 'unknown_client', frameOf(transaction));
      if (refused === 'start_again') return this.restart(transaction, secret, 'start_again');
      return this.current(transaction, secret, { error: refused, status: refused === 'rate_limited' ? 429 : 400 });
    }
    if (step.authenticated) return this.finish(transaction, signedInOf(step.signIn));
    if (!(await this.deps.transactions.updateTransaction(advanced(transaction, step.remaining[0] ?? 'pin', step.publicKey)))) {
      return unavailable(410, 'expired', frameOf(transaction));
    }
    return { kind: 'redirect', location: this.pageOf(transaction), frame: frameOf(transaction) };
  }

  /** Back to the e-mail: after too many wrong codes or an expired challenge, or when the person asks. */
  private async restart(transaction: LoginTransaction, secret: string, error?: FormError): Promise<LoginOutcome> {
    const fresh = reset(transaction);
    if (!(await this.deps.transactions.updateTransaction(fresh))) return unavailable(410, 'expired', frameOf(transaction));
    return this.current(fresh, secret, { ...(error ? { error } : {}), status: error ? 400 : 200, email: transaction.email ?? '' });
  }

  /**
   * Spends the transaction (one conditional write: a double submit cannot mint two codes) and sends
   * the browser to the client with the code. `signedIn`: the chain this request completed; null:
   * collect one completed on another device.
   */
  private async finish(transaction: LoginTransaction, signedIn: SignedIn | null): Promise<LoginOutcome> {
    const frame = frameOf(transaction);
    const spent = await this.deps.transactions.spendTransaction(transaction.id, { onlyAuthenticated: signedIn === null });
    const who = signedIn ?? spent?.signedIn ?? null;
    if (!spent || !who) return unavailable(410, 'expired', frame);
    const { request } = spent;
    const code = await this.deps.codes.issue({
      organizationId: spent.organizationId,
      accountId: spent.accountId,
      clientId: request.clientId,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      scope: request.scope,
      nonce: request.nonce,
      userId: who.userId,
      email: who.email,
      phone: who.phone,
      amr: who.amr,
      authTime: who.authTime,
    });
    const issuer = organizationIssuer(this.deps.apiBase, spent.organizationId);
    return {
      kind: 'redirect',
      location: withParameters(request.redirectUri, { code, ...(request.state !== null ? { state: request.state } : {}), iss: issuer }),
      frame,
      browser: { clear: { loginId: spent.id } },
    };
  }

  /** The page of where the transaction stands. */
  private current(transaction: LoginTransaction, browserSecret: string, shown: { error?: FormError; status?: number; email?: string } = {}): LoginOutcome {
    const frame = frameOf(transaction);
    const base = { loginId: transaction.id, formToken: formTokenOf(browserSecret, transaction.id) };
    const error = shown.error ? { error: shown.error } : {};
    const status = shown.status ?? 200;
    if (transaction.phase !== 'factor' || transaction.factor === null) {
      const email = shown.email ?? transaction.request.loginHint ?? '';
      return { kind: 'screen', status, screen: { kind: 'email', ...base, email, ...error }, frame };
    }
    const { factor, deliveredTo } = transaction;
    if (factor === 'passkey') {
      const options = hostedPasskeyOrigin(this.deps.apiBase, transaction.passkeyOptions) === null ? null : transaction.passkeyOptions;
      return { kind: 'screen', status, screen: { kind: 'passkey', ...base, options, ...error }, frame };
    }
    if (isLinkFactor(factor)) return { kind: 'screen', status, screen: { kind: 'wait', ...base, factor, deliveredTo }, frame };
    return { kind: 'screen', status, screen: { kind: 'code', ...base, factor, deliveredTo, ...error }, frame };
  }

  private signInRequest(transaction: LoginTransaction, request: LoginRequest): SignInRequest {
    return { principal: hostedLoginPrincipal(transaction), requestId: request.requestId, sourceIp: request.sourceIp };
  }

  private completeInputOf(transaction: LoginTransaction): CompleteInput {
    return {
      email: transaction.email ?? '',
      system: transaction.request.clientId,
      organization: transaction.organizationId,
      challengeId: transaction.challengeId ?? undefined,
      linkUrl: this.linkUrlOf(transaction),
    };
  }

  private pageOf(transaction: LoginTransaction): string {
    return `${organizationIssuer(this.deps.apiBase, transaction.organizationId)}/oauth2/login?login=${transaction.id}`;
  }

  /** Where the sign-in's links point: the link page of this transaction (`linkOf` appends `&token=`). */
  private linkUrlOf(transaction: LoginTransaction): string {
    return `${organizationIssuer(this.deps.apiBase, transaction.organizationId)}/oauth2/link?login=${transaction.id}`;
  }
}

/**
 * The hosted login signs in as an `authenticate` key of the organization's account reaching this one
 * organization: the engine checks it like any key, and the audit log names it `hosted-login`.
 */
export function hostedLoginPrincipal(transaction: Pick<LoginTransaction, 'organizationId' | 'accountId'>): Principal {
  return { kind: 'key', keyId: HOSTED_LOGIN_ACTOR_ID, accountId: transaction.accountId, permissions: ['authenticate'], organizations: [transaction.organizationId] };
}

/**
 * The origin the hosted login's passkey ceremonies come from (the issuer's: the API's base URL), when
 * the step's RP ID covers its host (the host is the RP ID or a subdomain of it, WebAuthn's rule, which
 * the browser enforces too); null when it does not, or the step has no options.
 */
export function hostedPasskeyOrigin(apiBase: string, options: Pick<PublicKeyCredentialRequestOptionsJSON, 'rpId'> | null): string | null {
  const rpId = options?.rpId?.toLowerCase();
  if (!rpId) return null;
  const { hostname, origin } = new URL(apiBase);
  return hostname === rpId || hostname.endsWith(`.${rpId}`) ? origin : null;
}

/** The policy's context: the browser's address (for `ipCidr` rules) and user agent, like the API's `context`. */
function contextOf(request: LoginRequest): SignInContext {
  return { ip: request.sourceIp, userAgent: request.userAgent.slice(0, 512) };
}

/**
 * How a refused step shows: a wrong code again, too many messages, starting again, or (`gone`) the
 * organization or system was deleted meanwhile. Undefined: not a refusal (a 5xx goes up).
 */
function refusalOf(error: unknown): Exclude<FormError, 'invalid_email'> | 'gone' | undefined {
  if (error instanceof RateLimitError) return 'rate_limited';
  if (error instanceof AppError && error.status === 404) return 'gone';
  // A refused passkey is a wrong guess like a wrong code: the same page, to try again within the budget.
  if (error instanceof AuthError) return error.code === 'invalid_credentials' || error.code === 'passkey_rejected' ? 'wrong_code' : 'start_again';
  // A field the challenge did not expect: the transaction and the challenge disagree; start again.
  if (error instanceof AppError && error.status === 400) return 'start_again';
  return undefined;
}

function signedInOf(signIn: CompletedSignIn): SignedIn {
  return { userId: signIn.user.id, email: signIn.user.email, phone: signIn.user.phone, amr: signIn.amr, authTime: signIn.authTime };
}

function reset(transaction: LoginTransaction): LoginTransaction {
  return { ...transaction, phase: 'email', challengeId: null, factor: null, deliveredTo: null, passkeyOptions: null, signedIn: null };
}

/**
 * The transaction at its next factor; where it went is masked like the start's `deliveredTo` (an SMS
 * step-up says only "your phone"); a passkey step keeps its request options for the page.
 */
function advanced(transaction: LoginTransaction, next: Factor, publicKey: PublicKeyCredentialRequestOptionsJSON | undefined): LoginTransaction {
  const deliveredTo = isEmailFactor(next) && transaction.email ? emailDelivery(transaction.email) : null;
  return { ...transaction, factor: next, deliveredTo: isDeliveredFactor(next) ? deliveredTo : null, passkeyOptions: next === 'passkey' ? (publicKey ?? null) : null };
}

function frameOf(transaction: LoginTransaction): Frame {
  return { organizationName: transaction.organizationName, clientId: transaction.request.clientId, redirectUri: transaction.request.redirectUri };
}

function unavailable(status: number, reason: UnavailableReason, frame: Frame | null, loginId?: string): Extract<LoginOutcome, { kind: 'screen' }> {
  return { kind: 'screen', status, screen: { kind: 'unavailable', reason }, frame, ...(loginId ? { browser: { clear: { loginId } } } : {}) };
}

/** The redirect URI with the answer's parameters added to its own query (RFC 6749 §4.1.2: it may have one). */
function withParameters(uri: string, parameters: Record<string, string>): string {
  const url = new URL(uri);
  for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
  return url.toString();
}
