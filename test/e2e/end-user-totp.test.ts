import { describe, expect, it } from 'vitest';
import { endUserSecondFactor } from '#shared/container.ts';
import { endUserTotpKey } from '#shared/data/keys.ts';
import { createEndUser } from '#test/support/directory.ts';
import { rawItem } from '#test/support/keys-events.ts';
import { useLocalApi } from '#test/support/local-api.ts';
import { createApiKey, createOrganization, eventsOf } from '#test/support/organizations.ts';
import { addMember, createAccount } from '#test/support/tenancy.ts';
import { codeInSteps, oathtoolCode } from '#test/support/totp.ts';

const api = useLocalApi();

async function arrange() {
  const { accountId, owner } = await createAccount(api);
  const organization = await createOrganization(api, accountId, owner.accessToken);
  const manageKey = await createApiKey(accountId, ['manage'], [organization.id]);
  const user = await createEndUser(api, organization.id, { headers: { apikey: manageKey } });
  const path = `/v2/organizations/${organization.id}/users/${user.id}/totp`;
  return { accountId, owner, orgId: organization.id, manageKey, user, path };
}

describe.concurrent('end-user TOTP', () => {
  it('is set up with a manage key and used once per code by the challenge engine’s EndUserSecondFactor', async () => {
    const { accountId, orgId, manageKey, user, path } = await arrange();
    const headers = { apikey: manageKey };
    const started = await api.request<{ secret: string; otpauthUri: string; qrCodeSvg: string }>('POST', path, { headers });
    expect(started.status).toBe(200);
    expect(started.body.otpauthUri).toContain(`:${encodeURIComponent(user.email)}?secret=${started.body.secret}&`);
    expect(started.body.qrCodeSvg).toContain('<svg');
    expect(await endUserSecondFactor().isEnrolled(orgId, user.id)).toBe(false);

    const confirmed = await api.request<{ recoveryCodes: string[] }>('POST', `${path}/confirm`, { headers, body: { code: oathtoolCode(started.body.secret) } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.recoveryCodes).toHaveLength(10);
    expect(await endUserSecondFactor().isEnrolled(orgId, user.id)).toBe(true);

    // An independent implementation's code is accepted once; the replay is refused.
    const code = codeInSteps(started.body.secret, 1);
    expect(await endUserSecondFactor().verifyTotp(orgId, user.id, code)).toBe('ok');
    expect(await endUserSecondFactor().verifyTotp(orgId, user.id, code)).toBe('replayed');
    expect(await endUserSecondFactor().verifyTotp(orgId, user.id, code === '000000' ? '111111' : '000000')).toBe('invalid');

    const recovery = confirmed.body.recoveryCodes[0] ?? '';
    expect(await endUserSecondFactor().useRecoveryCode(orgId, user.id, recovery)).toBe('ok');
    expect(await endUserSecondFactor().useRecoveryCode(orgId, user.id, recovery)).toBe('invalid');

    const raw = JSON.stringify(await rawItem(endUserTotpKey(orgId, user.id)), (_k, v: unknown) => (v instanceof Set ? [...(v as Set<string>)] : v));
    expect(raw).not.toContain(started.body.secret);
    for (const rc of confirmed.body.recoveryCodes) expect(raw).not.toContain(rc);

    const events = await eventsOf(accountId);
    expect(events.find((e) => e.type === 'mfa.confirmed')).toMatchObject({ organizationId: orgId, target: { type: 'end_user', id: user.id } });
    expect(events.find((e) => e.type === 'mfa.recovery_code_used')?.details).toEqual({ codesLeft: 9 });
    expect(events.some((e) => e.type === 'mfa.replay_rejected')).toBe(true);

    expect((await api.request('DELETE', path, { headers })).status).toBe(204);
    expect(await endUserSecondFactor().isEnrolled(orgId, user.id)).toBe(false);
    expect(await endUserSecondFactor().verifyTotp(orgId, user.id, codeInSteps(started.body.secret, 1))).toBe('not_enrolled');
    expect((await api.request('DELETE', path, { headers })).status).toBe(409);
  });

  it('answers the recovery codes as a text/plain download when asked', async () => {
    const { manageKey, path } = await arrange();
    const started = await api.request<{ secret: string }>('POST', path, { headers: { apikey: manageKey } });
    const response = await fetch(`${api.url()}${path}/confirm`, {
      method: 'POST',
      headers: { apikey: manageKey, accept: 'text/plain', 'content-type': 'application/json' },
      body: JSON.stringify({ code: oathtoolCode(started.body.secret) }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename=/);
    expect((await response.text()).match(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/gm)).toHaveLength(10);
  });

  it('refuses viewers, authenticate keys, other tenants and unknown users', async () => {
    const { accountId, owner, orgId, path } = await arrange();
    const viewer = await addMember(api, accountId, 'viewer');
    expect((await api.request('POST', path, { token: viewer.accessToken })).status).toBe(403);
    const authenticateKey = await createApiKey(accountId, ['authenticate']);
    expect((await api.request('POST', path, { headers: { apikey: authenticateKey } })).status).toBe(403);
    const other = await createAccount(api);
    expect((await api.request('POST', path, { token: other.owner.accessToken })).status).toBe(404);
    const otherKey = await createApiKey(other.accountId, ['manage']);
    expect((await api.request('DELETE', path, { headers: { apikey: otherKey } })).status).toBe(404);
    expect((await api.request('POST', `/v2/organizations/${orgId}/users/usr_missing/totp`, { token: owner.accessToken })).status).toBe(404);
    // An owner (bearer) may set it up too.
    expect((await api.request('POST', path, { token: owner.accessToken })).status).toBe(200);
  });
});
