import { describe, expect, it } from 'vitest';
import { endUserSecondFactor } from '#shared/compose/mfa.ts';
import { endUserTotpKey } from '#shared/data/keys.ts';
import { createEndUser } from '#test/support/directory.ts';
import { rawItem } from '#test/support/keys-events.ts';
import { expectData, expectProblem, expectStatus, useLocalApi, type Credential } from '#test/support/local-api.ts';
import { createApiKey, createOrganization, eventsOf } from '#test/support/organizations.ts';
import { addMember, createAccount } from '#test/support/tenancy.ts';
import { codeInSteps, referenceCode } from '#test/support/totp.ts';

const api = useLocalApi();

async function arrange() {
  const { accountId, owner } = await createAccount(api);
  const organization = await createOrganization(api, accountId, owner.accessToken);
  const manageKey = await createApiKey(accountId, ['manage'], [organization.id]);
  const user = await createEndUser(api, organization.id, { headers: { apikey: manageKey } });
  const path = { params: { path: { orgId: organization.id, userId: user.id } } };
  return { accountId, owner, orgId: organization.id, manageKey, user, path };
}

type UserPath = Awaited<ReturnType<typeof arrange>>['path'];

/** `POST …/users/{userId}/totp` (start an enrolment) as `who`. */
const startTotp = (who: Credential, path: UserPath) => api.as(who).POST('/v2/organizations/{orgId}/users/{userId}/totp', path);
/** `DELETE …/users/{userId}/totp` as `who`. */
const removeTotp = (who: Credential, path: UserPath) => api.as(who).DELETE('/v2/organizations/{orgId}/users/{userId}/totp', path);

describe.concurrent('end-user TOTP', () => {
  it('is set up with a manage key and used once per code by the challenge engine’s EndUserSecondFactor', async () => {
    const { accountId, orgId, manageKey, user, path } = await arrange();
    const key = { apikey: manageKey };
    const started = expectData(await startTotp(key, path), 200);
    expect(started.otpauthUri).toContain(`:${encodeURIComponent(user.email)}?secret=${started.secret}&`);
    expect(started.qrCodeSvg).toContain('<svg');
    expect(await endUserSecondFactor().isEnrolled(orgId, user.id)).toBe(false);

    const confirm = await api.as(key).POST('/v2/organizations/{orgId}/users/{userId}/totp/confirm', { ...path, body: { code: referenceCode(started.secret) } });
    const confirmed = expectData(confirm, 200);
    expect(confirmed.recoveryCodes).toHaveLength(10);
    expect(await endUserSecondFactor().isEnrolled(orgId, user.id)).toBe(true);

    // An independent implementation's code is accepted once; the replay is refused.
    const code = codeInSteps(started.secret, 1);
    expect(await endUserSecondFactor().verifyTotp(orgId, user.id, code)).toBe('ok');
    expect(await endUserSecondFactor().verifyTotp(orgId, user.id, code)).toBe('replayed');
    expect(await endUserSecondFactor().verifyTotp(orgId, user.id, code === '000000' ? '111111' : '000000')).toBe('invalid');

    const recovery = confirmed.recoveryCodes[0] ?? '';
    expect(await endUserSecondFactor().useRecoveryCode(orgId, user.id, recovery)).toBe('ok');
    expect(await endUserSecondFactor().useRecoveryCode(orgId, user.id, recovery)).toBe('invalid');

    const raw = JSON.stringify(await rawItem(endUserTotpKey(orgId, user.id)), (_k, v: unknown) => (v instanceof Set ? [...(v as Set<string>)] : v));
    expect(raw).not.toContain(started.secret);
    for (const rc of confirmed.recoveryCodes) expect(raw).not.toContain(rc);

    const events = await eventsOf(accountId);
    expect(events.find((e) => e.type === 'mfa.confirmed')).toMatchObject({ organizationId: orgId, target: { type: 'end_user', id: user.id } });
    expect(events.find((e) => e.type === 'mfa.recovery_code_used')?.details).toEqual({ codesLeft: 9 });
    expect(events.some((e) => e.type === 'mfa.replay_rejected')).toBe(true);

    expectStatus(await removeTotp(key, path), 204);
    expect(await endUserSecondFactor().isEnrolled(orgId, user.id)).toBe(false);
    expect(await endUserSecondFactor().verifyTotp(orgId, user.id, codeInSteps(started.secret, 1))).toBe('not_enrolled');
    expectProblem(await removeTotp(key, path), 409, 'mfa_not_enrolled');
  });

  it('answers the recovery codes as a text/plain download when asked', async () => {
    const { manageKey, path } = await arrange();
    const started = expectData(await startTotp({ apikey: manageKey }, path), 200);
    // A text answer: the plain openapi-fetch client with `parseAs: 'text'`, still typed on path and body.
    const download = await api.as({ apikey: manageKey }).fetchClient.POST('/v2/organizations/{orgId}/users/{userId}/totp/confirm', {
      ...path,
      body: { code: referenceCode(started.secret) },
      headers: { accept: 'text/plain' },
      parseAs: 'text',
    });
    expect(download.response.status).toBe(200);
    expect(download.response.headers.get('content-disposition')).toMatch(/^attachment; filename=/);
    expect(download.data?.match(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/gm)).toHaveLength(10);
  });

  it('refuses viewers, authenticate keys, other tenants and unknown users', async () => {
    const { accountId, owner, orgId, path } = await arrange();
    const viewer = await addMember(api, accountId, 'viewer');
    expectProblem(await startTotp(viewer.accessToken, path), 403);
    const authenticateKey = await createApiKey(accountId, ['authenticate']);
    expectProblem(await startTotp({ apikey: authenticateKey }, path), 403);
    const other = await createAccount(api);
    expectProblem(await startTotp(other.owner.accessToken, path), 404);
    const otherKey = await createApiKey(other.accountId, ['manage']);
    expectProblem(await removeTotp({ apikey: otherKey }, path), 404);
    expectProblem(await startTotp(owner.accessToken, { params: { path: { orgId, userId: 'usr_missing' } } }), 404);
    // An owner (bearer) may set it up too.
    expectData(await startTotp(owner.accessToken, path), 200);
  });
});
