/**
 * End users over HTTP: email unique per organization case-insensitively (also under concurrency and
 * across email changes), phones validated and stored as E.164, status, deletes that leave nothing
 * behind, and audit events that never carry a full phone number.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RequestBody } from '#client/index.ts';
import { signInDirectory } from '#shared/compose/directory.ts';
import { endUserEmailKey } from '#shared/data/keys.ts';
import { expectData, expectProblem, expectStatus, useLocalApi } from '#test/support/local-api.ts';
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

/** The owner's typed client. */
const owner = () => api.as(token);
/** Path parameters of an organization's users. */
const inOrg = (org = orgId) => ({ params: { path: { orgId: org } } });
/** Path parameters of one end user. */
const ofUser = (userId: string, org = orgId) => ({ params: { path: { orgId: org, userId } } });
const createUser = (body: RequestBody<'/v2/organizations/{orgId}/users', 'post'>, org = orgId) => owner().POST('/v2/organizations/{orgId}/users', { ...inOrg(org), body });
/** Untyped, for bodies the contract refuses on purpose. */
const usersPath = (org = orgId) => `/v2/organizations/${org}/users`;

describe('creating an end user', () => {
  it('answers 201, keeps the email as given and stores the phone as E.164', async () => {
    const email = uniqueEndUserEmail('Ada');
    const created = expectData(await createUser({ email, phone: '+33 6 12 34 56 78', name: 'Ada L.' }), 201);
    expect(created).toEqual({
      id: expect.stringMatching(/^eu_/) as string,
      email,
      phone: '+33612345678',
      name: 'Ada L.',
      status: 'active',
      createdAt: expect.any(String) as string,
      updatedAt: created.createdAt,
    });
    expect(expectData(await owner().GET('/v2/organizations/{orgId}/users/{userId}', ofUser(created.id)), 200)).toEqual(created);
    expect(await signInDirectory().findEndUserByEmail(orgId, email.toUpperCase())).toMatchObject({ id: created.id, organizationId: orgId });
    expect(await signInDirectory().findEndUser(orgId, created.id)).toMatchObject({ email, phone: '+33612345678' });
  });

  it('refuses an email another user has, whatever its case (409 email_taken)', async () => {
    const user = await createEndUser(api, orgId, token);
    expectProblem(await createUser({ email: user.email.toUpperCase(), phone: uniquePhone() }), 409, 'email_taken');
    // Another organization is another namespace.
    const otherOrg = (await createOrganization(api, account.accountId, token)).id;
    expectData(await createUser({ email: user.email, phone: uniquePhone() }, otherOrg), 201);
  });

  it('lets exactly one of concurrent creates with one email win', async () => {
    const email = uniqueEndUserEmail('race');
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => createUser({ email: i % 2 ? email.toLowerCase() : email.toUpperCase(), phone: uniquePhone() })),
    );
    expect(answers.filter((a) => a.response.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.response.status === 409)).toHaveLength(7);
    const found = await owner().GET('/v2/organizations/{orgId}/users', { params: { path: { orgId }, query: { email } } });
    expect(expectData(found, 200).items).toHaveLength(1);
  });

  it('refuses phones that are not valid international numbers, naming the field', async () => {
    // Wrong types and missing fields among them: raw.
    for (const phone of ['0612345678', '+336', '+999123456789', 'not a phone', '+33 6 12 34 56 78 90', 33612345678]) {
      const response = await api.raw('POST', usersPath(), { token, body: { email: uniqueEndUserEmail(), phone } });
      expect(response.status, String(phone)).toBe(400);
      expect(response.body, String(phone)).toMatchObject({ errors: [{ field: 'body.phone' }] });
    }
    for (const email of ['nope', '', 'a@', 42]) {
      const response = await api.raw('POST', usersPath(), { token, body: { email, phone: uniquePhone() } });
      expect(response.body, String(email)).toMatchObject({ errors: [{ field: 'body.email' }] });
    }
    const missing = await api.raw('POST', usersPath(), { token, body: { email: uniqueEndUserEmail() } });
    expect(missing.body).toMatchObject({ errors: [{ field: 'body.phone', message: 'is required' }] });
  });
});

describe('changing an end user', () => {
  it('moves the email reservation: the old email is free, the new one taken', async () => {
    const user = await createEndUser(api, orgId, token);
    const other = await createEndUser(api, orgId, token);
    const newEmail = uniqueEndUserEmail('moved');

    const update = (body: { email: string }) => owner().PATCH('/v2/organizations/{orgId}/users/{userId}', { ...ofUser(user.id), body });
    expectProblem(await update({ email: other.email.toLowerCase() }), 409, 'email_taken');

    const moved = expectData(await update({ email: newEmail }), 200);
    expect(moved.email).toBe(newEmail);
    expect(await signInDirectory().findEndUserByEmail(orgId, user.email)).toBeUndefined();
    expect((await signInDirectory().findEndUserByEmail(orgId, newEmail))?.id).toBe(user.id);
    expect(await rawItem(endUserEmailKey(orgId, user.email.toLowerCase()))).toBeUndefined();

    expectData(await createUser({ email: user.email, phone: uniquePhone() }), 201);
    expectProblem(await createUser({ email: newEmail.toUpperCase(), phone: uniquePhone() }), 409, 'email_taken');

    // Only the case changes: the same reservation.
    expectData(await update({ email: newEmail.toLowerCase() }), 200);
    expect((await signInDirectory().findEndUserByEmail(orgId, newEmail))?.email).toBe(newEmail.toLowerCase());
  });

  it('lets exactly one of two users racing for one new email get it', async () => {
    const [a, b] = await Promise.all([createEndUser(api, orgId, token), createEndUser(api, orgId, token)]);
    const email = uniqueEndUserEmail('contested');
    const answers = await Promise.all([a, b].map((u) => owner().PATCH('/v2/organizations/{orgId}/users/{userId}', { ...ofUser(u.id), body: { email } })));
    expect(answers.map((r) => r.response.status).sort()).toEqual([200, 409]);
    const winner = answers[0]?.response.status === 200 ? a : b;
    expect((await signInDirectory().findEndUserByEmail(orgId, email))?.id).toBe(winner.id);
  });

  it('changes phone, name and status; only the fields sent', async () => {
    const user = await createEndUser(api, orgId, token, { name: 'Grace' });
    const path = ofUser(user.id);
    const phone = await owner().PATCH('/v2/organizations/{orgId}/users/{userId}', { ...path, body: { phone: '+49 170 1234567' } });
    expect(expectData(phone, 200)).toMatchObject({ phone: '+491701234567', name: 'Grace', email: user.email, status: 'active' });
    const disabled = await owner().PATCH('/v2/organizations/{orgId}/users/{userId}', { ...path, body: { status: 'disabled', name: null } });
    expect(expectData(disabled, 200)).toMatchObject({ status: 'disabled', name: null, phone: '+491701234567' });
    expect(await signInDirectory().findEndUser(orgId, user.id)).toMatchObject({ status: 'disabled' });
    // Not a status the contract knows: raw.
    const bad = await api.raw('PATCH', `${usersPath()}/${user.id}`, { token, body: { status: 'locked' } });
    expect(bad.body).toMatchObject({ errors: [{ field: 'body.status' }] });

    const events = (await eventsOf(account.accountId)).filter((e) => e.target?.id === user.id);
    expect(events.map((e) => e.type).sort()).toEqual(['enduser.created', 'enduser.disabled', 'enduser.updated']);
    expect(events.find((e) => e.type === 'enduser.updated')?.details).toMatchObject({ fields: ['phone'], phone: '+49********67' });
  });

  it('answers 404 for an unknown user', async () => {
    const missing = ofUser('eu_missing');
    expectProblem(await owner().PATCH('/v2/organizations/{orgId}/users/{userId}', { ...missing, body: { name: 'x' } }), 404);
    expectProblem(await owner().GET('/v2/organizations/{orgId}/users/{userId}', missing), 404);
    expectProblem(await owner().DELETE('/v2/organizations/{orgId}/users/{userId}', missing), 404);
  });
});

describe('deleting an end user', () => {
  it('removes the user, its email reservation and its grants; nothing is reachable afterwards', async () => {
    const user = await createEndUser(api, orgId, token);
    const systems = await Promise.all([createSystem(api, orgId, token), createSystem(api, orgId, token)]);
    for (const system of systems) await grantAccess(api, orgId, token, system.name, user.id);

    expectStatus(await owner().DELETE('/v2/organizations/{orgId}/users/{userId}', ofUser(user.id)), 204);

    expectProblem(await owner().GET('/v2/organizations/{orgId}/users/{userId}', ofUser(user.id)), 404);
    expect(await signInDirectory().findEndUserByEmail(orgId, user.email)).toBeUndefined();
    expect(await rawItem(endUserEmailKey(orgId, user.email.toLowerCase()))).toBeUndefined();
    for (const system of systems) {
      expect(await signInDirectory().hasAccess(orgId, system.name, user.id)).toBe(false);
      const access = await owner().GET('/v2/organizations/{orgId}/systems/{systemName}/access', { params: { path: { orgId, systemName: system.name } } });
      expect(expectData(access, 200).items).toEqual([]);
      const grant = await owner().PUT('/v2/organizations/{orgId}/systems/{systemName}/access/{userId}', {
        params: { path: { orgId, systemName: system.name, userId: user.id } },
      });
      expectProblem(grant, 404);
    }
    // The email can be used again.
    expectData(await createUser({ email: user.email, phone: uniquePhone() }), 201);

    const deleted = (await eventsOf(account.accountId)).find((e) => e.type === 'enduser.deleted' && e.target?.id === user.id);
    expect(deleted).toMatchObject({ organizationId: orgId, details: { grantsRemoved: 2, email: user.email } });
  });
});

describe('listing end users', () => {
  it('pages oldest first and finds one by email', async () => {
    const org = (await createOrganization(api, account.accountId, token)).id;
    const created: EndUserBody[] = [];
    for (let i = 0; i < 3; i++) created.push(await createEndUser(api, org, token));
    const list = (query: { limit?: number; cursor?: string; email?: string }) => owner().GET('/v2/organizations/{orgId}/users', { params: { path: { orgId: org }, query } });
    const first = expectData(await list({ limit: 2 }), 200);
    expect(first.items.map((u) => u.id)).toEqual(created.slice(0, 2).map((u) => u.id));
    const second = expectData(await list({ limit: 2, cursor: first.nextCursor ?? '' }), 200);
    expect(second.items.map((u) => u.id)).toEqual([created[2]?.id]);
    expect(second.nextCursor).toBeNull();

    const target = created[1];
    const byEmail = expectData(await list({ email: target?.email.toUpperCase() ?? '' }), 200);
    expect(byEmail).toEqual({ items: [target], nextCursor: null });
    expect(expectData(await list({ email: 'nobody@example.com' }), 200).items).toEqual([]);
    expect(expectProblem(await list({ email: 'nope' }), 400)).toMatchObject({ errors: [{ field: 'query.email' }] });
    expect(expectProblem(await list({ cursor: '%%%' }), 400)).toMatchObject({ errors: [{ field: 'query.cursor' }] });
  });
});

describe('audit', () => {
  it('never writes a full phone number into an event', async () => {
    const user = await createEndUser(api, orgId, token, { phone: '+33698765432' });
    expectData(await owner().PATCH('/v2/organizations/{orgId}/users/{userId}', { ...ofUser(user.id), body: { phone: '+33698765433' } }), 200);
    expectStatus(await owner().DELETE('/v2/organizations/{orgId}/users/{userId}', ofUser(user.id)), 204);
    const events = await eventsOf(account.accountId);
    const created = events.find((e) => e.type === 'enduser.created' && e.target?.id === user.id);
    expect(created).toMatchObject({ organizationId: orgId, actor: { kind: 'operator', id: account.owner.userId }, details: { email: user.email, phone: '+33*******32' } });
    const text = JSON.stringify(events);
    expect(text).not.toContain('698765432');
    expect(text).not.toContain('698765433');
  });
});
