/**
 * Arrange helpers for the sign-in directory, through the real routes as an operator or a `manage` key
 * would call them: systems, end users and access grants. `auth` is a bearer token (string) or request
 * options such as `{ headers: { apikey } }`.
 */
import { randomUUID } from 'node:crypto';
import type { SuccessBody } from '#client/index.ts';
import type { RequestOptions, useLocalApi } from './local-api.ts';

type Api = ReturnType<typeof useLocalApi>;
type Auth = string | RequestOptions;

/** A system as the API answers it (the generated client's type). */
export type SystemBody = SuccessBody<'/v2/organizations/{orgId}/systems', 'post'>;

export type EndUserBody = SuccessBody<'/v2/organizations/{orgId}/users', 'post'>;

export type GrantBody = SuccessBody<'/v2/organizations/{orgId}/systems/{systemName}/access/{userId}', 'put'>;

const options = (auth: Auth): RequestOptions => (typeof auth === 'string' ? { token: auth } : auth);

/** A unique system name. */
export const uniqueSystemName = (prefix = 'app'): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A unique email; upper-case letters in it exercise the case-insensitive uniqueness. */
export const uniqueEndUserEmail = (prefix = 'user'): string => `${prefix}.${randomUUID().slice(0, 12)}@Example.com`;

/** A valid French mobile number (+3361…, a range libphonenumber's full metadata accepts), random per call. */
export const uniquePhone = (): string => `+3361${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

/**
 * A system through `POST /v2/organizations/{orgId}/systems`; defaults to a PIN-only policy.
 * `overrides` replaces members of the request body (`name`, `policy`, `passwordlessUrl`).
 */
export async function createSystem(api: Api, orgId: string, auth: Auth, overrides: Record<string, unknown> = {}): Promise<SystemBody> {
  const response = await api.request<SystemBody>('POST', `/v2/organizations/${orgId}/systems`, {
    ...options(auth),
    body: { name: uniqueSystemName(), policy: { factors: ['pin'] }, ...overrides },
  });
  if (response.status !== 201) throw new Error(`system creation failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

/** An end user through `POST /v2/organizations/{orgId}/users`; `overrides` replaces body members. */
export async function createEndUser(api: Api, orgId: string, auth: Auth, overrides: Record<string, unknown> = {}): Promise<EndUserBody> {
  const response = await api.request<EndUserBody>('POST', `/v2/organizations/${orgId}/users`, {
    ...options(auth),
    body: { email: uniqueEndUserEmail(), phone: uniquePhone(), ...overrides },
  });
  if (response.status !== 201) throw new Error(`end user creation failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

/** Lets `userId` sign in to `systemName` through `PUT …/systems/{systemName}/access/{userId}`. */
export async function grantAccess(api: Api, orgId: string, auth: Auth, systemName: string, userId: string): Promise<GrantBody> {
  const response = await api.request<GrantBody>('PUT', `/v2/organizations/${orgId}/systems/${systemName}/access/${userId}`, options(auth));
  if (response.status !== 201 && response.status !== 200) throw new Error(`grant failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}
