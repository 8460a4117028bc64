import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { createPortcullisClient, type ApiResult, type PortcullisClient, type Problem } from '#client/index.ts';
import { createTable, localDynamoDbClient } from '#local/dynamodb-local.ts';
import { provisionLocalKeyrings } from '#local/keyrings.ts';
import { startLocalServer, type LocalServer } from '#local/server.ts';
import { ENV } from '#shared/config.ts';

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as-is, for malformed JSON. */
  rawBody?: string;
  token?: string;
  headers?: Record<string, string>;
}

/** Who calls: an operator's bearer token (a string) or an access key. */
export type Credential = string | { apikey: string };

/** A deployment of its own for one test file. */
export interface LocalApiOptions {
  /**
   * Environment variables the handlers read (e.g. small `SMS_DEPLOYMENT_DAILY_LIMIT`), set before
   * the first request loads the config. Every test file runs in a fresh process (vitest forks), so
   * they stay in that file.
   */
  environment?: Record<string, string>;
  /**
   * A table of its own instead of the run's shared one: a separate deployment, whose
   * deployment-wide counters no other test file moves.
   * @default false
   */
  ownTable?: boolean;
  /** Serve the operator console's build at `/` (test/support/console.ts builds it once per run). */
  consoleDirectory?: string;
  /**
   * The host the server listens on and names itself by (its URL, hence API_BASE and the issuers):
   * `localhost` for pages at the issuer that run WebAuthn, which browsers refuse on an IP address.
   * @default '127.0.0.1'
   */
  host?: string;
}

/**
 * Starts the real local server (all manifest routes, real authorizer) for one test file.
 *
 * Well-formed calls go through the typed client (`api.client`, `api.as(credential)`), so a contract
 * change that breaks a test's call breaks the type-check. `api.raw` is the untyped escape hatch, only
 * for what the client cannot express on purpose: malformed JSON, wrong types, unknown fields, missing
 * credentials, routes outside the document (`/_local/sms`).
 */
export function useLocalApi(options: LocalApiOptions = {}) {
  let server: LocalServer | undefined;
  let anonymous: PortcullisClient | undefined;
  // Now, not in beforeAll: a module of the file may load the config before the server starts.
  const tableName = options.ownTable ? `portcullis-test-${randomUUID().slice(0, 8)}` : undefined;
  Object.assign(process.env, options.environment, tableName ? { [ENV.tableName]: tableName } : {});
  beforeAll(async () => {
    if (tableName) {
      const admin = localDynamoDbClient(inject('dynamodbEndpoint'));
      await createTable(admin, tableName);
      admin.destroy();
      // A deployment of its own gets its keys as a deployment does: from the key function's provisioning.
      await provisionLocalKeyrings({ endpoint: inject('dynamodbEndpoint'), tableName, keyFile: join(inject('keyDirectory'), 'local-master.key') });
    }
    server = await startLocalServer({
      port: 0,
      ...(options.consoleDirectory ? { consoleDirectory: options.consoleDirectory } : {}),
      ...(options.host ? { host: options.host } : {}),
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  const url = (): string => {
    if (!server) throw new Error('local server not started');
    return server.url;
  };

  /** The typed client with this credential. */
  function as(credential: Credential): PortcullisClient {
    return createPortcullisClient(
      typeof credential === 'string' ? { baseUrl: url(), accessToken: credential } : { baseUrl: url(), apiKey: credential.apikey },
    );
  }

  /** Untyped: any method, path and body, answered as parsed JSON. */
  async function raw<T = Record<string, unknown>>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    let payload: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(`${url()}${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
  }

  return {
    url,
    /** The typed client without credentials (public routes). */
    get client(): PortcullisClient {
      anonymous ??= createPortcullisClient({ baseUrl: url() });
      return anonymous;
    },
    as,
    raw,
    /** The untyped `raw`, under its former name, for the test files not converted to the client yet. */
    request: raw,
  };
}

/** The status and body as a failure message: says what came back instead. */
const describeResult = (result: ApiResult<unknown>): string =>
  `${String(result.response.status)} ${JSON.stringify(result.error ?? result.data ?? null)}`;

/** Asserts the status of a typed call and answers its (typed) success body. */
export function expectData<T>(result: ApiResult<T>, status: number): T {
  expect(result.response.status, describeResult(result)).toBe(status);
  if (result.data === undefined) throw new Error(`no body in the ${String(status)} answer`);
  return result.data;
}

/**
 * Asserts the 201 of `POST /v2/signup` (or `/v2/signup/verify`) and answers it typed as the session
 * it is: the typed answer of signup is 201 or, under `verify-email`, 202 `{verificationSent: true}`.
 */
export function expectSignedUp<T>(result: ApiResult<T>): Extract<T, { accessToken: string }> {
  const data = expectData(result, 201);
  if (typeof data !== 'object' || data === null || !('accessToken' in data)) throw new Error(`expected a session, got ${JSON.stringify(data)}`);
  return data as Extract<T, { accessToken: string }>;
}

/** Asserts the status of a typed call that answers no body (204). */
export function expectStatus(result: ApiResult<unknown>, status: number): void {
  expect(result.response.status, describeResult(result)).toBe(status);
}

/** Asserts a problem+json answer with this status (and `code`, when given) and answers the problem. */
export function expectProblem(result: ApiResult<unknown>, status: number, code?: string): Problem {
  expect(result.response.status, describeResult(result)).toBe(status);
  expect(result.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = result.error as Problem;
  expect(problem.status).toBe(status);
  if (code !== undefined) expect(problem.code).toBe(code);
  return problem;
}
