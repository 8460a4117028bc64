/**
 * Deleting an end user leaves no personal data behind: their TOTP factor (encrypted secret, recovery
 * code hashes, attempt and lock state), their sign-in state of every system they signed in to and
 * the live challenge each names all go in the user's delete. Attacker first: a new user with the
 * same e-mail is not enrolled in TOTP, and the old authenticator's codes and recovery codes do nothing.
 */
import { describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '#shared/config.ts';
import { endUserSecondFactor } from '#shared/compose/mfa.ts';
import { documentClient } from '#shared/compose/runtime.ts';
import { challengeKey, endUserTotpKey, signInStateKey } from '#shared/data/keys.ts';
import { createSystem, grantAccess } from '#test/support/directory.ts';
import { rawItem } from '#test/support/keys-events.ts';
import { expectData, expectProblem, expectStatus, useLocalApi } from '#test/support/local-api.ts';
import { eventsOf } from '#test/support/organizations.ts';
import { addUser, lastPin, signInFixture, type SignInFixture } from '#test/support/sign-in.ts';
import { codeInSteps, referenceCode } from '#test/support/totp.ts';

const api = useLocalApi();

/** Every sign-in state item of the user (all in one partition), read consistently. */
async function signInStates(orgId: string, userId: string): Promise<Record<string, unknown>[]> {
  const result = await documentClient().send(
    new QueryCommand({
      TableName: config().tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': signInStateKey(orgId, userId, '').pk },
      ConsistentRead: true,
    }),
  );
  return result.Items ?? [];
}

const userPath = (fx: SignInFixture, userId: string) => ({ params: { path: { orgId: fx.orgId, userId } } });

describe('deleting an end user removes their TOTP factor and sign-in state', () => {
  it('leaves no TOTP item, state or live challenge; the same e-mail again is not enrolled and the old codes do nothing', async () => {
    const fx = await signInFixture(api, { policy: { factors: ['pin', 'totp'] } });
    const owner = api.as(fx.account.owner.accessToken);
    const path = userPath(fx, fx.user.id);
    const enrolment = expectData(await owner.POST('/v2/organizations/{orgId}/users/{userId}/totp', path), 200);
    const { recoveryCodes } = expectData(await owner.POST('/v2/organizations/{orgId}/users/{userId}/totp/confirm', { ...path, body: { code: referenceCode(enrolment.secret) } }), 200);

    // A second system, TOTP only (no SMS, so no SMS limit in the way).
    const second = await createSystem(api, fx.orgId, fx.account.owner.accessToken, { policy: { factors: ['totp'] } });
    await grantAccess(api, fx.orgId, fx.account.owner.accessToken, second.name, fx.user.id);

    // Signed in once (PIN, then TOTP), then a sign-in to the second system left open: a live challenge.
    const auth = api.as({ apikey: fx.apikey });
    const who = { email: fx.user.email, system: fx.system.name };
    expectData(await auth.startSignIn(who), 202);
    expectData(await auth.completeSignIn({ ...who, pin: await lastPin(api, fx.user.phone) }), 200);
    expect(expectData(await auth.completeSignIn({ ...who, totp: codeInSteps(enrolment.secret, 1) }), 200)).toMatchObject({ authenticated: true });
    const open = expectData(await auth.startSignIn({ email: fx.user.email, system: second.name }), 202);

    expect(await rawItem(endUserTotpKey(fx.orgId, fx.user.id))).toBeDefined();
    expect(await signInStates(fx.orgId, fx.user.id)).toHaveLength(2);
    expect(await rawItem(challengeKey(open.challengeId))).toBeDefined();

    expectStatus(await owner.DELETE('/v2/organizations/{orgId}/users/{userId}', path), 204);

    expect(await rawItem(endUserTotpKey(fx.orgId, fx.user.id))).toBeUndefined();
    expect(await signInStates(fx.orgId, fx.user.id)).toEqual([]);
    expect(await rawItem(challengeKey(open.challengeId))).toBeUndefined();
    const deleted = (await eventsOf(fx.account.accountId)).find((e) => e.type === 'enduser.deleted' && e.target?.id === fx.user.id);
    expect(deleted).toMatchObject({ details: { email: fx.user.email } });

    // Same e-mail, new person: not enrolled (the TOTP route says so), and the old secret's codes and recovery codes do nothing.
    const again = await addUser(api, fx, { overrides: { email: fx.user.email } });
    expect(again.id).not.toBe(fx.user.id);
    expectProblem(await owner.DELETE('/v2/organizations/{orgId}/users/{userId}/totp', userPath(fx, again.id)), 409, 'mfa_not_enrolled');
    expect(await endUserSecondFactor().verifyTotp(fx.orgId, again.id, codeInSteps(enrolment.secret, 2))).toBe('not_enrolled');
    expect(await endUserSecondFactor().useRecoveryCode(fx.orgId, again.id, recoveryCodes[0] ?? '')).not.toBe('ok');
    expect(await endUserSecondFactor().isEnrolled(fx.orgId, again.id)).toBe(false);
  });
});
