/**
 * Arrange helpers for the sign-in tests, as a customer would set things up: an account, an
 * organization, a system, an end user with access and an `authenticate` key, all through the API; and
 * the client side of a sign-in (start, read the SMS from the local outbox, complete).
 */
import type { ApiResponse, useLocalApi } from './local-api.ts';
import { createAccount, type TestAccount } from './tenancy.ts';
import { createOrganization } from './organizations.ts';
import { createKey } from './keys-events.ts';
import { createEndUser, createSystem, grantAccess, type EndUserBody, type SystemBody } from './directory.ts';

type Api = ReturnType<typeof useLocalApi>;

export interface SignInFixture {
  account: TestAccount;
  orgId: string;
  /** An `authenticate` key reaching only this organization. */
  apikey: string;
  system: SystemBody;
  user: EndUserBody;
}

export interface FixtureOptions {
  policy?: Record<string, unknown>;
  passwordlessUrl?: string;
  settings?: Record<string, unknown>;
}

/** One organization with a system, an end user granted access to it, and an `authenticate` key. */
export async function signInFixture(api: Api, options: FixtureOptions = {}): Promise<SignInFixture> {
  const account = await createAccount(api);
  const token = account.owner.accessToken;
  const organization = await createOrganization(api, account.accountId, token, options.settings ? { settings: options.settings } : {});
  const system = await createSystem(api, organization.id, token, {
    policy: options.policy ?? { factors: ['pin'] },
    ...(options.passwordlessUrl ? { passwordlessUrl: options.passwordlessUrl } : {}),
  });
  const user = await addUser(api, { account, orgId: organization.id, system });
  const key = await createKey(api, account.accountId, token, { permissions: ['authenticate'], organizations: [organization.id] });
  return { account, orgId: organization.id, apikey: key.key, system, user };
}

/** Another end user of the fixture's organization, with access to its system unless `grant` is false. */
export async function addUser(
  api: Api,
  fixture: Pick<SignInFixture, 'account' | 'orgId' | 'system'>,
  options: { grant?: boolean; overrides?: Record<string, unknown> } = {},
): Promise<EndUserBody> {
  const token = fixture.account.owner.accessToken;
  const user = await createEndUser(api, fixture.orgId, token, options.overrides ?? {});
  if (options.grant !== false) await grantAccess(api, fixture.orgId, token, fixture.system.name, user.id);
  return user;
}

export interface Started {
  challengeId: string;
  method: string;
  expiresAt: string;
  deliveredTo: string | null;
}

export interface Completed {
  authenticated: boolean;
  token?: string;
  tokenType?: string;
  expiresIn?: number;
  user?: { id: string; email: string };
  amr?: string[];
  challengeId?: string;
  remaining?: string[];
  code?: string;
}

/** `POST /v2/user/authenticate` with the key. */
export function startSignIn(api: Api, apikey: string, body: Record<string, unknown>): Promise<ApiResponse<Started & { code?: string }>> {
  return api.request('POST', '/v2/user/authenticate', { headers: { apikey }, body });
}

/** `POST /v2/system/authenticate/user` with the key. */
export function completeSignIn(api: Api, apikey: string, body: Record<string, unknown>): Promise<ApiResponse<Completed>> {
  return api.request('POST', '/v2/system/authenticate/user', { headers: { apikey }, body });
}

/** The SMS the local outbox holds for a number, newest first. */
export async function smsTo(api: Api, phone: string): Promise<{ to: string; body: string; sentAt: string }[]> {
  const response = await api.request<{ items: { to: string; body: string; sentAt: string }[] }>('GET', `/_local/sms?to=${encodeURIComponent(phone)}`);
  return response.body.items;
}

/** The PIN of the newest SMS to `phone`. */
export async function lastPin(api: Api, phone: string): Promise<string> {
  const [latest] = await smsTo(api, phone);
  const pin = /your code is (\d+)$/.exec(latest?.body ?? '')?.[1];
  if (!pin) throw new Error(`no PIN SMS to ${phone}: ${JSON.stringify(latest)}`);
  return pin;
}

/** The link of the newest SMS to `phone`. */
export async function lastLink(api: Api, phone: string): Promise<string> {
  const [latest] = await smsTo(api, phone);
  const link = / sign in (\S+)$/.exec(latest?.body ?? '')?.[1];
  if (!link) throw new Error(`no link SMS to ${phone}: ${JSON.stringify(latest)}`);
  return link;
}

/** A PIN that is not `pin` (same length). */
export function wrongPin(pin: string): string {
  return pin
    .split('')
    .map((digit) => String((Number(digit) + 1) % 10))
    .join('');
}

export interface OutboxEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  sentAt: string;
}

/** The e-mails the local outbox holds for an address, newest first (`GET /_local/email?to=`). */
export async function emailsTo(api: Api, address: string): Promise<OutboxEmail[]> {
  const response = await api.request<{ items: OutboxEmail[] }>('GET', `/_local/email?to=${encodeURIComponent(address)}`);
  return response.body.items;
}

/** The newest e-mail to `address` whose subject matches, or an error naming what was there. */
export async function lastEmail(api: Api, address: string, subject: RegExp = /./): Promise<OutboxEmail> {
  const items = await emailsTo(api, address);
  const found = items.find((item) => subject.test(item.subject));
  if (!found) throw new Error(`no e-mail to ${address} with subject ${String(subject)}: ${JSON.stringify(items.map((i) => i.subject))}`);
  return found;
}

/** The first link in an e-mail's plain-text part that carries `?token=`, and its token. */
export function linkIn(email: OutboxEmail): { url: string; token: string } {
  const url = /https?:\/\/\S+[?&]token=[^\s&]+/.exec(email.text)?.[0];
  const token = url ? new URL(url).searchParams.get('token') : null;
  if (!url || !token) throw new Error(`no token link in the e-mail "${email.subject}"`);
  return { url, token };
}
