import { describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '#shared/config.ts';
import { documentClient } from '#shared/container.ts';
import { accountKey } from '#shared/data/keys.ts';
import { AccountResponse } from '#shared/schemas/organizations.ts';
import { useLocalApi } from '#test/support/local-api.ts';
import { addMember, createAccount } from '#test/support/tenancy.ts';
import { eventsOf } from '#test/support/organizations.ts';

const api = useLocalApi();

const rawAccount = async (accountId: string) =>
  (await documentClient().send(new GetCommand({ TableName: config().tableName, Key: accountKey(accountId), ConsistentRead: true }))).Item;

describe('reading the account', () => {
  it('answers the profile written by signup with defaults for what signup does not set', async () => {
    const { accountId, owner } = await createAccount(api);
    const response = await api.request('GET', `/v2/accounts/${accountId}`, { token: owner.accessToken });
    expect(response.status).toBe(200);
    const profile = AccountResponse.strict().parse(response.body);
    expect(profile).toMatchObject({ id: accountId, billingContact: null, settings: { requireMfa: false } });
    expect(profile.updatedAt).toBe(profile.createdAt);
  });

  it('shows the billing contact to owners only', async () => {
    const { accountId, owner } = await createAccount(api);
    await api.request('PATCH', `/v2/accounts/${accountId}`, { token: owner.accessToken, body: { billingContact: { name: 'Ada', email: 'Billing@Example.test' } } });
    const ownerView = await api.request('GET', `/v2/accounts/${accountId}`, { token: owner.accessToken });
    expect(ownerView.body.billingContact).toEqual({ name: 'Ada', email: 'billing@example.test' });
    for (const role of ['manager', 'viewer'] as const) {
      const member = await addMember(api, accountId, role);
      const view = await api.request('GET', `/v2/accounts/${accountId}`, { token: member.accessToken });
      expect(view.status).toBe(200);
      expect(view.body).not.toHaveProperty('billingContact');
      expect(view.body.name).toBe(ownerView.body.name);
    }
  });
});

describe('updating the account', () => {
  it('changes only the fields sent, keeps the owner count, and records the change', async () => {
    const { accountId, owner } = await createAccount(api);
    const response = await api.request('PATCH', `/v2/accounts/${accountId}`, { token: owner.accessToken, body: { name: ' Renamed MSP ', settings: { requireMfa: true } } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: accountId, name: 'Renamed MSP', billingContact: null, settings: { requireMfa: true } });
    expect(response.body.updatedAt).not.toBe(response.body.createdAt);
    expect((await api.request('GET', `/v2/accounts/${accountId}`, { token: owner.accessToken })).body).toEqual(response.body);

    const contact = await api.request('PATCH', `/v2/accounts/${accountId}`, { token: owner.accessToken, body: { billingContact: { email: 'ap@example.test' } } });
    expect(contact.body).toMatchObject({ name: 'Renamed MSP', settings: { requireMfa: true }, billingContact: { email: 'ap@example.test' } });
    const cleared = await api.request('PATCH', `/v2/accounts/${accountId}`, { token: owner.accessToken, body: { billingContact: null } });
    expect(cleared.body).toMatchObject({ billingContact: null, name: 'Renamed MSP' });

    expect(await rawAccount(accountId)).toMatchObject({ ownerCount: 1, name: 'Renamed MSP' });
    const me = await api.request<{ memberships: { accountName: string }[] }>('GET', '/v2/me', { token: owner.accessToken });
    expect(me.body.memberships[0]?.accountName).toBe('Renamed MSP');

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
    const before = await api.request('GET', `/v2/accounts/${accountId}`, { token: owner.accessToken });
    for (const role of ['manager', 'viewer'] as const) {
      const member = await addMember(api, accountId, role);
      for (const body of [{ name: 'x' }, { settings: { requireMfa: true } }, { billingContact: { email: 'x@example.test' } }, {}]) {
        const response = await api.request('PATCH', `/v2/accounts/${accountId}`, { token: member.accessToken, body });
        expect(response.status, `${role} ${JSON.stringify(body)}`).toBe(403);
        expect(response.body).toMatchObject({ code: 'forbidden' });
      }
    }
    expect((await api.request('GET', `/v2/accounts/${accountId}`, { token: owner.accessToken })).body).toEqual(before.body);
    expect((await eventsOf(accountId)).filter((e) => e.type === 'account.updated')).toEqual([]);
  });

  it('answers an empty change with the profile and writes no event', async () => {
    const { accountId, owner } = await createAccount(api);
    const response = await api.request('PATCH', `/v2/accounts/${accountId}`, { token: owner.accessToken, body: {} });
    expect(response.status).toBe(200);
    expect((await eventsOf(accountId)).filter((e) => e.type === 'account.updated')).toEqual([]);
  });

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
    const response = await api.request('PATCH', `/v2/accounts/${accountId}`, { token: owner.accessToken, body });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({ code: 'validation_failed', errors: [{ field }] });
    expect(await rawAccount(accountId)).toMatchObject({ ownerCount: 1 });
  });

  it('refuses a malformed account id with 400 naming params.accountId', async () => {
    const { owner } = await createAccount(api);
    for (const method of ['GET', 'PATCH']) {
      const response = await api.request(method, '/v2/accounts/acc.bad', { token: owner.accessToken, ...(method === 'PATCH' ? { body: {} } : {}) });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ errors: [{ field: 'params.accountId' }] });
    }
  });
});
