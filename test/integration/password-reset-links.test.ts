/**
 * The reset link's clock and the reset-mail limit on DynamoDB Local, with the clock moved instead of
 * waited for: a link refused once its 30 minutes are over (DynamoDB Local never expires items by TTL,
 * and the cloud's TTL deletes late, so expiry is checked on read), and at most one reset e-mail a
 * minute and five an hour per address.
 */
import { describe, expect, it } from 'vitest';
import { LoginThrottleRepository } from '#shared/adapters/login-throttle-repository.ts';
import { PasswordRepository } from '#shared/adapters/password-repository.ts';
import { documentClient } from '#shared/compose/runtime.ts';
import { operatorSessions } from '#shared/compose/sessions.ts';
import { auditRepository, operatorStore } from '#shared/compose/shared.ts';
import { config } from '#shared/config.ts';
import { hashSecret, randomSecret } from '#shared/domain/kernel/secrets.ts';
import { SecurityNotices } from '#shared/domain/platform/security-notices.ts';
import { LoginThrottle } from '#shared/domain/sessions/login-throttle.ts';
import { PasswordLifecycle, RESET_LINK_TTL_SECONDS, RESET_MAIL_LIMITS } from '#shared/domain/sessions/password-lifecycle.ts';
import { outcome } from '#test/support/challenge-world.ts';
import { TEST_FACTS } from '#test/support/enrolled-owner.ts';
import { signupBody, strongPassword } from '#test/support/factories.ts';

const repository = () => new PasswordRepository(documentClient(), config().tableName);
const MINUTE = 60_000;

describe('reset-mail limit per address', () => {
  it('takes one mail a minute and five an hour, then opens a new window after the hour', async () => {
    const address = hashSecret(`limit-${randomSecret(8)}`);
    const start = Date.UTC(2030, 0, 1);
    const take = (atMs: number) => repository().takeResetMail(address, atMs, RESET_MAIL_LIMITS);
    expect(await take(start)).toBe(true);
    expect(await take(start + 30_000)).toBe(false); // within the minute
    for (let i = 1; i < RESET_MAIL_LIMITS.maxPerWindow; i++) expect(await take(start + i * 2 * MINUTE)).toBe(true);
    expect(await take(start + 20 * MINUTE)).toBe(false); // the sixth in the hour
    expect(await take(start + 61 * MINUTE)).toBe(true); // a new window
  });

  it('lets exactly one of concurrent takes for one address through', async () => {
    const address = hashSecret(`burst-${randomSecret(8)}`);
    const now = Date.now();
    const taken = await Promise.all(Array.from({ length: 10 }, () => repository().takeResetMail(address, now, RESET_MAIL_LIMITS)));
    expect(taken.filter(Boolean)).toHaveLength(1);
  });
});

describe('reset link lifetime', () => {
  it('refuses the link once its 30 minutes are over, even though the item is still in the table', async () => {
    const body = signupBody();
    const { userId, accountId } = await operatorSessions().signUp(body);
    let now = new Date();
    const mails: { url: string }[] = [];
    const lifecycle = new PasswordLifecycle(
      operatorStore(),
      repository(),
      operatorSessions(),
      new LoginThrottle(new LoginThrottleRepository(documentClient(), config().tableName)),
      {
        accountsOfOperator: () => Promise.resolve([accountId]),
        recordEvents: async (events) => {
          await Promise.all(events.map((event) => auditRepository().recordEvent(event)));
        },
      },
      new SecurityNotices(
        {
          send: (_to, kind, values) => {
            if (kind === 'passwordReset') mails.push(values as { url: string });
            return Promise.resolve();
          },
        },
        () => undefined,
      ),
      { consoleUrl: 'https://console.example' },
      undefined,
      () => now,
    );
    await lifecycle.requestReset(body.email, TEST_FACTS);
    const token = new URL(mails[0]?.url ?? 'https://x').searchParams.get('token') ?? '';
    expect(token).toMatch(/^ppr_/);

    now = new Date(now.getTime() + RESET_LINK_TTL_SECONDS * 1000);
    expect(await repository().findResetLink(hashSecret(token))).toMatchObject({ userId });
    expect(await outcome(lifecycle.resetPassword({ token, newPassword: strongPassword() }, TEST_FACTS))).toBe('invalid_reset_token');
  });
});
