/**
 * Systems over HTTP: create with a validated policy, read, list, replace the policy, delete with its
 * grants; each change audited.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { signInDirectory } from '#shared/container.ts';
import { useLocalApi } from '#test/support/local-api.ts';
import { createAccount, type TestAccount } from '#test/support/tenancy.ts';
import { createApiKey, createOrganization, eventsOf } from '#test/support/organizations.ts';
import { createEndUser, createSystem, grantAccess, uniqueSystemName, type SystemBody } from '#test/support/directory.ts';

const api = useLocalApi();

let account: TestAccount;
let orgId: string;
let token: string;

beforeAll(async () => {
  account = await createAccount(api);
  token = account.owner.accessToken;
  orgId = (await createOrganization(api, account.accountId, token)).id;
}, 60_000);

const systemsPath = () => `/v2/organizations/${orgId}/systems`;

describe('creating a system', () => {
  it('answers 201 with the policy and its defaults filled in', async () => {
    const name = uniqueSystemName('Portal');
    const response = await api.request<SystemBody>('POST', systemsPath(), {
      token,
      body: { name, policy: { factors: ['pin'], rules: [{ if: { sensitivity: ['high'] }, factors: ['pin', 'totp'] }] } },
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      name,
      policy: {
        factors: ['pin'],
        rules: [{ if: { sensitivity: ['high'] }, factors: ['pin', 'totp'] }],
        pin: { length: 6, ttlSeconds: 300, maxAttempts: 5 },
        passwordless: { ttlSeconds: 600 },
        tokenTtlSeconds: 3600,
      },
      passwordlessUrl: null,
      createdAt: expect.any(String) as string,
      updatedAt: response.body.createdAt,
    });
    const read = await api.request('GET', `${systemsPath()}/${name}`, { token });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(response.body);
    expect(await signInDirectory().findSystem(orgId, name)).toMatchObject({ organizationId: orgId, name, passwordlessUrl: null });
  });

  it('refuses a second system with the same name (409 system_exists); names are case-sensitive', async () => {
    const name = uniqueSystemName('crm');
    await createSystem(api, orgId, token, { name });
    const again = await api.request('POST', systemsPath(), { token, body: { name, policy: { factors: ['totp'] } } });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'system_exists' });
    expect((await api.request<SystemBody>('GET', `${systemsPath()}/${name}`, { token })).body.policy.factors).toEqual(['pin']);
    expect((await api.request('POST', systemsPath(), { token, body: { name: name.toUpperCase(), policy: { factors: ['pin'] } } })).status).toBe(201);
  });

  it('lets two concurrent creates of one name produce exactly one system', async () => {
    const name = uniqueSystemName('race');
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => api.request('POST', systemsPath(), { token, body: { name, policy: { factors: ['pin'] } } })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409]);
  });

  it('requires an https passwordlessUrl when the policy uses passwordless', async () => {
    const name = uniqueSystemName('links');
    const missing = await api.request('POST', systemsPath(), { token, body: { name, policy: { factors: ['passwordless'] } } });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ errors: [{ field: 'body.passwordlessUrl' }] });
    const inRule = await api.request('POST', systemsPath(), {
      token,
      body: { name, policy: { factors: ['pin'], rules: [{ if: { ipCidr: ['10.0.0.0/8'] }, factors: ['passwordless'] }] } },
    });
    expect(inRule.body).toMatchObject({ errors: [{ field: 'body.passwordlessUrl' }] });
    const http = await api.request('POST', systemsPath(), { token, body: { name, policy: { factors: ['passwordless'] }, passwordlessUrl: 'http://app.example.com/m' } });
    expect(http.status).toBe(400);
    expect(http.body).toMatchObject({ errors: [{ field: 'body.passwordlessUrl', message: 'must be an https URL' }] });
    const created = await api.request<SystemBody>('POST', systemsPath(), {
      token,
      body: { name, policy: { factors: ['passwordless'] }, passwordlessUrl: 'https://app.example.com/magic' },
    });
    expect(created.status).toBe(201);
    expect(created.body.passwordlessUrl).toBe('https://app.example.com/magic');
  });

  it('refuses bad policies naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ factors: ['pin', 'sms'] }, 'body.policy.factors.1'],
      [{ factors: ['pin'], rules: [{ if: { ipCidr: ['10.0.0.0/33'] }, factors: ['pin'] }] }, 'body.policy.rules.0.if.ipCidr.0'],
      [{ factors: ['pin'], rules: [{ if: { ipCidr: ['2001:db8::/32', '2001:db8::g/48'] }, factors: ['pin'] }] }, 'body.policy.rules.0.if.ipCidr.1'],
      [{ factors: ['pin'], pin: { length: 4 } }, 'body.policy.pin.length'],
      [{ factors: ['pin'], pin: { ttlSeconds: 3600 } }, 'body.policy.pin.ttlSeconds'],
      [{ factors: ['pin'], pin: { maxAttempts: 50 } }, 'body.policy.pin.maxAttempts'],
      [{ factors: ['pin'], tokenTtlSeconds: 10 }, 'body.policy.tokenTtlSeconds'],
      [undefined, 'body.policy'],
    ];
    for (const [policy, field] of cases) {
      const response = await api.request('POST', systemsPath(), { token, body: { name: uniqueSystemName(), ...(policy === undefined ? {} : { policy }) } });
      expect(response.status, field).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.body, field).toMatchObject({ code: 'validation_failed', errors: [{ field }] });
    }
    for (const name of ['', '-lead', 'has space', 'a#b', 'x'.repeat(65), 'é']) {
      const response = await api.request('POST', systemsPath(), { token, body: { name, policy: { factors: ['pin'] } } });
      expect(response.body, name).toMatchObject({ errors: [{ field: 'body.name' }] });
    }
  });
});

describe('listing systems', () => {
  it('pages through the organization’s systems in name order', async () => {
    const org = (await createOrganization(api, account.accountId, token)).id;
    const names = ['b-sys', 'a-sys', 'c-sys'];
    for (const name of names) await createSystem(api, org, token, { name });
    const first = await api.request<{ items: SystemBody[]; nextCursor: string | null }>('GET', `/v2/organizations/${org}/systems?limit=2`, { token });
    expect(first.body.items.map((s) => s.name)).toEqual(['a-sys', 'b-sys']);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await api.request<{ items: SystemBody[]; nextCursor: string | null }>(
      'GET',
      `/v2/organizations/${org}/systems?limit=2&cursor=${first.body.nextCursor}`,
      { token },
    );
    expect(second.body.items.map((s) => s.name)).toEqual(['c-sys']);
    expect(second.body.nextCursor).toBeNull();
  });

  it('refuses a cursor of another listing', async () => {
    const foreign = Buffer.from(JSON.stringify({ pk: 'x', sk: 'y' })).toString('base64url');
    const response = await api.request('GET', `${systemsPath()}?cursor=${foreign}`, { token });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ errors: [{ field: 'query.cursor' }] });
  });
});

describe('updating a system', () => {
  it('replaces the policy as a whole and sets or clears the passwordlessUrl', async () => {
    const system = await createSystem(api, orgId, token, { policy: { factors: ['pin'], pin: { length: 8 } } });
    const path = `${systemsPath()}/${system.name}`;
    const replaced = await api.request<SystemBody>('PATCH', path, { token, body: { policy: { factors: ['pin', 'totp'], tokenTtlSeconds: 600 } } });
    expect(replaced.status).toBe(200);
    expect(replaced.body.policy).toMatchObject({ factors: ['pin', 'totp'], tokenTtlSeconds: 600, pin: { length: 6 } });
    expect(replaced.body.updatedAt >= system.updatedAt).toBe(true);
    expect((await api.request('GET', path, { token })).body).toEqual(replaced.body);

    const linkOnly = await api.request('PATCH', path, { token, body: { policy: { factors: ['passwordless'] } } });
    expect(linkOnly.status).toBe(400);
    expect(linkOnly.body).toMatchObject({ errors: [{ field: 'body.passwordlessUrl' }] });

    const withUrl = await api.request<SystemBody>('PATCH', path, { token, body: { policy: { factors: ['passwordless'] }, passwordlessUrl: 'https://a.example.com/in' } });
    expect(withUrl.body).toMatchObject({ passwordlessUrl: 'https://a.example.com/in', policy: { factors: ['passwordless'] } });
    const clear = await api.request('PATCH', path, { token, body: { passwordlessUrl: null } });
    expect(clear.status).toBe(400);
    expect(clear.body).toMatchObject({ errors: [{ field: 'body.passwordlessUrl' }] });

    const back = await api.request<SystemBody>('PATCH', path, { token, body: { policy: { factors: ['pin'] }, passwordlessUrl: null } });
    expect(back.body).toMatchObject({ passwordlessUrl: null, policy: { factors: ['pin'] } });
  });

  it('keeps the name immutable and answers 404 for an unknown system', async () => {
    const system = await createSystem(api, orgId, token);
    const rename = await api.request('PATCH', `${systemsPath()}/${system.name}`, { token, body: { name: 'other' } });
    expect(rename.status).toBe(400);
    expect(rename.body).toMatchObject({ errors: [{ field: 'body.name', message: 'is not allowed' }] });
    const missing = await api.request('PATCH', `${systemsPath()}/${uniqueSystemName('nope')}`, { token, body: { policy: { factors: ['pin'] } } });
    expect(missing.status).toBe(404);
  });
});

describe('deleting a system', () => {
  it('removes the system and every grant to it, in one audited change', async () => {
    const system = await createSystem(api, orgId, token);
    const users = await Promise.all([createEndUser(api, orgId, token), createEndUser(api, orgId, token)]);
    for (const user of users) await grantAccess(api, orgId, token, system.name, user.id);

    const response = await api.request('DELETE', `${systemsPath()}/${system.name}`, { token });
    expect(response.status).toBe(204);

    expect((await api.request('GET', `${systemsPath()}/${system.name}`, { token })).status).toBe(404);
    expect((await api.request('GET', `${systemsPath()}/${system.name}/access`, { token })).status).toBe(404);
    expect((await api.request('DELETE', `${systemsPath()}/${system.name}`, { token })).status).toBe(404);
    for (const user of users) expect(await signInDirectory().hasAccess(orgId, system.name, user.id)).toBe(false);

    // A new system of the same name starts with no grants.
    await createSystem(api, orgId, token, { name: system.name });
    const access = await api.request<{ items: unknown[] }>('GET', `${systemsPath()}/${system.name}/access`, { token });
    expect(access.body.items).toEqual([]);
    for (const user of users) expect(await signInDirectory().hasAccess(orgId, system.name, user.id)).toBe(false);

    const deleted = (await eventsOf(account.accountId)).find((e) => e.type === 'system.deleted' && e.target?.id === system.name);
    expect(deleted).toMatchObject({ organizationId: orgId, actor: { kind: 'operator', id: account.owner.userId }, details: { grantsRemoved: 2 } });
  });

  it('removes more grants than fit in one transaction', async () => {
    const system = await createSystem(api, orgId, token);
    const users = await Promise.all(Array.from({ length: 52 }, () => createEndUser(api, orgId, token)));
    // A few at a time: every grant of one system also bumps the system's grantVersion.
    for (let start = 0; start < users.length; start += 6) {
      await Promise.all(users.slice(start, start + 6).map((user) => grantAccess(api, orgId, token, system.name, user.id)));
    }
    expect((await api.request('DELETE', `${systemsPath()}/${system.name}`, { token })).status).toBe(204);
    await createSystem(api, orgId, token, { name: system.name });
    for (const user of users.slice(0, 5)) expect(await signInDirectory().hasAccess(orgId, system.name, user.id)).toBe(false);
    const access = await api.request<{ items: unknown[] }>('GET', `${systemsPath()}/${system.name}/access?limit=100`, { token });
    expect(access.body.items).toEqual([]);
  }, 30_000);
});

describe('audit', () => {
  it('records system.created and system.updated with the actor, organization and request', async () => {
    const key = await createApiKey(account.accountId, ['manage'], 'all');
    const system = await createSystem(api, orgId, { headers: { apikey: key } });
    await api.request('PATCH', `${systemsPath()}/${system.name}`, { headers: { apikey: key }, body: { policy: { factors: ['totp'] } } });
    const events = (await eventsOf(account.accountId)).filter((e) => e.target?.id === system.name);
    expect(events.map((e) => e.type).sort()).toEqual(['system.created', 'system.updated']);
    for (const event of events) {
      expect(event).toMatchObject({ organizationId: orgId, actor: { kind: 'key' }, target: { type: 'system', id: system.name } });
      expect(event.requestId).toEqual(expect.any(String));
      expect(event.sourceIp).toEqual(expect.any(String));
    }
  });
});

describe('a deleted organization', () => {
  it('answers 404 on its systems', async () => {
    const org = (await createOrganization(api, account.accountId, token)).id;
    const system = await createSystem(api, org, token);
    expect((await api.request('DELETE', `/v2/organizations/${org}`, { token })).status).toBe(204);
    expect((await api.request('GET', `/v2/organizations/${org}/systems`, { token })).status).toBe(404);
    expect((await api.request('GET', `/v2/organizations/${org}/systems/${system.name}`, { token })).status).toBe(404);
    expect((await api.request('POST', `/v2/organizations/${org}/systems`, { token, body: { name: 'x', policy: { factors: ['pin'] } } })).status).toBe(404);
  });
});
