import { describe, expect, it } from 'vitest';
import { operatorSessions } from '#shared/compose/sessions.ts';
import { ConflictError } from '#shared/domain/kernel/errors.ts';
import { LOGIN_MAX_ATTEMPTS } from '#shared/domain/sessions/login-throttle.ts';
import { signupBody, uniqueEmail } from '#test/support/factories.ts';

const CONCURRENCY = 12;

const outcomes = async <T>(attempts: Promise<T>[]) => {
  const settled = await Promise.allSettled(attempts);
  return {
    fulfilled: settled.filter((r) => r.status === 'fulfilled'),
    rejected: settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : [])),
  };
};

describe('concurrency on DynamoDB Local', () => {
  it('of concurrent sign-ups with one email exactly one creates an account', async () => {
    const email = uniqueEmail('race');
    const { fulfilled, rejected } = await outcomes(
      Array.from({ length: CONCURRENCY }, () => operatorSessions().signUp(signupBody({ email }))),
    );
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(CONCURRENCY - 1);
    for (const error of rejected) expect(error).toBeInstanceOf(ConflictError);
  });

  it('of concurrent uses of one refresh token exactly one gets new tokens', async () => {
    const { refreshToken } = await operatorSessions().signUp(signupBody());
    const { fulfilled, rejected } = await outcomes(
      Array.from({ length: CONCURRENCY }, () => operatorSessions().refresh(refreshToken)),
    );
    expect(fulfilled).toHaveLength(1);
    expect(rejected.map((error) => (error as { status?: number }).status)).toEqual(Array(CONCURRENCY - 1).fill(401));
  });

  it('lets no more than the limit of concurrent guesses reach the password check', async () => {
    const email = uniqueEmail('guess');
    const { rejected } = await outcomes(
      Array.from({ length: LOGIN_MAX_ATTEMPTS + 5 }, () => operatorSessions().logIn({ email, password: 'not-the-password' })),
    );
    const codes = rejected.map((error) => (error as { code?: string }).code);
    expect(codes.filter((code) => code === 'invalid_credentials')).toHaveLength(LOGIN_MAX_ATTEMPTS);
    expect(codes.filter((code) => code === 'rate_limited')).toHaveLength(5);
  });
});
