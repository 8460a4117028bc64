import { describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '#shared/config.ts';
import { documentClient } from '#shared/compose/runtime.ts';
import { accountKey } from '#shared/data/keys.ts';
import { AccountResponse } from '#shared/schemas/organizations.ts';
import type { RequestBody } from '#client/index.ts';
import { expectData, expectProblem, useLocalApi } from '#test/support/local-api.ts';
import { addMember, createAccount } from '#test/support/tenancy.ts';
import { eventsOf } from '#test/support/organizations.ts';
import * as z from 'zod/mini';

const api = useLocalApi();

/** `GET /v2/accounts/{accountId}` as `token`. */
const getAccount = (token: string, accountId: string) => api.as(token).GET('/v2/accounts/{accountId}', { params: { path: { accountId } } });
/** `PATCH /v2/accounts/{accountId}` as `token`. */
const updateAccount = (token: string, accountId: string, body: RequestBody<'/v2/accounts/{accountId}', 'patch'>) =>
  api.as(token).PATCH('/v2/accounts/{accountId}', { params: { path: { accountId } }, body });

const rawAccount = async (accountId: string) =>
  (await documentClient().send(new GetCommand({ TableName: config().tableName, Key: accountKey(accountId), ConsistentRead: true }))).Item;

describe('reading the account', () => {
  it('answers the profile written by signup with defaults for what signup does not set', async () => {
    const { accountId, owner } = await createAccount(api);
    const profile = z.strictObject(AccountResponse.shape).parse(expectData(await getAccount(owner.accessToken, accountId), 200));
    expect(profile).toMatchObject({ id: accountId, billingContact: null, settings: { requireMfa: false } });
    expect(profile.updatedAt).toBe(profile.createdAt);
  });

  it('shows the billing contact to owners only', async () => {
    const { accountId, owner } = await createAccount(api);
    expectData(await updateAccount(owner.accessToken, accountId, { billingContact: { name: 'Ada', email: 'Billing@Example.test' } }), 200);
    const ownerView = expectData(await getAccount(owner.accessToken, accountId), 200);
    expect(ownerView.billingContact).toEqual({ name: 'Ada', email: 'billing@example.test' });
    for (const role of ['manager', 'viewer'] as const) {
      const member = await addMember(api, accountId, role);
      const view = expectData(await getAccount(member.accessToken, accountId), 200);
      expect(view).not.toHaveProperty('billingContact');
      expect(view.name).toBe(ownerView.name);
    }
  });
});

describe('updating the account', () => {
  it('changes only the fields sent, keeps the owner count, and records the change', async () => {
    const { accountId, owner } = await createAccount(api);
    const updated = expectData(await updateAccount(owner.accessToken, accountId, { name: ' Renamed MSP ', settings: { requireMfa: true } }), 200);
    expect(updated).toMatchObject({ id: accountId, name: 'Renamed MSP', billingContact: null, settings: { requireMfa: true } });
    expect(updated.updatedAt).not.toBe(updated.createdAt);
    expect(expectData(await getAccount(owner.accessToken, accountId), 200)).toEqual(updated);

    const contact = expectData(await updateAccount(owner.accessToken, accountId, { billingContact: { email: 'ap@example.test' } }), 200);
    expect(contact).toMatchObject({ name: 'Renamed MSP', settings: { requireMfa: true }, billingContact: { email: 'ap@example.test' } });
    const cleared = expectData(await updateAccount(owner.accessToken, accountId, { billingContact: null }), 200);
    expect(cleared).toMatchObject({ billingContact: null, name: 'Renamed MSP' });

    expect(await rawAccount(accountId)).toMatchObject({ ownerCount: 1, name: 'Renamed MSP' });
    const me = expectData(await api.as(owner.accessToken).GET('/v2/me'), 200);
    expect(me.memberships[0]?.accountName).toBe('Renamed MSP');

    const events = (await eventsOf(accountId)).filter((e) => e.type === 'account.updated').reverse();
    expect(events.map((e) => e.details.fields)).toEqual([['name', 'settings.requireMfa'], ['billingContact'], ['billingContact']]);
    expect(events[0]).toMatchObject({ accountId, organizationId: null, actor: { kind: 'operator', id: owner.userId }, target: { type: 'account', id: accountId } });
    expect(events[0]?.requestId).toBeTruthy();
    expect(events[0]?.sourceIp).toBeTruthy();
    // The billing contact is personal data: the log names the field, never the value.
    expect(JSON.stringify(events)).not.toContain('ap@example.test');
  });

  it('refuses managers and viewers (403) and changes nothing', async () => {
    const { accountId, owner } = await createAccount(api);
    const before = expectData(await getAccount(owner.accessToken, accountId), 200);
    for (const role of ['manager', 'viewer'] as const) {
      const member = await addMember(api, accountId, role);
      for (const body of [{ name: 'x' }, { settings: { requireMfa: true } }, { billingContact: { email: 'x@example.test' } }, {}]) {
        const response = await updateAccount(member.accessToken, accountId, body);
        expect(response.response.status, `${role} ${JSON.stringify(body)}`).toBe(403);
        expect(response.error).toMatchObject({ code: 'forbidden' });
      }
    }
    expect(expectData(await getAccount(owner.accessToken, accountId), 200)).toEqual(before);
    expect((await eventsOf(accountId)).filter((e) => e.type === 'account.updated')).toEqual([]);
  });

  it('answers an empty change with the profile and writes no event', async () => {
    const { accountId, owner } = await createAccount(api);
    expectData(await updateAccount(owner.accessToken, accountId, {}), 200);
    expect((await eventsOf(accountId)).filter((e) => e.type === 'account.updated')).toEqual([]);
  });

  // A table of bodies the contract refuses, several of them not even of the right type: raw.
  it.each([
    ['body.name', { name: '' }],
    ['body.name', { name: 7 }],
    ['body.billingContact.email', { billingContact: { email: 'not-an-email' } }],
    ['body.billingContact.email', { billingContact: { name: 'Ada' } }],
    ['body.billingContact.phone', { billingContact: { email: 'a@example.test', phone: '+1' } }],
    ['body.billingContact', { billingContact: 'ap@example.test' }],
    ['body.settings.requireMfa', { settings: { requireMfa: 'true' } }],
    ['body.settings.smsDailyLimit', { settings: { smsDailyLimit: 5 } }],
    ['body.ownerCount', { ownerCount: 5 }],
  ])('refuses bad input with 400 naming %s (case %#)', async (field, body) => {
    const { accountId, owner } = await createAccount(api);
    const response = await api.raw('PATCH', `/v2/accounts/${accountId}`, { token: owner.accessToken, body });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({ code: 'validation_failed', errors: [{ field }] });
    expect(await rawAccount(accountId)).toMatchObject({ ownerCount: 1 });
  });

  it('refuses a malformed account id with 400 naming params.accountId', async () => {
    const { owner } = await createAccount(api);
    for (const response of [await getAccount(owner.accessToken, 'acc.bad'), await updateAccount(owner.accessToken, 'acc.bad', {})]) {
      expect(expectProblem(response, 400)).toMatchObject({ errors: [{ field: 'params.accountId' }] });
    }
  });
});
