import { describe, expect, it } from 'vitest';
import { hashSecret } from '#shared/domain/kernel/secrets.ts';
import { Signup, SIGNUP_EMAIL_LIMIT, type PendingSignup, type PendingSignupStore, type SignupEmailLimit, type SignupMode } from '#shared/domain/sessions/signup.ts';
import { FixedClock } from '#test/support/fakes/clock.ts';
import { RecordingMailer } from '#test/support/fakes/mailer.ts';
import { MemoryTenancy } from '#test/support/fakes/tenancy.ts';

const CONSOLE_URL = 'https://console.example.test';
const PASSWORD = 'a long and unusual passphrase 7';

class MemoryPendingSignups implements PendingSignupStore, SignupEmailLimit {
  readonly pending = new Map<string, PendingSignup>();
  readonly lastSent = new Map<string, number>();

  createPendingSignup(pending: PendingSignup): Promise<void> {
    this.pending.set(pending.tokenHash, structuredClone(pending));
    return Promise.resolve();
  }

  consumePendingSignup(tokenHash: string, at: string): Promise<PendingSignup | undefined> {
    const found = this.pending.get(tokenHash);
    if (!found || found.expiresAt <= at) return Promise.resolve(undefined);
    this.pending.delete(tokenHash);
    return Promise.resolve(found);
  }

  /** One a minute (the window count is the repository's, tested on DynamoDB Local). */
  reserveSignupEmail(addressHash: string, nowSeconds: number): Promise<boolean> {
    const last = this.lastSent.get(addressHash);
    if (last !== undefined && nowSeconds - last < SIGNUP_EMAIL_LIMIT.minIntervalSeconds) return Promise.resolve(false);
    this.lastSent.set(addressHash, nowSeconds);
    return Promise.resolve(true);
  }
}

function world(mode: SignupMode) {
  const clock = new FixedClock();
  const tenancy = new MemoryTenancy(clock.now);
  const store = new MemoryPendingSignups();
  const mailer = new RecordingMailer();
  const openSignups: unknown[] = [];
  const sessions = {
    signUp: (input: { email: string }) => {
      openSignups.push(input);
      return Promise.resolve({ accountId: 'acc_open', userId: 'usr_open', accessToken: 'a', refreshToken: 'r', tokenType: 'Bearer' as const, expiresIn: 900 });
    },
    admit: (userId: string) => Promise.resolve({ accessToken: `access-${userId}`, refreshToken: `refresh-${userId}`, tokenType: 'Bearer' as const, expiresIn: 900 }),
  };
  const signup = new Signup(mode, tenancy, sessions, store, store, mailer, CONSOLE_URL, clock.now);
  return { clock, tenancy, store, mailer, openSignups, signup };
}

describe('Signup', () => {
  it('closed: refuses both steps with 403 signup_closed and sends nothing', async () => {
    const { signup, mailer } = world('closed');
    await expect(signup.start({ email: 'a@example.test', password: PASSWORD, accountName: 'A' })).rejects.toMatchObject({ status: 403, code: 'signup_closed' });
    await expect(signup.verify('psv_x')).rejects.toMatchObject({ status: 403, code: 'signup_closed' });
    expect(mailer.sent).toEqual([]);
  });

  it('open: creates at once, with no e-mail', async () => {
    const { signup, mailer, openSignups } = world('open');
    await expect(signup.start({ email: 'a@example.test', password: PASSWORD, accountName: 'A' })).resolves.toMatchObject({ created: { accountId: 'acc_open' } });
    expect(openSignups).toHaveLength(1);
    expect(mailer.sent).toEqual([]);
  });

  it('verify-email: the same answer for a known and a new address; the link only to the new one', async () => {
    const { signup, tenancy, mailer, store } = world('verify-email');
    const known = tenancy.seedOperator('known@example.test');

    const forKnown = await signup.start({ email: known.email, password: PASSWORD, accountName: 'K' });
    const forNew = await signup.start({ email: 'new@example.test', password: PASSWORD, accountName: 'N' });

    expect(forKnown).toEqual({ verificationSent: true });
    expect(forNew).toEqual(forKnown);
    expect(mailer.last(known.email, 'signupExistingOperator')?.values).toEqual({ loginUrl: `${CONSOLE_URL}/login`, resetUrl: `${CONSOLE_URL}/forgot-password` });
    expect(mailer.last(known.email, 'signupVerification')).toBeUndefined();
    const token = mailer.tokenIn('new@example.test', 'signupVerification');
    expect(mailer.last('new@example.test', 'signupVerification')?.values).toEqual({ accountName: 'N', url: `${CONSOLE_URL}/verify-email?token=${token}`, hours: 24 });
    // Both wrote one pending item: the same work; neither holds the password or the token.
    expect(store.pending.size).toBe(2);
    const stored = JSON.stringify([...store.pending.values()]);
    expect(stored).not.toContain(PASSWORD);
    expect(stored).not.toContain(token);
    expect(store.pending.get(hashSecret(token))?.passwordHash).toMatch(/^scrypt\$/);
  });

  it('verify-email: an e-mail that cannot be sent is a 502 email_failed for a known and a new address alike, never a 500', async () => {
    const { signup, tenancy, mailer } = world('verify-email');
    const known = tenancy.seedOperator('known@example.test');
    mailer.send = () => Promise.reject(new Error('SES throttled'));

    for (const email of [known.email, 'new@example.test']) {
      await expect(signup.start({ email, password: PASSWORD, accountName: 'X' })).rejects.toMatchObject({ status: 502, code: 'email_failed' });
    }
  });

  it('verify-email: a second request within the minute sends nothing and answers the same', async () => {
    const { signup, mailer } = world('verify-email');
    const input = { email: 'victim@example.test', password: PASSWORD, accountName: 'V' };
    await signup.start(input);
    await expect(signup.start(input)).resolves.toEqual({ verificationSent: true });
    expect(mailer.sent).toHaveLength(1);
  });

  it('verify: creates the owner with the stored hash once; then, expired or unknown, one refusal', async () => {
    const { signup, tenancy, mailer, clock } = world('verify-email');
    await signup.start({ email: 'new@example.test', password: PASSWORD, accountName: 'N' });
    const token = mailer.tokenIn('new@example.test', 'signupVerification');

    const created = await signup.verify(token);

    const operator = await tenancy.findOperatorByEmail('new@example.test');
    expect(created).toMatchObject({ userId: operator?.id, accessToken: `access-${operator?.id ?? ''}` });
    expect(await tenancy.findMembership(created.accountId, created.userId)).toMatchObject({ role: 'owner', scope: 'all' });
    await expect(signup.verify(token)).rejects.toMatchObject({ status: 400, code: 'invalid_signup_token' });

    await signup.start({ email: 'late@example.test', password: PASSWORD, accountName: 'L' });
    const late = mailer.tokenIn('late@example.test', 'signupVerification');
    clock.advance(24 * 3600);
    await expect(signup.verify(late)).rejects.toMatchObject({ status: 400, code: 'invalid_signup_token' });
  });

  it('verify: an address that got an operator meanwhile gets the same refusal, and no second operator', async () => {
    const { signup, tenancy, mailer } = world('verify-email');
    await signup.start({ email: 'race@example.test', password: PASSWORD, accountName: 'R' });
    const token = mailer.tokenIn('race@example.test', 'signupVerification');
    const first = tenancy.seedOperator('race@example.test');

    await expect(signup.verify(token)).rejects.toMatchObject({ status: 400, code: 'invalid_signup_token' });
    expect((await tenancy.findOperatorByEmail('race@example.test'))?.id).toBe(first.id);
  });
});
