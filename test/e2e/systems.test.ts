/**
 * Systems over HTTP: create with a validated policy, read, list, replace the policy, delete with its
 * grants; each change audited.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RequestBody } from '#client/index.ts';
import { signInDirectory } from '#shared/compose/directory.ts';
import { expectData, expectProblem, expectStatus, useLocalApi } from '#test/support/local-api.ts';
import { createAccount, type TestAccount } from '#test/support/tenancy.ts';
import { createApiKey, createOrganization, eventsOf } from '#test/support/organizations.ts';
import { createEndUser, createSystem, grantAccess, uniqueSystemName } from '#test/support/directory.ts';

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
/** Path parameters of an organization's systems. */
const inOrg = (org = orgId) => ({ params: { path: { orgId: org } } });
/** Path parameters of one system. */
const ofSystem = (systemName: string, org = orgId) => ({ params: { path: { orgId: org, systemName } } });
/** Untyped, for bodies the contract refuses on purpose. */
const systemsPath = () => `/v2/organizations/${orgId}/systems`;

describe('creating a system', () => {
  it('answers 201 with the policy and its defaults filled in', async () => {
    const name = uniqueSystemName('Portal');
    const created = expectData(
      await owner().POST('/v2/organizations/{orgId}/systems', {
        ...inOrg(),
        body: { name, policy: { factors: ['pin'], rules: [{ if: { sensitivity: ['high'] }, factors: ['pin', 'totp'] }] } },
      }),
      201,
    );
    expect(created).toEqual({
      name,
      policy: {
        factors: ['pin'],
        rules: [{ if: { sensitivity: ['high'] }, factors: ['pin', 'totp'] }],
        pin: { length: 6, ttlSeconds: 300, maxAttempts: 5 },
        passwordless: { ttlSeconds: 600 },
        tokenTtlSeconds: 3600,
      },
      passwordlessUrl: null,
      // As an OAuth client (SPEC §9): public, no redirect URI, ES256 tokens until told otherwise.
      redirectUris: [],
      tokenSigningAlg: 'ES256',
      webauthn: null,
      hasClientSecret: false,
      createdAt: expect.any(String) as string,
      updatedAt: created.createdAt,
    });
    expect(expectData(await owner().GET('/v2/organizations/{orgId}/systems/{systemName}', ofSystem(name)), 200)).toEqual(created);
    expect(await signInDirectory().findSystem(orgId, name)).toMatchObject({ organizationId: orgId, name, passwordlessUrl: null });
  });

  it('refuses a second system with the same name (409 system_exists); names are case-sensitive', async () => {
    const name = uniqueSystemName('crm');
    await createSystem(api, orgId, token, { name });
    expectProblem(await owner().POST('/v2/organizations/{orgId}/systems', { ...inOrg(), body: { name, policy: { factors: ['totp'] } } }), 409, 'system_exists');
    expect(expectData(await owner().GET('/v2/organizations/{orgId}/systems/{systemName}', ofSystem(name)), 200).policy.factors).toEqual(['pin']);
    expectData(await owner().POST('/v2/organizations/{orgId}/systems', { ...inOrg(), body: { name: name.toUpperCase(), policy: { factors: ['pin'] } } }), 201);
  });

  it('lets two concurrent creates of one name produce exactly one system', async () => {
    const name = uniqueSystemName('race');
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => owner().POST('/v2/organizations/{orgId}/systems', { ...inOrg(), body: { name, policy: { factors: ['pin'] } } })),
    );
    expect(answers.map((a) => a.response.status).sort()).toEqual([201, 409, 409, 409, 409]);
  });

  it('requires an https passwordlessUrl when the policy uses passwordless', async () => {
    const name = uniqueSystemName('links');
    const create = (body: RequestBody<'/v2/organizations/{orgId}/systems', 'post'>) => owner().POST('/v2/organizations/{orgId}/systems', { ...inOrg(), body });
    const missing = await create({ name, policy: { factors: ['passwordless'] } });
    expect(expectProblem(missing, 400)).toMatchObject({ errors: [{ field: 'body.passwordlessUrl' }] });
    const inRule = await create({ name, policy: { factors: ['pin'], rules: [{ if: { ipCidr: ['10.0.0.0/8'] }, factors: ['passwordless'] }] } });
    expect(expectProblem(inRule, 400)).toMatchObject({ errors: [{ field: 'body.passwordlessUrl' }] });
    const http = await create({ name, policy: { factors: ['passwordless'] }, passwordlessUrl: 'http://app.example.com/m' });
    expect(expectProblem(http, 400)).toMatchObject({ errors: [{ field: 'body.passwordlessUrl', message: 'must be an https URL' }] });
    const created = expectData(await create({ name, policy: { factors: ['passwordless'] }, passwordlessUrl: 'https://app.example.com/magic' }), 201);
    expect(created.passwordlessUrl).toBe('https://app.example.com/magic');
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
    // Unknown factors and a missing policy do not compile with the typed client: raw.
    for (const [policy, field] of cases) {
      const response = await api.raw('POST', systemsPath(), { token, body: { name: uniqueSystemName(), ...(policy === undefined ? {} : { policy }) } });
      expect(response.status, field).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.body, field).toMatchObject({ code: 'validation_failed', errors: [{ field }] });
    }
    for (const name of ['', '-lead', 'has space', 'a#b', 'x'.repeat(65), 'é']) {
      const response = await owner().POST('/v2/organizations/{orgId}/systems', { ...inOrg(), body: { name, policy: { factors: ['pin'] } } });
      expect(expectProblem(response, 400), name).toMatchObject({ errors: [{ field: 'body.name' }] });
    }
  });
});

describe('listing systems', () => {
  it('pages through the organization’s systems in name order', async () => {
    const org = (await createOrganization(api, account.accountId, token)).id;
    const names = ['b-sys', 'a-sys', 'c-sys'];
    for (const name of names) await createSystem(api, org, token, { name });
    const list = (cursor?: string) =>
      owner().GET('/v2/organizations/{orgId}/systems', { params: { path: { orgId: org }, query: { limit: 2, ...(cursor ? { cursor } : {}) } } });
    const first = expectData(await list(), 200);
    expect(first.items.map((s) => s.name)).toEqual(['a-sys', 'b-sys']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = expectData(await list(first.nextCursor ?? undefined), 200);
    expect(second.items.map((s) => s.name)).toEqual(['c-sys']);
    expect(second.nextCursor).toBeNull();
  });

  it('refuses a cursor of another listing', async () => {
    const foreign = Buffer.from(JSON.stringify({ pk: 'x', sk: 'y' })).toString('base64url');
    const response = await owner().GET('/v2/organizations/{orgId}/systems', { params: { path: { orgId }, query: { cursor: foreign } } });
    expect(expectProblem(response, 400)).toMatchObject({ errors: [{ field: 'query.cursor' }] });
  });
});

describe('updating a system', () => {
  it('replaces the policy as a whole and sets or clears the passwordlessUrl', async () => {
    const system = await createSystem(api, orgId, token, { policy: { factors: ['pin'], pin: { length: 8 } } });
    const path = ofSystem(system.name);
    const replaced = expectData(
      await owner().PATCH('/v2/organizations/{orgId}/systems/{systemName}', { ...path, body: { policy: { factors: ['pin', 'totp'], tokenTtlSeconds: 600 } } }),
      200,
    );
    expect(replaced.policy).toMatchObject({ factors: ['pin', 'totp'], tokenTtlSeconds: 600, pin: { length: 6 } });
    expect(replaced.updatedAt >= system.updatedAt).toBe(true);
    expect(expectData(await owner().GET('/v2/organizations/{orgId}/systems/{systemName}', path), 200)).toEqual(replaced);

    const linkOnly = await owner().PATCH('/v2/organizations/{orgId}/systems/{systemName}', { ...path, body: { policy: { factors: ['passwordless'] } } });
    expect(expectProblem(linkOnly, 400)).toMatchObject({ errors: [{ field: 'body.passwordlessUrl' }] });

    const withUrl = await owner().PATCH('/v2/organizations/{orgId}/systems/{systemName}', {
      ...path,
      body: { policy: { factors: ['passwordless'] }, passwordlessUrl: 'https://a.example.com/in' },
    });
    expect(expectData(withUrl, 200)).toMatchObject({ passwordlessUrl: 'https://a.example.com/in', policy: { factors: ['passwordless'] } });
    const clear = await owner().PATCH('/v2/organizations/{orgId}/systems/{systemName}', { ...path, body: { passwordlessUrl: null } });
    expect(expectProblem(clear, 400)).toMatchObject({ errors: [{ field: 'body.passwordlessUrl' }] });

    const back = await owner().PATCH('/v2/organizations/{orgId}/systems/{systemName}', { ...path, body: { policy: { factors: ['pin'] }, passwordlessUrl: null } });
    expect(expectData(back, 200)).toMatchObject({ passwordlessUrl: null, policy: { factors: ['pin'] } });
  });

  it('keeps the name immutable and answers 404 for an unknown system', async () => {
    const system = await createSystem(api, orgId, token);
    // `name` is not a PATCH field, so the typed client cannot send it: raw.
    const rename = await api.raw('PATCH', `${systemsPath()}/${system.name}`, { token, body: { name: 'other' } });
    expect(rename.status).toBe(400);
    expect(rename.body).toMatchObject({ errors: [{ field: 'body.name', message: 'is not allowed' }] });
    const missing = await owner().PATCH('/v2/organizations/{orgId}/systems/{systemName}', { ...ofSystem(uniqueSystemName('nope')), body: { policy: { factors: ['pin'] } } });
    expectProblem(missing, 404);
  });
});

describe('deleting a system', () => {
  it('removes the system and every grant to it, in one audited change', async () => {
    const system = await createSystem(api, orgId, token);
    const users = await Promise.all([createEndUser(api, orgId, token), createEndUser(api, orgId, token)]);
    for (const user of users) await grantAccess(api, orgId, token, system.name, user.id);

    const path = ofSystem(system.name);
    expectStatus(await owner().DELETE('/v2/organizations/{orgId}/systems/{systemName}', path), 204);

    expectProblem(await owner().GET('/v2/organizations/{orgId}/systems/{systemName}', path), 404);
    expectProblem(await owner().GET('/v2/organizations/{orgId}/systems/{systemName}/access', path), 404);
    expectProblem(await owner().DELETE('/v2/organizations/{orgId}/systems/{systemName}', path), 404);
    for (const user of users) expect(await signInDirectory().hasAccess(orgId, system.name, user.id)).toBe(false);

    // A new system of the same name starts with no grants.
    await createSystem(api, orgId, token, { name: system.name });
    const access = expectData(await owner().GET('/v2/organizations/{orgId}/systems/{systemName}/access', path), 200);
    expect(access.items).toEqual([]);
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
    expectStatus(await owner().DELETE('/v2/organizations/{orgId}/systems/{systemName}', ofSystem(system.name)), 204);
    await createSystem(api, orgId, token, { name: system.name });
    for (const user of users.slice(0, 5)) expect(await signInDirectory().hasAccess(orgId, system.name, user.id)).toBe(false);
    const access = await owner().GET('/v2/organizations/{orgId}/systems/{systemName}/access', {
      params: { path: { orgId, systemName: system.name }, query: { limit: 100 } },
    });
    expect(expectData(access, 200).items).toEqual([]);
  }, 30_000);
});

describe('audit', () => {
  it('records system.created and system.updated with the actor, organization and request', async () => {
    const key = await createApiKey(account.accountId, ['manage'], 'all');
    const system = await createSystem(api, orgId, { headers: { apikey: key } });
    const updated = await api.as({ apikey: key }).PATCH('/v2/organizations/{orgId}/systems/{systemName}', { ...ofSystem(system.name), body: { policy: { factors: ['totp'] } } });
    expectData(updated, 200);
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
    expectStatus(await owner().DELETE('/v2/organizations/{orgId}', inOrg(org)), 204);
    expectProblem(await owner().GET('/v2/organizations/{orgId}/systems', inOrg(org)), 404);
    expectProblem(await owner().GET('/v2/organizations/{orgId}/systems/{systemName}', ofSystem(system.name, org)), 404);
    expectProblem(await owner().POST('/v2/organizations/{orgId}/systems', { ...inOrg(org), body: { name: 'x', policy: { factors: ['pin'] } } }), 404);
  });
});
