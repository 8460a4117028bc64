/**
 * Systems as OAuth 2.0 clients of their organization's issuer (SPEC §9): `redirectUris` and
 * `tokenSigningAlg` on create and PATCH, checked field by field; the client secret (`POST|DELETE
 * …/systems/{systemName}/secret`) shown once, stored as a SHA-256 only, replaced atomically and audited.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { signInDirectory } from '#shared/compose/directory.ts';
import { verifyClientSecret } from '#shared/domain/directory/systems.ts';
import { hashSecret } from '#shared/domain/kernel/secrets.ts';
import { expectData, expectProblem, expectStatus, useLocalApi } from '#test/support/local-api.ts';
import { createAccount, type TestAccount } from '#test/support/tenancy.ts';
import { createOrganization, eventsOf } from '#test/support/organizations.ts';
import { createSystem, uniqueSystemName } from '#test/support/directory.ts';

const api = useLocalApi();

let account: TestAccount;
let orgId: string;
let token: string;

beforeAll(async () => {
  account = await createAccount(api);
  token = account.owner.accessToken;
  orgId = (await createOrganization(api, account.accountId, token)).id;
}, 60_000);

const owner = () => api.as(token);
const ofSystem = (systemName: string) => ({ params: { path: { orgId, systemName } } });
const systemsPath = () => `/v2/organizations/${orgId}/systems`;

/** The stored system, as the token endpoint will read it. */
async function stored(name: string) {
  const system = await signInDirectory().findSystem(orgId, name);
  if (!system) throw new Error(`no system ${name}`);
  return system;
}

describe('redirect URIs and the token signing algorithm', () => {
  it('are stored exactly as given and shown, with hasClientSecret; defaults are [] and ES256', async () => {
    const name = uniqueSystemName('client');
    // Upper-case host, explicit port, query: a normalizing parser would change each; the exact string is kept.
    const redirectUris = ['https://App.Example.com:443/cb?tenant=a', 'http://localhost:5173/callback', 'http://127.0.0.1:8080/cb'];
    const created = expectData(
      await owner().POST('/v2/organizations/{orgId}/systems', { params: { path: { orgId } }, body: { name, policy: { factors: ['pin'] }, redirectUris, tokenSigningAlg: 'RS256' } }),
      201,
    );
    expect(created).toMatchObject({ name, redirectUris, tokenSigningAlg: 'RS256', hasClientSecret: false });
    expect(created).not.toHaveProperty('clientSecretHash');
    expect(expectData(await owner().GET('/v2/organizations/{orgId}/systems/{systemName}', ofSystem(name)), 200)).toEqual(created);
    expect(await stored(name)).toMatchObject({ redirectUris, tokenSigningAlg: 'RS256', clientSecretHash: null });

    const plain = await createSystem(api, orgId, token);
    expect(plain).toMatchObject({ redirectUris: [], tokenSigningAlg: 'ES256', hasClientSecret: false });
  });

  it('PATCH replaces the list (`[]` removes it) and switches the algorithm, audited with the fields', async () => {
    const system = await createSystem(api, orgId, token, { redirectUris: ['https://a.example.com/cb'] });
    const patch = (body: Record<string, unknown>) => owner().PATCH('/v2/organizations/{orgId}/systems/{systemName}', { ...ofSystem(system.name), body });

    expect(expectData(await patch({ redirectUris: ['https://b.example.com/cb', 'https://c.example.com/cb'], tokenSigningAlg: 'RS256' }), 200)).toMatchObject({
      redirectUris: ['https://b.example.com/cb', 'https://c.example.com/cb'],
      tokenSigningAlg: 'RS256',
      policy: { factors: ['pin'] },
    });
    expect(expectData(await patch({ policy: { factors: ['totp'] } }), 200)).toMatchObject({ redirectUris: ['https://b.example.com/cb', 'https://c.example.com/cb'], tokenSigningAlg: 'RS256' });
    expect(expectData(await patch({ redirectUris: [], tokenSigningAlg: 'ES256' }), 200)).toMatchObject({ redirectUris: [], tokenSigningAlg: 'ES256' });

    const updates = (await eventsOf(account.accountId)).filter((e) => e.type === 'system.updated' && e.target?.id === system.name);
    expect(updates.map((e) => (e.details as { fields: string[] }).fields.sort())).toEqual(
      expect.arrayContaining([['redirectUris', 'tokenSigningAlg'], ['policy']]),
    );
  });

  const badRedirectUris: [unknown, string, RegExp][] = [
    [['http://app.example.com/cb'], 'body.redirectUris.0', /https/],
    [['https://ok.example.com/cb', 'http://localhost.evil.example/cb'], 'body.redirectUris.1', /https/],
    [['http://127.0.0.1.nip.io/cb'], 'body.redirectUris.0', /https/],
    [['javascript:alert(1)'], 'body.redirectUris.0', /https/],
    [['app.example.com/cb'], 'body.redirectUris.0', /absolute/],
    [['/callback'], 'body.redirectUris.0', /absolute/],
    [['https://app.example.com/cb#section'], 'body.redirectUris.0', /fragment/],
    [['https://app.example.com/cb#'], 'body.redirectUris.0', /fragment/],
    [['https://user:pass@app.example.com/cb'], 'body.redirectUris.0', /credentials/],
    [[' https://app.example.com/cb'], 'body.redirectUris.0', /white space/],
    [['https://app.example.com/c\tb'], 'body.redirectUris.0', /white space/],
    [[`https://app.example.com/${'x'.repeat(2048)}`], 'body.redirectUris.0', /2048/],
    [[42], 'body.redirectUris.0', /string/],
    [['https://a.example.com/cb', 'https://a.example.com/cb'], 'body.redirectUris.1', /twice/],
    [Array.from({ length: 11 }, (_, i) => `https://a.example.com/cb${i}`), 'body.redirectUris', /at most 10/],
    ['https://a.example.com/cb', 'body.redirectUris', /array/],
  ];

  it.each(badRedirectUris)('refuses redirectUris %j with a 400 naming %s, on create and on PATCH', async (redirectUris, field, message) => {
    const system = await createSystem(api, orgId, token);
    const created = await api.raw('POST', systemsPath(), { token, body: { name: uniqueSystemName(), policy: { factors: ['pin'] }, redirectUris } });
    const patched = await api.raw('PATCH', `${systemsPath()}/${system.name}`, { token, body: { redirectUris } });
    for (const response of [created, patched]) {
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      // (A string where the list goes also gets zod's length issue on the same field: the first one says why.)
      expect(response.body).toMatchObject({ code: 'validation_failed', errors: expect.arrayContaining([{ field, message: expect.stringMatching(message) as string }]) as unknown });
      expect((response.body as { errors: { field: string }[] }).errors.every((error) => error.field === field)).toBe(true);
    }
    expect((await stored(system.name)).redirectUris).toEqual([]);
  });

  it('refuses any other algorithm (none, HS256, a lower-case name) naming body.tokenSigningAlg', async () => {
    const system = await createSystem(api, orgId, token);
    for (const tokenSigningAlg of ['none', 'HS256', 'es256', 'PS256', '', null, 1]) {
      const created = await api.raw('POST', systemsPath(), { token, body: { name: uniqueSystemName(), policy: { factors: ['pin'] }, tokenSigningAlg } });
      const patched = await api.raw('PATCH', `${systemsPath()}/${system.name}`, { token, body: { tokenSigningAlg } });
      for (const response of [created, patched]) {
        expect(response.status, String(tokenSigningAlg)).toBe(400);
        expect(response.body).toMatchObject({ errors: [{ field: 'body.tokenSigningAlg', message: 'must be ES256 or RS256' }] });
      }
    }
    expect((await stored(system.name)).tokenSigningAlg).toBe('ES256');
  });

  it('refuses a client secret or its hash set through the system body', async () => {
    const system = await createSystem(api, orgId, token);
    for (const member of ['clientSecret', 'clientSecretHash', 'hasClientSecret']) {
      const patched = await api.raw('PATCH', `${systemsPath()}/${system.name}`, { token, body: { [member]: hashSecret('chosen') } });
      expect(patched.body, member).toMatchObject({ errors: [{ field: `body.${member}`, message: 'is not allowed' }] });
    }
    expect((await stored(system.name)).clientSecretHash).toBeNull();
  });
});

describe('the client secret', () => {
  const secretOf = (systemName: string) => owner().POST('/v2/organizations/{orgId}/systems/{systemName}/secret', ofSystem(systemName));

  it('is answered once (201, no-store), stored as its SHA-256 only, and verified in constant time by verifyClientSecret', async () => {
    const system = await createSystem(api, orgId, token);

    const answer = await secretOf(system.name);
    const { clientId, clientSecret } = expectData(answer, 201);

    expect(clientId).toBe(system.name);
    expect(clientSecret).toMatch(/^pcs_[\w-]{43}$/);
    expect(answer.response.headers.get('cache-control')).toBe('no-store');
    const read = expectData(await owner().GET('/v2/organizations/{orgId}/systems/{systemName}', ofSystem(system.name)), 200);
    expect(read.hasClientSecret).toBe(true);
    expect(JSON.stringify(read)).not.toContain(clientSecret);
    expect(JSON.stringify(read)).not.toContain(hashSecret(clientSecret));
    const list = expectData(await owner().GET('/v2/organizations/{orgId}/systems', { params: { path: { orgId }, query: { limit: 100 } } }), 200);
    expect(JSON.stringify(list)).not.toContain(hashSecret(clientSecret));
    const at = await stored(system.name);
    expect(at.clientSecretHash).toBe(hashSecret(clientSecret));
    expect(JSON.stringify(at)).not.toContain(clientSecret);
    expect(verifyClientSecret(at, clientSecret)).toBe(true);
    expect(verifyClientSecret(at, `${clientSecret}x`)).toBe(false);
    expect(verifyClientSecret(at, '')).toBe(false);
    expect(verifyClientSecret({ clientSecretHash: null }, '')).toBe(false);
  });

  it('a new secret replaces the old one at once; both changes audited without the secret', async () => {
    const system = await createSystem(api, orgId, token);
    const first = expectData(await secretOf(system.name), 201).clientSecret;
    const second = expectData(await secretOf(system.name), 201).clientSecret;

    expect(second).not.toBe(first);
    const at = await stored(system.name);
    expect(verifyClientSecret(at, first)).toBe(false);
    expect(verifyClientSecret(at, second)).toBe(true);

    const events = (await eventsOf(account.accountId)).filter((e) => e.type === 'system.secret_rotated' && e.target?.id === system.name);
    expect(events.map((e) => e.details).sort((a, b) => String(a.replaced).localeCompare(String(b.replaced)))).toEqual([{ replaced: false }, { replaced: true }]);
    expect(events[0]).toMatchObject({ organizationId: orgId, actor: { kind: 'operator', id: account.owner.userId } });
    for (const secret of [first, second]) expect(JSON.stringify(events)).not.toContain(secret);
    expect(JSON.stringify(events)).not.toContain(hashSecret(second));
  });

  it('of a burst of concurrent rotations each answers 201 and exactly one secret is valid afterwards', async () => {
    const system = await createSystem(api, orgId, token);
    const answers = await Promise.all(Array.from({ length: 16 }, () => secretOf(system.name)));

    const secrets = answers.map((answer) => expectData(answer, 201).clientSecret);
    expect(new Set(secrets).size).toBe(16);
    const at = await stored(system.name);
    expect(secrets.filter((secret) => verifyClientSecret(at, secret))).toHaveLength(1);
    const events = (await eventsOf(account.accountId)).filter((e) => e.type === 'system.secret_rotated' && e.target?.id === system.name);
    expect(events).toHaveLength(16);
  });

  it('a PATCH racing a rotation never brings the old secret back', async () => {
    const system = await createSystem(api, orgId, token);
    const old = expectData(await secretOf(system.name), 201).clientSecret;
    const patches = Array.from({ length: 6 }, (_, i) =>
      owner().PATCH('/v2/organizations/{orgId}/systems/{systemName}', { ...ofSystem(system.name), body: { redirectUris: [`https://a.example.com/cb${i}`] } }),
    );
    const [rotated] = await Promise.all([secretOf(system.name), ...patches]);

    const at = await stored(system.name);
    expect(verifyClientSecret(at, expectData(rotated, 201).clientSecret)).toBe(true);
    expect(verifyClientSecret(at, old)).toBe(false);
  });

  it('DELETE makes the system a public client again (204), then 404; audited', async () => {
    const system = await createSystem(api, orgId, token);
    const { clientSecret } = expectData(await secretOf(system.name), 201);
    const remove = () => owner().DELETE('/v2/organizations/{orgId}/systems/{systemName}/secret', ofSystem(system.name));

    expectStatus(await remove(), 204);

    const at = await stored(system.name);
    expect(at.clientSecretHash).toBeNull();
    expect(verifyClientSecret(at, clientSecret)).toBe(false);
    expect(expectData(await owner().GET('/v2/organizations/{orgId}/systems/{systemName}', ofSystem(system.name)), 200).hasClientSecret).toBe(false);
    expectProblem(await remove(), 404, 'not_found');
    const deleted = (await eventsOf(account.accountId)).filter((e) => e.type === 'system.secret_deleted' && e.target?.id === system.name);
    expect(deleted).toHaveLength(1);
  });

  it('answers 404 for an unknown system, and 400 naming params.systemName for a malformed name', async () => {
    expectProblem(await secretOf(uniqueSystemName('nope')), 404, 'not_found');
    expectProblem(await owner().DELETE('/v2/organizations/{orgId}/systems/{systemName}/secret', ofSystem(uniqueSystemName('nope'))), 404, 'not_found');
    const malformed = await api.raw('POST', `${systemsPath()}/has%20space/secret`, { token });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ errors: [{ field: 'params.systemName' }] });
  });

  it('a deleted system takes its secret with it: a re-created system of the name is a public client', async () => {
    const system = await createSystem(api, orgId, token);
    expectData(await secretOf(system.name), 201);
    expectStatus(await owner().DELETE('/v2/organizations/{orgId}/systems/{systemName}', ofSystem(system.name)), 204);

    const again = await createSystem(api, orgId, token, { name: system.name });

    expect(again.hasClientSecret).toBe(false);
    expect((await stored(system.name)).clientSecretHash).toBeNull();
  });
});
