/**
 * SPEC §8 security notices are sent after the change commits and never decide it: with a mailer that
 * fails, turning 2FA off, an owner's reset of a member's 2FA and a password change all complete, and
 * the failure is logged with the address masked.
 */
import { describe, expect, it } from 'vitest';
import { LoginThrottleRepository } from '#shared/adapters/login-throttle-repository.ts';
import { PasswordRepository } from '#shared/adapters/password-repository.ts';
import { enrollmentLinks, operatorMfa, totpFactors } from '#shared/compose/mfa.ts';
import { documentClient } from '#shared/compose/runtime.ts';
import { operatorSessions } from '#shared/compose/sessions.ts';
import { accessControl, auditRepository, operatorStore } from '#shared/compose/shared.ts';
import { config } from '#shared/config.ts';
import { MemberMfa } from '#shared/domain/mfa/member-mfa.ts';
import { OperatorMfa } from '#shared/domain/mfa/operator-mfa.ts';
import { SecurityNotices, maskEmail } from '#shared/domain/platform/security-notices.ts';
import { LoginThrottle } from '#shared/domain/sessions/login-throttle.ts';
import { PasswordLifecycle } from '#shared/domain/sessions/password-lifecycle.ts';
import { verifyPassword } from '#shared/domain/sessions/passwords.ts';
import { TEST_FACTS, enrolledOwner } from '#test/support/enrolled-owner.ts';
import { signupBody, strongPassword } from '#test/support/factories.ts';

/** Notices through a mailer that always fails, and what they logged. */
function failingNotices() {
  const logged: Record<string, unknown>[] = [];
  const notices = new SecurityNotices(
    { send: () => Promise.reject(new Error('SES is down')) },
    (_message, details) => {
      logged.push(details);
    },
  );
  return { notices, logged };
}

const throttle = () => new LoginThrottle(new LoginThrottleRepository(documentClient(), config().tableName));

describe('a failed security notice', () => {
  it('does not undo or fail turning 2FA off, and is logged with the address masked', async () => {
    const owner = await enrolledOwner();
    const { notices, logged } = failingNotices();
    const mfa = new OperatorMfa(totpFactors(), operatorStore(), throttle(), notices);
    await expect(mfa.disable(owner.userId, { password: owner.password }, TEST_FACTS)).resolves.toBeUndefined();
    expect((await operatorMfa().status(owner.userId)).totp).toBe(false);
    expect(logged).toEqual([{ kind: 'mfaDisabled', to: maskEmail(owner.email), error: 'Error' }]);
    expect(JSON.stringify(logged)).not.toContain(owner.email);
  });

  it('does not undo or fail an owner’s reset of a member’s 2FA', async () => {
    const member = await enrolledOwner();
    const { notices, logged } = failingNotices();
    const memberMfa = new MemberMfa(totpFactors(), enrollmentLinks(), operatorStore(), accessControl(), notices);
    // The member's own account: they are its owner, and the only account they belong to.
    const principal = { kind: 'operator' as const, userId: member.userId, amr: ['pwd', 'otp'] };
    await expect(memberMfa.reset({ principal, ...TEST_FACTS }, member.accountId, member.userId)).resolves.toBeUndefined();
    expect((await operatorMfa().status(member.userId)).totp).toBe(false);
    expect(logged).toEqual([expect.objectContaining({ kind: 'mfaResetByOwner', to: maskEmail(member.email) })]);
  });

  it('does not undo or fail a password change', async () => {
    const body = signupBody();
    const { userId, accountId } = await operatorSessions().signUp(body);
    const { notices, logged } = failingNotices();
    const sink = {
      accountsOfOperator: () => Promise.resolve([accountId]),
      recordEvents: async (events: Parameters<ReturnType<typeof auditRepository>['recordEvent']>[0][]) => {
        await Promise.all(events.map((event) => auditRepository().recordEvent(event)));
      },
    };
    const lifecycle = new PasswordLifecycle(
      operatorStore(),
      new PasswordRepository(documentClient(), config().tableName),
      operatorSessions(),
      throttle(),
      sink,
      notices,
      { consoleUrl: 'https://console.example' },
    );
    const newPassword = strongPassword();
    await expect(lifecycle.changePassword({ userId, amr: ['pwd'] }, { currentPassword: body.password, newPassword }, TEST_FACTS)).resolves.toBeUndefined();
    const operator = await operatorStore().findOperatorById(userId);
    expect(await verifyPassword(newPassword, operator?.passwordHash ?? '')).toBe(true);
    expect(logged).toEqual([expect.objectContaining({ kind: 'passwordChanged' })]);
  });
});

describe('maskEmail', () => {
  it('keeps the first character and the domain only', () => {
    expect(maskEmail('ada.lovelace@example.com')).toBe('a***@example.com');
    expect(maskEmail('no-at-sign')).toBe('***');
  });
});
