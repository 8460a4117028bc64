/**
 * The per-address budget of sign-up e-mails (SPEC §6: signup must not become a mail cannon), on
 * DynamoDB Local: one a minute, five an hour, whatever the concurrency.
 */
import { describe, expect, it } from 'vitest';
import { PendingSignupRepository } from '#shared/adapters/pending-signup-repository.ts';
import { documentClient } from '#shared/compose/runtime.ts';
import { config } from '#shared/config.ts';
import { hashSecret } from '#shared/domain/kernel/secrets.ts';
import { SIGNUP_EMAIL_LIMIT } from '#shared/domain/sessions/signup.ts';
import { uniqueEmail } from '#test/support/factories.ts';

const limit = () => new PendingSignupRepository(documentClient(), config().tableName);
const address = () => hashSecret(uniqueEmail('victim'));
const T0 = 1_900_000_000;

describe('sign-up e-mail limit per address', () => {
  it('lets exactly one of 20 concurrent requests for one address send', async () => {
    const victim = address();
    const taken = await Promise.all(Array.from({ length: 20 }, () => limit().reserveSignupEmail(victim, T0, SIGNUP_EMAIL_LIMIT)));
    expect(taken.filter(Boolean)).toHaveLength(1);
  });

  it('sends one a minute, five an hour, then again once the hour is over', async () => {
    const victim = address();
    const at = (seconds: number) => limit().reserveSignupEmail(victim, T0 + seconds, SIGNUP_EMAIL_LIMIT);

    expect(await at(0)).toBe(true);
    expect(await at(59)).toBe(false);
    for (const minute of [1, 2, 3, 4]) expect(await at(minute * 60)).toBe(true);
    // Five in this hour: spaced a minute apart or not, the sixth waits for the window to end.
    expect(await at(10 * 60)).toBe(false);
    expect(await at(59 * 60)).toBe(false);
    expect(await at(60 * 60)).toBe(true);
    expect(await at(60 * 60 + 30)).toBe(false);
  });

  it('counts each address on its own', async () => {
    const [one, two] = [address(), address()];
    expect(await limit().reserveSignupEmail(one, T0, SIGNUP_EMAIL_LIMIT)).toBe(true);
    expect(await limit().reserveSignupEmail(two, T0, SIGNUP_EMAIL_LIMIT)).toBe(true);
  });
});
