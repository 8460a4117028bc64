/**
 * End users over HTTP: email unique per organization case-insensitively (also under concurrency and
 * across email changes), phones validated and stored as E.164, status, deletes that leave nothing
 * behind, and audit events that never carry a full phone number.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { signInDirectory } from '#shared/container.ts';
import { endUserEmailKey } from '#shared/data/keys.ts';
import { useLocalApi } from '#test/support/local-api.ts';
import { createAccount, type TestAccount } from '#test/support/tenancy.ts';
import { createOrganization, eventsOf } from '#test/support/organizations.ts';
import { rawItem } from '#test/support/keys-events.ts';
import { createEndUser, createSystem, grantAccess, uniqueEndUserEmail, uniquePhone, type EndUserBody } from '#test/support/directory.ts';

const api = useLocalApi();

let account: TestAccount;
let orgId: string;
let token: string;

beforeAll(async () => {
  account = await createAccount(api);
  token = account.owner.accessToken;
  orgId = (await createOrganization(api, account.accountId, token)).id;
}, 60_000);

const usersPath = (org = orgId) => `/v2/organizations/${org}/users`;

describe('creating an end user', () => {
  it('answers 201, keeps the email as given and stores the phone as E.164', async () => {
    const email = uniqueEndUserEmail('Ada');
    const response = await api.request<EndUserBody>('POST', usersPath(), { token, body: { email, phone: '+33 6 12 34 56 78', name: 'Ada L.' } });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^eu_/) as string,
      email,
      phone: '+33612345678',
      name: 'Ada L.',
      status: 'active',
      createdAt: expect.any(String) as string,
      updatedAt: response.body.createdAt,
    });
    expect((await api.request('GET', `${usersPath()}/${response.body.id}`, { token })).body).toEqual(response.body);
    expect(await signInDirectory().findEndUserByEmail(orgId, email.toUpperCase())).toMatchObject({ id: response.body.id, organizationId: orgId });
    expect(await signInDirectory().findEndUser(orgId, response.body.id)).toMatchObject({ email, phone: '+33612345678' });
  });

  it('refuses an email another user has, whatever its case (409 email_taken)', async () => {
    const user = await createEndUser(api, orgId, token);
    const again = await api.request('POST', usersPath(), { token, body: { email: user.email.toUpperCase(), phone: uniquePhone() } });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'email_taken' });
    // Another organization is another namespace.
    const otherOrg = (await createOrganization(api, account.accountId, token)).id;
    expect((await api.request('POST', usersPath(otherOrg), { token, body: { email: user.email, phone: uniquePhone() } })).status).toBe(201);
  });

  it('lets exactly one of concurrent creates with one email win', async () => {
    const email = uniqueEndUserEmail('race');
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        api.request('POST', usersPath(), { token, body: { email: i % 2 ? email.toLowerCase() : email.toUpperCase(), phone: uniquePhone() } }),
      ),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(7);
    const found = await api.request<{ items: EndUserBody[] }>('GET', `${usersPath()}?email=${encodeURIComponent(email)}`, { token });
    expect(found.body.items).toHaveLength(1);
  });

  it('refuses phones that are not valid international numbers, naming the field', async () => {
    for (const phone of ['0612345678', '+336', '+999123456789', 'not a phone', '+33 6 12 34 56 78 90', 33612345678]) {
      const response = await api.request('POST', usersPath(), { token, body: { email: uniqueEndUserEmail(), phone } });
      expect(response.status, String(phone)).toBe(400);
      expect(response.body, String(phone)).toMatchObject({ errors: [{ field: 'body.phone' }] });
    }
    for (const email of ['nope', '', 'a@', 42]) {
      const response = await api.request('POST', usersPath(), { token, body: { email, phone: uniquePhone() } });
      expect(response.body, String(email)).toMatchObject({ errors: [{ field: 'body.email' }] });
    }
    const missing = await api.request('POST', usersPath(), { token, body: { email: uniqueEndUserEmail() } });
    expect(missing.body).toMatchObject({ errors: [{ field: 'body.phone', message: 'is required' }] });
  });
});

describe('changing an end user', () => {
  it('moves the email reservation: the old email is free, the new one taken', async () => {
    const user = await createEndUser(api, orgId, token);
    const other = await createEndUser(api, orgId, token);
    const newEmail = uniqueEndUserEmail('moved');

    const taken = await api.request('PATCH', `${usersPath()}/${user.id}`, { token, body: { email: other.email.toLowerCase() } });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ code: 'email_taken' });

    const moved = await api.request<EndUserBody>('PATCH', `${usersPath()}/${user.id}`, { token, body: { email: newEmail } });
    expect(moved.status).toBe(200);
    expect(moved.body.email).toBe(newEmail);
    expect(await signInDirectory().findEndUserByEmail(orgId, user.email)).toBeUndefined();
    expect((await signInDirectory().findEndUserByEmail(orgId, newEmail))?.id).toBe(user.id);
    expect(await rawItem(endUserEmailKey(orgId, user.email.toLowerCase()))).toBeUndefined();

    expect((await api.request('POST', usersPath(), { token, body: { email: user.email, phone: uniquePhone() } })).status).toBe(201);
    expect((await api.request('POST', usersPath(), { token, body: { email: newEmail.toUpperCase(), phone: uniquePhone() } })).status).toBe(409);

    // Only the case changes: the same reservation.
    const recased = await api.request<EndUserBody>('PATCH', `${usersPath()}/${user.id}`, { token, body: { email: newEmail.toLowerCase() } });
    expect(recased.status).toBe(200);
    expect((await signInDirectory().findEndUserByEmail(orgId, newEmail))?.email).toBe(newEmail.toLowerCase());
  });

  it('lets exactly one of two users racing for one new email get it', async () => {
    const [a, b] = await Promise.all([createEndUser(api, orgId, token), createEndUser(api, orgId, token)]);
    const email = uniqueEndUserEmail('contested');
    const answers = await Promise.all([a, b].map((u) => api.request('PATCH', `${usersPath()}/${u.id}`, { token, body: { email } })));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = answers[0]?.status === 200 ? a : b;
    expect((await signInDirectory().findEndUserByEmail(orgId, email))?.id).toBe(winner.id);
  });

  it('changes phone, name and status; only the fields sent', async () => {
    const user = await createEndUser(api, orgId, token, { name: 'Grace' });
    const path = `${usersPath()}/${user.id}`;
    const phone = await api.request<EndUserBody>('PATCH', path, { token, body: { phone: '+49 170 1234567' } });
    expect(phone.body).toMatchObject({ phone: '+491701234567', name: 'Grace', email: user.email, status: 'active' });
    const disabled = await api.request<EndUserBody>('PATCH', path, { token, body: { status: 'disabled', name: null } });
    expect(disabled.body).toMatchObject({ status: 'disabled', name: null, phone: '+491701234567' });
    expect(await signInDirectory().findEndUser(orgId, user.id)).toMatchObject({ status: 'disabled' });
    const bad = await api.request('PATCH', path, { token, body: { status: 'locked' } });
    expect(bad.body).toMatchObject({ errors: [{ field: 'body.status' }] });

    const events = (await eventsOf(account.accountId)).filter((e) => e.target?.id === user.id);
    expect(events.map((e) => e.type).sort()).toEqual(['enduser.created', 'enduser.disabled', 'enduser.updated']);
    expect(events.find((e) => e.type === 'enduser.updated')?.details).toMatchObject({ fields: ['phone'], phone: '+49********67' });
  });

  it('answers 404 for an unknown user', async () => {
    expect((await api.request('PATCH', `${usersPath()}/eu_missing`, { token, body: { name: 'x' } })).status).toBe(404);
    expect((await api.request('GET', `${usersPath()}/eu_missing`, { token })).status).toBe(404);
    expect((await api.request('DELETE', `${usersPath()}/eu_missing`, { token })).status).toBe(404);
  });
});

describe('deleting an end user', () => {
  it('removes the user, its email reservation and its grants; nothing is reachable afterwards', async () => {
    const user = await createEndUser(api, orgId, token);
    const systems = await Promise.all([createSystem(api, orgId, token), createSystem(api, orgId, token)]);
    for (const system of systems) await grantAccess(api, orgId, token, system.name, user.id);

    expect((await api.request('DELETE', `${usersPath()}/${user.id}`, { token })).status).toBe(204);

    expect((await api.request('GET', `${usersPath()}/${user.id}`, { token })).status).toBe(404);
    expect(await signInDirectory().findEndUserByEmail(orgId, user.email)).toBeUndefined();
    expect(await rawItem(endUserEmailKey(orgId, user.email.toLowerCase()))).toBeUndefined();
    for (const system of systems) {
      expect(await signInDirectory().hasAccess(orgId, system.name, user.id)).toBe(false);
      const access = await api.request<{ items: unknown[] }>('GET', `/v2/organizations/${orgId}/systems/${system.name}/access`, { token });
      expect(access.body.items).toEqual([]);
      expect((await api.request('PUT', `/v2/organizations/${orgId}/systems/${system.name}/access/${user.id}`, { token })).status).toBe(404);
    }
    // The email can be used again.
    expect((await api.request('POST', usersPath(), { token, body: { email: user.email, phone: uniquePhone() } })).status).toBe(201);

    const deleted = (await eventsOf(account.accountId)).find((e) => e.type === 'enduser.deleted' && e.target?.id === user.id);
    expect(deleted).toMatchObject({ organizationId: orgId, details: { grantsRemoved: 2, email: user.email } });
  });
});

describe('listing end users', () => {
  it('pages oldest first and finds one by email', async () => {
    const org = (await createOrganization(api, account.accountId, token)).id;
    const created: EndUserBody[] = [];
    for (let i = 0; i < 3; i++) created.push(await createEndUser(api, org, token));
    const first = await api.request<{ items: EndUserBody[]; nextCursor: string | null }>('GET', `${usersPath(org)}?limit=2`, { token });
    expect(first.body.items.map((u) => u.id)).toEqual(created.slice(0, 2).map((u) => u.id));
    const second = await api.request<{ items: EndUserBody[]; nextCursor: string | null }>('GET', `${usersPath(org)}?limit=2&cursor=${first.body.nextCursor}`, { token });
    expect(second.body.items.map((u) => u.id)).toEqual([created[2]?.id]);
    expect(second.body.nextCursor).toBeNull();

    const target = created[1];
    const byEmail = await api.request<{ items: EndUserBody[] }>('GET', `${usersPath(org)}?email=${encodeURIComponent(target?.email.toUpperCase() ?? '')}`, { token });
    expect(byEmail.body).toEqual({ items: [target], nextCursor: null });
    const none = await api.request<{ items: EndUserBody[] }>('GET', `${usersPath(org)}?email=nobody@example.com`, { token });
    expect(none.body.items).toEqual([]);
    expect((await api.request('GET', `${usersPath(org)}?email=nope`, { token })).body).toMatchObject({ errors: [{ field: 'query.email' }] });
    expect((await api.request('GET', `${usersPath(org)}?cursor=%%%`, { token })).body).toMatchObject({ errors: [{ field: 'query.cursor' }] });
  });
});

describe('audit', () => {
  it('never writes a full phone number into an event', async () => {
    const user = await createEndUser(api, orgId, token, { phone: '+33698765432' });
    await api.request('PATCH', `${usersPath()}/${user.id}`, { token, body: { phone: '+33698765433' } });
    await api.request('DELETE', `${usersPath()}/${user.id}`, { token });
    const events = await eventsOf(account.accountId);
    const created = events.find((e) => e.type === 'enduser.created' && e.target?.id === user.id);
    expect(created).toMatchObject({ organizationId: orgId, actor: { kind: 'operator', id: account.owner.userId }, details: { email: user.email, phone: '+33*******32' } });
    const text = JSON.stringify(events);
    expect(text).not.toContain('698765432');
    expect(text).not.toContain('698765433');
  });
});
