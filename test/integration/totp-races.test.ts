import { describe, expect, it } from 'vitest';
import { totpFactors } from '#shared/compose/mfa.ts';
import { operatorSessions } from '#shared/compose/sessions.ts';
import type { AuditContext } from '#shared/domain/kernel/audit-events.ts';
import { eventsOf } from '#test/support/organizations.ts';
import { enrolledOwner, TEST_FACTS as facts } from '#test/support/enrolled-owner.ts';
import { codeInSteps } from '#test/support/totp.ts';

const CONCURRENCY = 10;


async function mfaToken(email: string, password: string): Promise<string> {
  const answer = await operatorSessions().logIn({ email, password }, facts);
  if (!('mfaRequired' in answer)) throw new Error('expected mfaRequired');
  return answer.mfaToken;
}

const context = (userId: string): AuditContext => ({ actor: { kind: 'operator', id: userId }, requestId: null, sourceIp: null });

describe('TOTP under concurrency (DynamoDB Local)', () => {
  it('of concurrent checks of one code exactly one succeeds', async () => {
    const owner = await enrolledOwner();
    const code = codeInSteps(owner.secret, 1);
    const outcomes = await Promise.all(Array.from({ length: CONCURRENCY }, () => totpFactors().verify(owner.subject, code, context(owner.userId))));
    expect(outcomes.filter((outcome) => outcome === 'ok')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'replayed')).toHaveLength(CONCURRENCY - 1);
  });

  it('of two concurrent logins completed with one code exactly one gets a session', async () => {
    const owner = await enrolledOwner();
    const tokens = await Promise.all([mfaToken(owner.email, owner.password), mfaToken(owner.email, owner.password)]);
    const code = codeInSteps(owner.secret, 1);
    const settled = await Promise.allSettled(tokens.map((token) => operatorSessions().completeMfaLogin({ mfaToken: token, code }, facts)));
    expect(settled.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const [refused] = settled.flatMap((result) => (result.status === 'rejected' ? [result.reason as { code: string }] : []));
    expect(refused?.code).toBe('code_already_used');
  });

  it('of concurrent uses of one recovery code exactly one succeeds', async () => {
    const owner = await enrolledOwner();
    const code = owner.recoveryCodes[0] ?? '';
    const outcomes = await Promise.all(
      Array.from({ length: CONCURRENCY }, () => totpFactors().useRecoveryCode(owner.subject, code, context(owner.userId))),
    );
    expect(outcomes.filter((result) => result.outcome === 'ok')).toHaveLength(1);
    expect(await totpFactors().status(owner.subject)).toEqual({ totp: true, recoveryCodesRemaining: 9 });
  });

  it('locks once when concurrent wrong codes pass the limit', async () => {
    const owner = await enrolledOwner();
    const right = codeInSteps(owner.secret, 1);
    const wrong = right === '000000' ? '111111' : '000000';
    await Promise.all(Array.from({ length: CONCURRENCY }, () => totpFactors().verify(owner.subject, wrong, context(owner.userId))));
    expect(await totpFactors().verify(owner.subject, right, context(owner.userId))).toBe('locked');
    const locks = (await eventsOf(owner.accountId)).filter((event) => event.type === 'mfa.locked');
    expect(locks).toHaveLength(1);
  });
});
