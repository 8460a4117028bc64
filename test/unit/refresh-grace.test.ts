/**
 * The refresh-token rotation grace (docs/sessions.md "Two refreshes at once"): a spent token presented
 * again within the grace of its rotation gets one more pair of the same family; everything else a
 * reuse still is, it still is. The attacks first.
 */
import { Duration } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { deploymentSettingsEnvironment } from '#infra/deployment-settings.ts';
import { loadConfig } from '#shared/config.ts';
import { hashSecret } from '#shared/domain/kernel/secrets.ts';
import { OPERATOR_AUDIENCE, verifyAccessToken } from '#shared/domain/sessions/access-tokens.ts';
import { LoginThrottle } from '#shared/domain/sessions/login-throttle.ts';
import { OperatorSessions, type LoginResult, type TokenPair } from '#shared/domain/sessions/operator-sessions.ts';
import { REFRESH_ROTATION_GRACE_SECONDS } from '#shared/domain/sessions/refresh-grace.ts';
import { FixedClock } from '#test/support/fakes/clock.ts';
import { provisionedSigningKeys } from '#test/support/fakes/keyrings.ts';
import { FakeSecondFactor, MemoryLoginAttempts, MemorySessions } from '#test/support/fakes/sessions.ts';
import { MemoryTenancy } from '#test/support/fakes/tenancy.ts';

const DAY = 24 * 60 * 60;
const GRACE = REFRESH_ROTATION_GRACE_SECONDS;
const SETTINGS = { issuer: 'urn:portcullis:unit', accessTokenTtlSeconds: 900, absoluteSeconds: 30 * DAY, idleSeconds: 7 * DAY, refreshGraceSeconds: GRACE };

async function world(settings = SETTINGS) {
  const clock = new FixedClock();
  const operators = new MemoryTenancy(clock.now);
  const sessions = new MemorySessions();
  const secondFactor = new FakeSecondFactor();
  const signing = await provisionedSigningKeys(clock);
  const service = new OperatorSessions(operators, sessions, new LoginThrottle(new MemoryLoginAttempts(), clock.nowMs), signing.keys, settings, secondFactor, undefined, clock.now);
  const { owner } = operators.seedAccount();
  const sessionOf = async (pair: TokenPair) => {
    const verified = await verifyAccessToken(pair.accessToken, await signing.keys.verificationKeys(), { issuer: SETTINGS.issuer, audience: OPERATOR_AUDIENCE });
    return verified.valid ? verified.sessionId : undefined;
  };
  const login = async () => tokens(await service.admit(owner.id, ['pwd']));
  const statusOf = (pair: TokenPair) => sessions.tokens.get(hashSecret(pair.refreshToken))?.status;
  return { clock, sessions, secondFactor, service, owner, login, sessionOf, statusOf };
}

function tokens(result: LoginResult): TokenPair {
  if (!('accessToken' in result)) throw new Error(`expected tokens, got ${JSON.stringify(result)}`);
  return result;
}

describe('rotation grace: what it must not allow', () => {
  it('a replay after the grace revokes the family, as without it', async () => {
    const { service, login, clock, sessions } = await world();
    const first = await login();
    const second = await service.refresh(first.refreshToken);
    clock.advance(GRACE);

    await expect(service.refresh(first.refreshToken)).rejects.toMatchObject({ status: 401, code: 'refresh_token_reused' });

    await expect(service.refresh(second.refreshToken)).rejects.toMatchObject({ code: 'invalid_refresh_token' });
    expect([...sessions.families.values()].map((family) => family.revoked)).toEqual([true]);
  });

  it('answers a token one repeat only: a third use within the grace is refused and mints nothing', async () => {
    const { service, login, sessions } = await world();
    const first = await login();
    await service.refresh(first.refreshToken);
    const repeat = await service.refresh(first.refreshToken);
    const minted = sessions.tokens.size;

    await expect(service.refresh(first.refreshToken)).rejects.toMatchObject({ status: 401, code: 'refresh_token_reused' });

    expect(sessions.tokens.size).toBe(minted);
    // The session goes on from the repeat's child.
    await expect(service.refresh(repeat.refreshToken)).resolves.toMatchObject({ tokenType: 'Bearer' });
  });

  it('never forks the family: the child the repeat replaced is spent, and its use later revokes everything', async () => {
    const { service, login, clock, statusOf } = await world();
    const first = await login();
    const earlier = await service.refresh(first.refreshToken);
    const newest = await service.refresh(first.refreshToken);
    expect(statusOf(earlier)).toBe('superseded');
    expect(statusOf(newest)).toBe('active');
    clock.advance(60);

    // Two holders of one token (the owner and a thief) cannot both go on: the loser's refresh ends it.
    await expect(service.refresh(earlier.refreshToken)).rejects.toMatchObject({ code: 'refresh_token_reused' });
    await expect(service.refresh(newest.refreshToken)).rejects.toMatchObject({ code: 'invalid_refresh_token' });
  });

  it('a superseded child is no new grace: even at once its use revokes the family', async () => {
    const { service, login } = await world();
    const first = await login();
    const earlier = await service.refresh(first.refreshToken);
    const newest = await service.refresh(first.refreshToken);

    await expect(service.refresh(earlier.refreshToken)).rejects.toMatchObject({ code: 'refresh_token_reused' });
    await expect(service.refresh(newest.refreshToken)).rejects.toMatchObject({ code: 'invalid_refresh_token' });
  });

  it('no repeat once the family has moved on: the child was already refreshed, so the replay is a reuse', async () => {
    const { service, login } = await world();
    const first = await login();
    const second = await service.refresh(first.refreshToken);
    const third = await service.refresh(second.refreshToken);

    await expect(service.refresh(first.refreshToken)).rejects.toMatchObject({ code: 'refresh_token_reused' });
    await expect(service.refresh(third.refreshToken)).rejects.toMatchObject({ code: 'invalid_refresh_token' });
  });

  it('does not outlive a logout or a "sign out everywhere"', async () => {
    const { service, login, owner } = await world();
    const a = await login();
    await service.refresh(a.refreshToken);
    await service.logOut(a.refreshToken);
    await expect(service.refresh(a.refreshToken)).rejects.toMatchObject({ code: 'invalid_refresh_token' });

    const b = await login();
    await service.refresh(b.refreshToken);
    await service.endSessions(owner.id);
    await expect(service.refresh(b.refreshToken)).rejects.toMatchObject({ code: 'invalid_refresh_token' });
  });

  it('does not extend an ended session: past its absolute end the repeat is refused as expired', async () => {
    const { service, login, clock } = await world({ ...SETTINGS, absoluteSeconds: 3600, idleSeconds: 3600 });
    const first = await login();
    clock.advance(3600 - 5);
    const second = await service.refresh(first.refreshToken);
    clock.advance(5);

    await expect(service.refresh(first.refreshToken)).rejects.toMatchObject({ code: 'expired' });
    await expect(service.refresh(second.refreshToken)).rejects.toMatchObject({ code: 'invalid_refresh_token' });
  });

  it('asks the gate again: a repeat after TOTP was turned on ends the session', async () => {
    const { service, login, secondFactor, owner } = await world();
    const first = await login();
    await service.refresh(first.refreshToken);
    secondFactor.enableTotp(owner.id, '123456');

    await expect(service.refresh(first.refreshToken)).rejects.toMatchObject({ code: 'mfa_required' });
  });

  it('a grace of 0 is no grace', async () => {
    const { service, login } = await world({ ...SETTINGS, refreshGraceSeconds: 0 });
    const first = await login();
    await service.refresh(first.refreshToken);

    await expect(service.refresh(first.refreshToken)).rejects.toMatchObject({ code: 'refresh_token_reused' });
  });
});

describe('rotation grace: two refreshes at once', () => {
  it('answers the repeat with a new pair of the same session, which goes on', async () => {
    const { service, login, sessionOf, clock } = await world();
    const first = await login();
    const earlier = await service.refresh(first.refreshToken);
    clock.advance(GRACE - 1);

    const repeat = await service.refresh(first.refreshToken);

    expect(repeat.refreshToken).not.toBe(earlier.refreshToken);
    expect(await sessionOf(first)).toMatch(/^fam_/);
    expect(await sessionOf(repeat)).toBe(await sessionOf(first));
    const next = await service.refresh(repeat.refreshToken);
    expect(await sessionOf(next)).toBe(await sessionOf(first));
  });

  it('the repeat never lives past the session: its refresh token ends with the family', async () => {
    const { service, login, sessions } = await world({ ...SETTINGS, absoluteSeconds: 3600, idleSeconds: 3600 });
    const first = await login();
    await service.refresh(first.refreshToken);
    const repeat = await service.refresh(first.refreshToken);
    const family = [...sessions.families.values()][0];

    expect(sessions.tokens.get(hashSecret(repeat.refreshToken))?.expiresAt).toBe(family?.expiresAt);
  });
});

describe('rotation grace: the deployment setting', () => {
  const env = { TABLE_NAME: 't', TOKEN_ISSUER: 'i', API_BASE: 'https://api.example.test', KEY_PROVIDER: 'local', LOCAL_KEY_FILE: 'k', SMS_ALLOWED_COUNTRIES: 'FR' };

  it('is 15 seconds unless set, 0 to 60 when set', () => {
    expect(loadConfig(env).sessions.refreshGraceSeconds).toBe(15);
    expect(loadConfig({ ...env, SESSION_REFRESH_GRACE_SECONDS: '0' }).sessions.refreshGraceSeconds).toBe(0);
    expect(loadConfig({ ...env, SESSION_REFRESH_GRACE_SECONDS: '60' }).sessions.refreshGraceSeconds).toBe(60);
    for (const bad of ['61', '-1', '1.5', '015', 'x']) {
      expect(() => loadConfig({ ...env, SESSION_REFRESH_GRACE_SECONDS: bad }), bad).toThrow(/SESSION_REFRESH_GRACE_SECONDS/);
    }
  });
});

describe('rotation grace: the CDK prop', () => {
  it('sets the variable only when given, and refuses more than 60 s or a fraction', () => {
    expect(deploymentSettingsEnvironment({}, 'https://console.example.test')).not.toHaveProperty('SESSION_REFRESH_GRACE_SECONDS');
    expect(deploymentSettingsEnvironment({ refreshTokenRotationGrace: Duration.seconds(0) }, 'https://c.example.test')).toMatchObject({ SESSION_REFRESH_GRACE_SECONDS: '0' });
    expect(deploymentSettingsEnvironment({ refreshTokenRotationGrace: Duration.seconds(30) }, 'https://c.example.test')).toMatchObject({ SESSION_REFRESH_GRACE_SECONDS: '30' });
    expect(() => deploymentSettingsEnvironment({ refreshTokenRotationGrace: Duration.minutes(2) }, 'https://c.example.test')).toThrow(/refreshTokenRotationGrace/);
    expect(() => deploymentSettingsEnvironment({ refreshTokenRotationGrace: Duration.millis(1500) }, 'https://c.example.test')).toThrow(/refreshTokenRotationGrace/);
  });
});
