import { afterAll, beforeAll } from 'vitest';
import { startLocalServer, type LocalServer } from '#local/server.ts';

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

/** Starts the real local server (all manifest routes, real authorizer) for one test file. */
export function useLocalApi() {
  let server: LocalServer | undefined;
  beforeAll(async () => {
    server = await startLocalServer({ port: 0 });
  });
  afterAll(async () => {
    await server?.close();
  });

  const url = (): string => {
    if (!server) throw new Error('local server not started');
    return server.url;
  };

  async function request<T = Record<string, unknown>>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
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

  return { url, request };
}
