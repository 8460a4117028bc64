/**
 * The typed Portcullis client: openapi-fetch over the types that openapi-typescript generates from
 * `openapi.json` (`client/schema.d.ts`, `npm run client`). Paths, path and query parameters, request
 * bodies and answers are all checked by the compiler, so a contract change that breaks a caller
 * breaks its build.
 *
 * ```ts
 * const portcullis = createPortcullisClient({ baseUrl: 'https://auth.example.com', apiKey });
 * const started = await portcullis.startSignIn({ email, system: 'shop' });
 * const done = await portcullis.completeSignIn({ email, system: 'shop', pin: '123456' });
 * if (done.data?.authenticated) useToken(done.data.token);
 * else console.log(done.error?.code); // 'invalid_credentials', 'expired', 'too_many_attempts', …
 * ```
 */
import createClient, { type Client, type ClientOptions, type FetchOptions, type FetchResponse, type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from './schema.d.ts';

export type { components, operations, paths };

/** An RFC 9457 problem, as every error the functions answer is (`application/problem+json`). */
export type Problem = components['schemas']['Problem'];

/**
 * What API Gateway answers by itself (no function ran), e.g. 401 `{"message":"Unauthorized"}` for a
 * missing credential header or 403 `{"message":"Forbidden"}` for a refused key. `code` is declared
 * absent so that `error.code` reads as `undefined` for it, without a type guard.
 */
export interface GatewayError {
  message: string;
  code?: never;
}

/** The answer of a typed call: `data` on a 2xx, `error` otherwise; `response` always. */
export type ApiResult<T, E = Problem | GatewayError> =
  | { data: T; error?: never; response: Response }
  | { data?: never; error: E; response: Response };

type JsonBody<Operation> = Operation extends { requestBody: { content: { 'application/json': infer Body } } } ? Body : never;

/** Body of `POST /v2/user/authenticate`. */
export type StartSignInInput = JsonBody<operations['startAuthentication']>;

/** Answer of `POST /v2/user/authenticate` (202). */
export type StartedSignIn = operations['startAuthentication']['responses'][202]['content']['application/json'];

type CompleteBody = JsonBody<operations['completeAuthentication']>;

/** The credential fields of a sign-in step: exactly one is sent. */
export type SignInCredential = 'pin' | 'passwordless' | 'totp' | 'recoveryCode';

type ExactlyOne<T, K extends keyof T> = {
  [P in K]: Required<Pick<T, P>> & Partial<Record<Exclude<K, P>, never>>;
}[K];

/**
 * Body of `POST /v2/system/authenticate/user`: `email`, `system`, optional `organization` and
 * `challengeId`, and exactly one of `pin`, `passwordless` (the link as the SMS carried it, or its
 * token), `totp` or `recoveryCode` (the server refuses zero or two with a 400; here it does not compile).
 */
export type CompleteSignInInput = Omit<CompleteBody, SignInCredential> & ExactlyOne<CompleteBody, SignInCredential>;

/** Answer of `POST /v2/system/authenticate/user` (200): a token, or the factors that remain. */
export type CompletedSignIn = operations['completeAuthentication']['responses'][200]['content']['application/json'];

export interface PortcullisClientOptions {
  /** The API's base URL, without `/v2` (e.g. the stack's `ApiUrl` output, or `http://127.0.0.1:3000`). */
  baseUrl: string;
  /** Sent as the `apikey` header on every call (sign-in routes, and `manage` routes). */
  apiKey?: string;
  /** An operator access token, sent as `Authorization: Bearer …` on every call. */
  accessToken?: string;
  /** Extra headers for every call. */
  headers?: Record<string, string>;
  /** A fetch of your own (tests, proxies); defaults to the global one. */
  fetch?: ClientOptions['fetch'];
}

/** Per-call options of the sign-in helpers. */
export interface SignInCallOptions {
  /** Overrides the client's key for this call. */
  apiKey?: string;
  signal?: AbortSignal;
}

type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'patch';

/** The paths that have an operation for `M`. */
export type PathsWith<M extends HttpMethod> = { [P in keyof paths]: paths[P] extends { [K in M]: unknown } ? P : never }[keyof paths];

type Operation<P extends keyof paths, M extends HttpMethod> = Extract<paths[P][M], Record<string, unknown>>;

/** Options of one call: `params` (path, query), `body`, `headers`, `signal`, … as openapi-fetch takes them. */
export type CallOptions<P extends keyof paths, M extends HttpMethod> = Omit<FetchOptions<Operation<P, M>>, 'parseAs'>;

/** The query parameters of a `GET` operation, e.g. `RequestQuery<'/v2/accounts/{accountId}/events'>`. */
export type RequestQuery<P extends PathsWith<'get'>> = Operation<P, 'get'> extends { parameters: { query?: infer Query } } ? Query : never;

/** The JSON request body of an operation, e.g. `RequestBody<'/v2/signup', 'post'>`. */
export type RequestBody<P extends keyof paths, M extends HttpMethod> = JsonBody<Operation<P, M>>;

type DataAs<P extends keyof paths, M extends HttpMethod, Media extends `${string}/${string}`> = NonNullable<
  FetchResponse<Operation<P, M>, object, Media>['data']
>;

/**
 * The success body of an operation: its `application/json` schema when it has one (answers are parsed
 * as JSON, so a route that also offers `text/plain` is typed by its JSON form), else whatever it
 * declares; nothing for 204 answers.
 */
export type SuccessBody<P extends keyof paths, M extends HttpMethod> = [DataAs<P, M, 'application/json'>] extends [never]
  ? DataAs<P, M, `${string}/${string}`>
  : DataAs<P, M, 'application/json'>;

/**
 * One HTTP method of the client. Unlike openapi-fetch's own signature, the options are not a type
 * parameter, so an object literal is checked for excess properties: an unknown or misspelled body
 * field or path parameter is a compile error (the API answers it with a 400 anyway). Answers are
 * parsed as JSON; for other media types use `fetchClient` with `parseAs`.
 */
export type TypedMethod<M extends HttpMethod> = <P extends PathsWith<M>>(
  path: P,
  ...options: object extends CallOptions<P, M> ? [options?: CallOptions<P, M>] : [options: CallOptions<P, M>]
) => Promise<ApiResult<SuccessBody<P, M>>>;

export interface PortcullisClient {
  GET: TypedMethod<'get'>;
  POST: TypedMethod<'post'>;
  PUT: TypedMethod<'put'>;
  PATCH: TypedMethod<'patch'>;
  DELETE: TypedMethod<'delete'>;
  /** The underlying openapi-fetch client (same base URL and headers): `parseAs`, middleware. */
  fetchClient: Client<paths>;
  /**
   * `POST /v2/user/authenticate` with the client's `authenticate` key: sends the PIN or the link by
   * SMS (202). Unknown, disabled or unauthorized users get the same 202 and no SMS.
   */
  startSignIn(input: StartSignInInput, options?: SignInCallOptions): Promise<ApiResult<StartedSignIn>>;
  /**
   * `POST /v2/system/authenticate/user`: completes one factor. 200 with `authenticated: true` and the
   * token, or `authenticated: false` with the factors that remain; 401 `invalid_credentials`,
   * `expired` or `too_many_attempts`; 429 `rate_limited`.
   */
  completeSignIn(input: CompleteSignInInput, options?: SignInCallOptions): Promise<ApiResult<CompletedSignIn>>;
}

function credentialHeaders(options: Pick<PortcullisClientOptions, 'apiKey' | 'accessToken'>): Record<string, string> {
  return {
    ...(options.apiKey !== undefined ? { apikey: options.apiKey } : {}),
    ...(options.accessToken !== undefined ? { authorization: `Bearer ${options.accessToken}` } : {}),
  };
}

function callInit(options: SignInCallOptions) {
  return {
    ...(options.apiKey !== undefined ? { headers: { apikey: options.apiKey } } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

/** A typed client for one base URL and, optionally, one credential (create one per credential). */
export function createPortcullisClient(options: PortcullisClientOptions): PortcullisClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: { ...options.headers, ...credentialHeaders(options) },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  // The typed methods are openapi-fetch's own, called as they are; `TypedMethod` only narrows their
  // signature (see there), which is why they are re-typed rather than wrapped.
  const typed = client as unknown as Pick<PortcullisClient, 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'>;
  return {
    GET: typed.GET,
    POST: typed.POST,
    PUT: typed.PUT,
    PATCH: typed.PATCH,
    DELETE: typed.DELETE,
    fetchClient: client,
    startSignIn: (input, call = {}) => typed.POST('/v2/user/authenticate', { body: input, ...callInit(call) }),
    completeSignIn: (input, call = {}) => typed.POST('/v2/system/authenticate/user', { body: input, ...callInit(call) }),
  };
}

export type { Middleware };
