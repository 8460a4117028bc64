import { beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '#shared/domain/kernel/secrets.ts';
import { OPERATOR_AUDIENCE, verifyAccessToken } from '#shared/domain/sessions/access-tokens.ts';
import { LOGIN_MAX_ATTEMPTS, LoginThrottle } from '#shared/domain/sessions/login-throttle.ts';
import { OperatorSessions, type LoginResult, type TokenPair } from '#shared/domain/sessions/operator-sessions.ts';
import { hashPassword } from '#shared/domain/sessions/passwords.ts';
import { FixedClock } from '#test/support/fakes/clock.ts';
import { provisionedSigningKeys } from '#test/support/fakes/keyrings.ts';
import { FakeSecondFactor, MemoryLoginAttempts, MemorySessions, RecordingLoginAudit } from '#test/support/fakes/sessions.ts';
import { MemoryTenancy } from '#test/support/fakes/tenancy.ts';

const DAY = 24 * 60 * 60;
// No rotation grace here: a replay at once means a replay past the grace (test/unit/refresh-grace.test.ts has the grace).
const SETTINGS = { issuer: 'urn:portcullis:unit', accessTokenTtlSeconds: 900, absoluteSeconds: 30 * DAY, idleSeconds: 7 * DAY, refreshGraceSeconds: 0 };
const PASSWORD = 'correct horse battery staple 42';
const FACTS = { requestId: 'req-1', sourceIp: '192.0.2.1' };

async function world() {
  const clock = new FixedClock();
  const operators = new MemoryTenancy(clock.now);
  const sessions = new MemorySessions();
  const attempts = new MemoryLoginAttempts();
  const secondFactor = new FakeSecondFactor();
  const audit = new RecordingLoginAudit();
  const signing = await provisionedSigningKeys(clock);
  const service = new OperatorSessions(operators, sessions, new LoginThrottle(attempts, clock.nowMs), signing.keys, SETTINGS, secondFactor, audit, clock.now);
  const { owner } = operators.seedAccount();
  const subjectOf = async (accessToken: string) => verifyAccessToken(accessToken, await signing.keys.verificationKeys(), { issuer: SETTINGS.issuer, audience: OPERATOR_AUDIENCE });
  return { clock, operators, sessions, attempts, secondFactor, audit, service, owner, subjectOf };
}

function tokens(result: LoginResult): TokenPair {
  if (!('accessToken' in result)) throw new Error(`expected tokens, got ${JSON.stringify(result)}`);
  return result;
}

describe('OperatorSessions: refresh tokens', () => {
  it('a refresh rotates the token: the new one refreshes again, the old one is spent', async () => {
    const { service, owner } = await world();
    const first = tokens(await service.admit(owner.id, ['pwd']));

    const second = await service.refresh(first.refreshToken);

    expect(second.refreshToken).not.toBe(first.refreshToken);
    await expect(service.refresh(second.refreshToken)).resolves.toMatchObject({ tokenType: 'Bearer' });
  });

  it('a reused refresh token revokes its family: the newest token of that login stops working too', async () => {
    const { service, owner, sessions } = await world();
    const first = tokens(await service.admit(owner.id, ['pwd']));
    const second = await service.refresh(first.refreshToken);

    await expect(service.refresh(first.refreshToken)).rejects.toMatchObject({ status: 401, code: 'refresh_token_reused' });

    await expect(service.refresh(second.refreshToken)).rejects.toMatchObject({ status: 401, code: 'invalid_refresh_token' });
    expect([...sessions.families.values()].map((family) => family.revoked)).toEqual([true]);
  });

  it('a reuse revokes only its own family: another login of the same person goes on', async () => {
    const { service, owner } = await world();
    const leaked = tokens(await service.admit(owner.id, ['pwd']));
    const other = tokens(await service.admit(owner.id, ['pwd']));
    await service.refresh(leaked.refreshToken);

    await expect(service.refresh(leaked.refreshToken)).rejects.toMatchObject({ code: 'refresh_token_reused' });

    await expect(service.refresh(other.refreshToken)).resolves.toMatchObject({ tokenType: 'Bearer' });
  });

  it('refuses an expired refresh token as expired', async () => {
    const { service, owner, clock } = await world();
    const pair = tokens(await service.admit(owner.id, ['pwd']));

    clock.advance(SETTINGS.absoluteSeconds);

    await expect(service.refresh(pair.refreshToken)).rejects.toMatchObject({ status: 401, code: 'expired' });
  });

  it('logging out revokes the family; an unknown token is ignored without a word', async () => {
    const { service, owner } = await world();
    const pair = tokens(await service.admit(owner.id, ['pwd']));

    await service.logOut(pair.refreshToken);
    await service.logOut('prt_never-issued');

    await expect(service.refresh(pair.refreshToken)).rejects.toMatchObject({ code: 'invalid_refresh_token' });
  });

  it('stores refresh tokens as their hash only', async () => {
    const { service, owner, sessions } = await world();
    const pair = tokens(await service.admit(owner.id, ['pwd']));

    expect(JSON.stringify([...sessions.tokens.values()])).not.toContain(pair.refreshToken);
    expect(sessions.tokens.has(hashSecret(pair.refreshToken))).toBe(true);
  });

  it('a session from before TOTP was turned on ends at its next refresh: mfa_required, family revoked', async () => {
    const { service, owner, secondFactor } = await world();
    const pair = tokens(await service.admit(owner.id, ['pwd']));
    secondFactor.enableTotp(owner.id, '123456');

    await expect(service.refresh(pair.refreshToken)).rejects.toMatchObject({ status: 401, code: 'mfa_required' });

    secondFactor.enableTotp(owner.id, '123456'); // still on: the family stays revoked whatever happens next
    await expect(service.refresh(pair.refreshToken)).rejects.toMatchObject({ code: 'invalid_refresh_token' });
  });

  it('a session a new requireMfa policy covers ends at its next refresh with mfa_enrollment_required', async () => {
    const { service, owner, secondFactor } = await world();
    const pair = tokens(await service.admit(owner.id, ['pwd']));
    secondFactor.requireFor(owner.id);

    await expect(service.refresh(pair.refreshToken)).rejects.toMatchObject({ status: 401, code: 'mfa_enrollment_required' });
  });
});

describe('OperatorSessions: the gate and the second step', () => {
  it('signs an access token for the person, with the factors shown', async () => {
    const { service, owner, subjectOf } = await world();

    const pair = tokens(await service.admit(owner.id, ['pwd', 'otp']));

    expect(await subjectOf(pair.accessToken)).toMatchObject({ valid: true, subject: owner.id, amr: ['pwd', 'otp'] });
    expect(pair.expiresIn).toBe(SETTINGS.accessTokenTtlSeconds);
  });

  it('a password alone is not enough for a person with TOTP: a login mfaToken instead of tokens', async () => {
    const { service, owner, secondFactor, sessions } = await world();
    secondFactor.enableTotp(owner.id, '123456');

    const result = await service.admit(owner.id, ['pwd']);

    expect(result).toEqual({ mfaRequired: true, mfaToken: expect.any(String) as string, methods: ['totp', 'recovery_code'] });
    expect(sessions.families.size).toBe(0);
  });

  it('a policy requiring 2FA the person has not set up asks to enrol, with an enrolment-only token', async () => {
    const { service, owner, secondFactor } = await world();
    secondFactor.requireFor(owner.id);

    const result = await service.admit(owner.id, ['pwd']);

    expect(result).toMatchObject({ mfaEnrollmentRequired: true });
    const { mfaToken } = result as { mfaToken: string };
    await expect(service.completeMfaLogin({ mfaToken, code: '123456' })).rejects.toMatchObject({ code: 'invalid_mfa_token' });
  });

  it('the right code spends the mfaToken: one token yields one session', async () => {
    const { service, owner, secondFactor, subjectOf } = await world();
    secondFactor.enableTotp(owner.id, '123456');
    const { mfaToken } = (await service.admit(owner.id, ['pwd'])) as { mfaToken: string };

    const pair = await service.completeMfaLogin({ mfaToken, code: '123456' }, FACTS);

    expect(await subjectOf(pair.accessToken)).toMatchObject({ valid: true, amr: ['pwd', 'otp'] });
    await expect(service.completeMfaLogin({ mfaToken, code: '123456' }, FACTS)).rejects.toMatchObject({ status: 401, code: 'invalid_mfa_token' });
  });

  it('a wrong code keeps the mfaToken usable and is audited as mfa_failed', async () => {
    const { service, owner, secondFactor, audit } = await world();
    secondFactor.enableTotp(owner.id, '123456');
    const { mfaToken } = (await service.admit(owner.id, ['pwd'])) as { mfaToken: string };

    await expect(service.completeMfaLogin({ mfaToken, code: '000000' }, FACTS)).rejects.toMatchObject({ status: 401, code: 'invalid_code' });

    expect(audit.failed).toEqual([{ userId: owner.id, reason: 'mfa_failed' }]);
    await expect(service.completeMfaLogin({ mfaToken, code: '123456' }, FACTS)).resolves.toMatchObject({ tokenType: 'Bearer' });
  });

  it('a recovery code signs in with amr mfa', async () => {
    const { service, owner, secondFactor, subjectOf } = await world();
    secondFactor.enableTotp(owner.id, '123456', ['abcd-efgh-ijkl']);
    const { mfaToken } = (await service.admit(owner.id, ['pwd'])) as { mfaToken: string };

    const pair = await service.completeMfaLogin({ mfaToken, recoveryCode: 'abcd-efgh-ijkl' });

    expect(await subjectOf(pair.accessToken)).toMatchObject({ valid: true, amr: ['pwd', 'mfa'] });
  });
});

describe('OperatorSessions: password login', () => {
  let passwordHash: string;
  beforeAll(async () => {
    passwordHash = await hashPassword(PASSWORD);
  });

  it('the right password starts a session and is audited; the attempts are forgotten', async () => {
    const { service, owner, operators, audit, attempts, subjectOf } = await world();
    operators.operators.set(owner.id, { ...owner, passwordHash });

    const pair = tokens(await service.logIn({ email: owner.email, password: PASSWORD }, FACTS));

    expect(await subjectOf(pair.accessToken)).toMatchObject({ valid: true, subject: owner.id, amr: ['pwd'] });
    expect(audit.succeeded).toEqual([{ userId: owner.id, amr: ['pwd'] }]);
    expect(attempts.records.has(owner.email)).toBe(false);
  });

  it('a wrong password and an unknown email get the same invalid_credentials, and each costs an attempt', async () => {
    const { service, owner, operators, audit, attempts } = await world();
    operators.operators.set(owner.id, { ...owner, passwordHash });

    const wrong = service.logIn({ email: owner.email, password: 'wrong-password-4711' }, FACTS);
    const unknown = service.logIn({ email: 'nobody@example.test', password: PASSWORD }, FACTS);

    const expected = { status: 401, code: 'invalid_credentials', detail: 'Email or password is incorrect.' };
    await expect(wrong).rejects.toMatchObject(expected);
    await expect(unknown).rejects.toMatchObject(expected);
    expect(audit.failed).toEqual([{ userId: owner.id, reason: 'bad_password' }, { userId: undefined, reason: 'bad_password' }]);
    expect(attempts.records.get(owner.email)?.attempts).toHaveLength(1);
    expect(attempts.records.get('nobody@example.test')?.attempts).toHaveLength(1);
  });

  it(`refuses a login once ${LOGIN_MAX_ATTEMPTS} attempts are recorded for the email, before checking the password`, async () => {
    const { service, owner, clock, attempts, audit } = await world();
    const recent = Array.from({ length: LOGIN_MAX_ATTEMPTS }, (_, index) => clock.nowMs() - index * 1000);
    attempts.records.set(owner.email, { attempts: recent, version: 1 });

    // The right password would not help: nothing is verified without an attempt.
    await expect(service.logIn({ email: owner.email, password: PASSWORD }, FACTS)).rejects.toMatchObject({ status: 429 });

    expect(audit.failed).toEqual([{ userId: owner.id, reason: 'throttled' }]);
    expect(audit.succeeded).toEqual([]);
  });
});

describe('OperatorSessions: ending sessions', () => {
  it('names its session in the access token (`sid`), the same across refreshes', async () => {
    const { service, owner, sessions, subjectOf } = await world();
    const first = tokens(await service.admit(owner.id, ['pwd']));
    const [family] = [...sessions.families.values()];

    const refreshed = await service.refresh(first.refreshToken);

    expect(await subjectOf(first.accessToken)).toMatchObject({ valid: true, sessionId: family?.familyId });
    expect(await subjectOf(refreshed.accessToken)).toMatchObject({ valid: true, sessionId: family?.familyId });
  });

  it('ends every other session of the person at once, keeping the one named', async () => {
    const { service, owner, subjectOf, operators } = await world();
    const kept = tokens(await service.admit(owner.id, ['pwd']));
    const others = [tokens(await service.admit(owner.id, ['pwd'])), tokens(await service.admit(owner.id, ['pwd']))];
    const stranger = operators.seedAccount().owner;
    const strangers = tokens(await service.admit(stranger.id, ['pwd']));
    const keptVerified = await subjectOf(kept.accessToken);
    const keptId = keptVerified.valid ? keptVerified.sessionId : undefined;

    expect(await service.endSessions(owner.id, { except: keptId })).toBe(2);

    for (const pair of others) await expect(service.refresh(pair.refreshToken)).rejects.toMatchObject({ code: 'invalid_refresh_token' });
    await expect(service.refresh(kept.refreshToken)).resolves.toMatchObject({ tokenType: 'Bearer' });
    await expect(service.refresh(strangers.refreshToken)).resolves.toMatchObject({ tokenType: 'Bearer' });
    expect(await service.endSessions(owner.id)).toBe(1);
  });
});

describe('OperatorSessions: lifetimes (the clock moves)', () => {
  it('a session ends at its absolute lifetime even when refreshed every day: expired, family revoked', async () => {
    const { service, owner, clock, sessions } = await world();
    let pair = tokens(await service.admit(owner.id, ['pwd']));
    for (let day = 1; day < 30; day++) {
      clock.advance(DAY);
      pair = await service.refresh(pair.refreshToken);
    }

    clock.advance(DAY);

    await expect(service.refresh(pair.refreshToken)).rejects.toMatchObject({ status: 401, code: 'expired' });
    expect([...sessions.families.values()].map((family) => family.revoked)).toEqual([true]);
    expect(await service.listSessions(owner.id, undefined)).toEqual([]);
  });

  it('the absolute lifetime holds in the store too: a token issued just before the end cannot outlive it', async () => {
    const { service, owner, clock, sessions } = await world();
    let late = tokens(await service.admit(owner.id, ['pwd']));
    for (let day = 1; day < 30; day++) {
      clock.advance(DAY);
      late = await service.refresh(late.refreshToken);
    }
    clock.advance(DAY - 60);
    late = await service.refresh(late.refreshToken);

    expect(Math.max(...[...sessions.tokens.values()].map((token) => token.expiresAt))).toBe(Math.floor(Date.parse('2026-03-02T10:00:00Z') / 1000) + SETTINGS.absoluteSeconds);
    clock.advance(60);
    await expect(service.refresh(late.refreshToken)).rejects.toMatchObject({ status: 401, code: 'expired' });
  });

  it('a session unused for the idle timeout ends: expired, and the family is revoked', async () => {
    const { service, owner, clock, sessions } = await world();
    const pair = tokens(await service.admit(owner.id, ['pwd']));

    clock.advance(SETTINGS.idleSeconds);

    await expect(service.refresh(pair.refreshToken)).rejects.toMatchObject({ status: 401, code: 'expired' });
    expect([...sessions.families.values()].map((family) => family.revoked)).toEqual([true]);
  });

  it('each refresh restarts the idle clock: used just inside the timeout, a session goes on', async () => {
    const { service, owner, clock } = await world();
    let pair = tokens(await service.admit(owner.id, ['pwd']));
    for (let week = 0; week < 3; week++) {
      clock.advance(SETTINGS.idleSeconds - 1);
      pair = await service.refresh(pair.refreshToken);
    }
    expect(pair.tokenType).toBe('Bearer');
  });

  it('the idle timeout is checked against the family, not only the token: an idle family is refused', async () => {
    const { service, owner, clock, sessions } = await world();
    const pair = tokens(await service.admit(owner.id, ['pwd']));
    // As if the token had been written with a longer life (before this rule): the family's clock decides.
    for (const token of sessions.tokens.values()) token.expiresAt += 30 * DAY;

    clock.advance(SETTINGS.idleSeconds + 1);

    await expect(service.refresh(pair.refreshToken)).rejects.toMatchObject({ status: 401, code: 'expired' });
  });

  it('a refresh records lastUsedAt on the family', async () => {
    const { service, owner, clock, sessions } = await world();
    const pair = tokens(await service.admit(owner.id, ['pwd']));
    clock.advance(3600);

    await service.refresh(pair.refreshToken);

    expect([...sessions.families.values()][0]).toMatchObject({ createdAt: '2026-03-02T10:00:00.000Z', lastUsedAt: '2026-03-02T11:00:00.000Z' });
  });
});

describe('OperatorSessions: the list and ending one session', () => {
  const browser = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';

  it('lists live sessions newest first with what recognises them, never a token, the current one marked', async () => {
    const { service, owner, clock, subjectOf } = await world();
    const older = tokens(await service.admit(owner.id, ['pwd'], { requestId: 'r1', sourceIp: '203.0.113.77', userAgent: browser }));
    clock.advance(60);
    const newer = tokens(await service.admit(owner.id, ['pwd', 'otp'], { requestId: 'r2', sourceIp: '2001:db8:abcd:12::1', userAgent: 'curl/8.5.0' }));
    const verified = await subjectOf(newer.accessToken);

    const list = await service.listSessions(owner.id, verified.valid ? verified.sessionId : undefined);

    expect(list).toEqual([
      { id: expect.stringMatching(/^fam_/) as string, createdAt: '2026-03-02T10:01:00.000Z', lastUsedAt: '2026-03-02T10:01:00.000Z', userAgent: 'curl/8.5.0', ipPrefix: '2001:db8:abcd::/48', amr: ['pwd', 'otp'], current: true },
      { id: expect.stringMatching(/^fam_/) as string, createdAt: '2026-03-02T10:00:00.000Z', lastUsedAt: '2026-03-02T10:00:00.000Z', userAgent: browser, ipPrefix: '203.0.113.0/24', amr: ['pwd'], current: false },
    ]);
    const text = JSON.stringify(list);
    for (const secret of [older.refreshToken, newer.refreshToken, hashSecret(older.refreshToken), '203.0.113.77', '2001:db8:abcd:12::1']) expect(text).not.toContain(secret);
  });

  it('ending one session stops its refresh at once; the others go on', async () => {
    const { service, owner } = await world();
    const ending = tokens(await service.admit(owner.id, ['pwd']));
    const staying = tokens(await service.admit(owner.id, ['pwd']));
    const [, oldest] = await service.listSessions(owner.id, undefined);

    await service.endSession(owner.id, oldest?.id ?? '');

    await expect(service.refresh(ending.refreshToken)).rejects.toMatchObject({ code: 'invalid_refresh_token' });
    await expect(service.refresh(staying.refreshToken)).resolves.toMatchObject({ tokenType: 'Bearer' });
  });

  it("another person's session, an unknown id and an ended one are the same 404, and nothing ends", async () => {
    const { service, owner, operators } = await world();
    const stranger = operators.seedAccount().owner;
    const theirs = tokens(await service.admit(stranger.id, ['pwd']));
    const [their] = await service.listSessions(stranger.id, undefined);
    const mine = tokens(await service.admit(owner.id, ['pwd']));
    const [own] = await service.listSessions(owner.id, undefined);
    await service.logOut(mine.refreshToken);

    for (const id of [their?.id ?? '', 'fam_unknown', own?.id ?? '']) {
      await expect(service.endSession(owner.id, id)).rejects.toMatchObject({ status: 404, code: 'not_found' });
    }
    await expect(service.refresh(theirs.refreshToken)).resolves.toMatchObject({ tokenType: 'Bearer' });
  });
});
