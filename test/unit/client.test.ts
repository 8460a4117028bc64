import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPortcullisClient } from '#client/index.ts';
import { CLIENT_SCHEMA_FILE, readOpenApiDocument, renderClientSchema } from '#client/generate.ts';

/** A fetch that records the request and answers `status` with `body` as (problem+)JSON. */
function stubFetch(status: number, body: unknown) {
  const requests: Request[] = [];
  const fetch = (request: Request): Promise<Response> => {
    requests.push(request);
    const type = status >= 400 ? 'application/problem+json' : 'application/json';
    return Promise.resolve(new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': type } }));
  };
  return { fetch, requests };
}

describe('generated client types', () => {
  it('client/schema.d.ts is what openapi-typescript generates from openapi.json (run `npm run client`)', async () => {
    const committed = readFileSync(CLIENT_SCHEMA_FILE, 'utf8');
    expect(committed).toBe(await renderClientSchema(readOpenApiDocument()));
  });
});

describe('createPortcullisClient', () => {
  const started = { challengeId: 'chl_1', method: 'pin', expiresAt: '2026-01-01T00:00:00.000Z', deliveredTo: '********78' };

  it('startSignIn posts the body as JSON to /v2/user/authenticate with the apikey header', async () => {
    const stub = stubFetch(202, started);
    const client = createPortcullisClient({ baseUrl: 'https://auth.example.com/', apiKey: 'pck_key', fetch: stub.fetch });

    const answer = await client.startSignIn({ email: 'ada@example.com', system: 'shop', context: { sensitivity: 'high' } });

    expect(answer.data).toEqual(started);
    const [request] = stub.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('https://auth.example.com/v2/user/authenticate');
    expect(request?.headers.get('apikey')).toBe('pck_key');
    expect(request?.headers.get('content-type')).toBe('application/json');
    expect(await request?.json()).toEqual({ email: 'ada@example.com', system: 'shop', context: { sensitivity: 'high' } });
  });

  it('completeSignIn posts to /v2/system/authenticate/user; a per-call key overrides the client key', async () => {
    const stub = stubFetch(200, { authenticated: false, challengeId: 'chl_1', remaining: ['totp'] });
    const client = createPortcullisClient({ baseUrl: 'https://auth.example.com', apiKey: 'pck_default', fetch: stub.fetch });

    const answer = await client.completeSignIn({ email: 'ada@example.com', system: 'shop', pin: '123456' }, { apiKey: 'pck_other' });

    expect(answer.data).toEqual({ authenticated: false, challengeId: 'chl_1', remaining: ['totp'] });
    expect(stub.requests[0]?.url).toBe('https://auth.example.com/v2/system/authenticate/user');
    expect(stub.requests[0]?.headers.get('apikey')).toBe('pck_other');
    expect(await stub.requests[0]?.json()).toEqual({ email: 'ada@example.com', system: 'shop', pin: '123456' });
  });

  it('answers a problem+json refusal as a typed error with its code, and no data', async () => {
    const problem = { type: 'https://portcullis.dev/problems/expired', title: 'Expired', status: 401, code: 'expired' };
    const client = createPortcullisClient({ baseUrl: 'https://auth.example.com', apiKey: 'pck_key', fetch: stubFetch(401, problem).fetch });

    const answer = await client.completeSignIn({ email: 'ada@example.com', system: 'shop', passwordless: 'https://app/?token=x' });

    expect(answer.data).toBeUndefined();
    expect(answer.response.status).toBe(401);
    expect(answer.error?.code).toBe('expired');
    expect(answer.error).toEqual(problem);
  });

  it('sends an access token as a bearer token, path and query parameters encoded', async () => {
    const stub = stubFetch(200, { items: [], nextCursor: null });
    const client = createPortcullisClient({ baseUrl: 'https://auth.example.com', accessToken: 'eyJ.a.b', fetch: stub.fetch });

    const answer = await client.GET('/v2/organizations/{orgId}/users', { params: { path: { orgId: 'org_1' }, query: { email: 'a+b@example.com', limit: 5 } } });

    expect(answer.data).toEqual({ items: [], nextCursor: null });
    const url = new URL(stub.requests[0]?.url ?? '');
    expect(url.pathname).toBe('/v2/organizations/org_1/users');
    expect(url.searchParams.get('email')).toBe('a+b@example.com');
    expect(url.searchParams.get('limit')).toBe('5');
    expect(stub.requests[0]?.headers.get('authorization')).toBe('Bearer eyJ.a.b');
    expect(stub.requests[0]?.headers.get('apikey')).toBeNull();
  });

  it('answers a 204 with neither data nor error', async () => {
    const client = createPortcullisClient({ baseUrl: 'https://auth.example.com', accessToken: 't', fetch: stubFetch(204, null).fetch });
    const answer = await client.DELETE('/v2/organizations/{orgId}', { params: { path: { orgId: 'org_1' } } });
    expect(answer.response.status).toBe(204);
    expect(answer.data).toBeUndefined();
    expect(answer.error).toBeUndefined();
  });
});
