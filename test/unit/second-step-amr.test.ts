/**
 * The session's `amr` after a second step tells which first step it followed (RFC 8176): a passkey
 * without user verification (`hwk`, `user`) then a TOTP code is not a password and a code.
 */
import { describe, expect, it } from 'vitest';
import { OPERATOR_AUDIENCE, verifyAccessToken } from '#shared/domain/sessions/access-tokens.ts';
import { LoginThrottle } from '#shared/domain/sessions/login-throttle.ts';
import { OperatorSessions, secondStepAmr } from '#shared/domain/sessions/operator-sessions.ts';
import { passkeyAmr } from '#shared/domain/passkeys/options.ts';
import { FixedClock } from '#test/support/fakes/clock.ts';
import { provisionedSigningKeys } from '#test/support/fakes/keyrings.ts';
import { FakeSecondFactor, MemoryLoginAttempts, MemorySessions } from '#test/support/fakes/sessions.ts';
import { MemoryTenancy } from '#test/support/fakes/tenancy.ts';

const DAY = 24 * 60 * 60;
const SETTINGS = { issuer: 'urn:portcullis:unit', accessTokenTtlSeconds: 900, absoluteSeconds: 30 * DAY, idleSeconds: 7 * DAY, refreshGraceSeconds: 0 };

async function world() {
  const clock = new FixedClock();
  const operators = new MemoryTenancy(clock.now);
  const sessions = new MemorySessions();
  const secondFactor = new FakeSecondFactor();
  const signing = await provisionedSigningKeys(clock);
  const service = new OperatorSessions(operators, sessions, new LoginThrottle(new MemoryLoginAttempts(), clock.nowMs), signing.keys, SETTINGS, secondFactor, undefined, clock.now);
  const { owner } = operators.seedAccount();
  const amrOf = async (accessToken: string) => {
    const verified = await verifyAccessToken(accessToken, await signing.keys.verificationKeys(), { issuer: SETTINGS.issuer, audience: OPERATOR_AUDIENCE });
    return verified.valid ? verified.amr : undefined;
  };
  return { sessions, secondFactor, service, owner, amrOf };
}

const NO_UV = passkeyAmr(false);

describe('the amr of a session started in two steps', () => {
  it('a passkey without user verification, then a TOTP code: hwk user otp mfa, never pwd', async () => {
    const { service, owner, secondFactor, amrOf, sessions } = await world();
    secondFactor.enableTotp(owner.id, '123456');
    const step = await service.admit(owner.id, NO_UV);
    expect(step).toMatchObject({ mfaRequired: true });

    const pair = await service.completeMfaLogin({ mfaToken: (step as { mfaToken: string }).mfaToken, code: '123456' });

    expect(await amrOf(pair.accessToken)).toEqual(['hwk', 'user', 'otp', 'mfa']);
    expect([...sessions.families.values()].map((family) => family.amr)).toEqual([['hwk', 'user', 'otp', 'mfa']]);
  });

  it('a passkey without user verification, then a recovery code: hwk user mfa', async () => {
    const { service, owner, secondFactor, amrOf } = await world();
    secondFactor.enableTotp(owner.id, '123456', ['rc-1']);
    const step = (await service.admit(owner.id, NO_UV)) as { mfaToken: string };

    const pair = await service.completeMfaLogin({ mfaToken: step.mfaToken, recoveryCode: 'rc-1' });

    expect(await amrOf(pair.accessToken)).toEqual(['hwk', 'user', 'mfa']);
  });

  it('a passkey without user verification under requireMfa, then the enrolment: hwk user otp mfa', async () => {
    const { service, owner, secondFactor, amrOf } = await world();
    secondFactor.requireFor(owner.id);
    const step = await service.admit(owner.id, NO_UV);
    expect(step).toMatchObject({ mfaEnrollmentRequired: true });
    secondFactor.enableTotp(owner.id, '123456');

    const pair = await service.completeEnrollmentLogin((step as { mfaToken: string }).mfaToken);

    expect(await amrOf(pair.accessToken)).toEqual(['hwk', 'user', 'otp', 'mfa']);
  });

  it('a password then a code keeps the amr it always had', async () => {
    const { service, owner, secondFactor, amrOf } = await world();
    secondFactor.enableTotp(owner.id, '123456', ['rc-1']);
    const first = (await service.admit(owner.id, ['pwd'])) as { mfaToken: string };
    expect(await amrOf((await service.completeMfaLogin({ mfaToken: first.mfaToken, code: '123456' })).accessToken)).toEqual(['pwd', 'otp']);
    const second = (await service.admit(owner.id, ['pwd'])) as { mfaToken: string };
    expect(await amrOf((await service.completeMfaLogin({ mfaToken: second.mfaToken, recoveryCode: 'rc-1' })).accessToken)).toEqual(['pwd', 'mfa']);
  });

  it('secondStepAmr: a token from before the first step was recorded reads as a password', () => {
    expect(secondStepAmr(undefined, 'otp')).toEqual(['pwd', 'otp']);
    expect(secondStepAmr(['hwk', 'user'], 'otp')).toEqual(['hwk', 'user', 'otp', 'mfa']);
    expect(secondStepAmr(['hwk', 'user'], 'recovery_code')).toEqual(['hwk', 'user', 'mfa']);
  });
});
