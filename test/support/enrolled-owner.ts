import { operatorMfa } from '#shared/compose/mfa.ts';
import { operatorSessions } from '#shared/compose/sessions.ts';
import type { MfaSubject } from '#shared/domain/mfa/mfa-subject.ts';
import { signupBody } from './factories.ts';
import { referenceCode } from './totp.ts';

/** The request facts the domain-level tests record. */
export const TEST_FACTS = { requestId: 'test', sourceIp: '127.0.0.1' };

/**
 * A signed-up owner with TOTP confirmed through the domain services (the confirming code from the
 * reference implementation, otpauth): the password, ids, secret, recovery codes and MFA subject.
 */
export async function enrolledOwner() {
  const body = signupBody();
  const { accountId, userId } = await operatorSessions().signUp(body);
  const { secret } = await operatorMfa().startEnrollment(userId, { password: body.password, viaEnrollmentToken: false }, TEST_FACTS);
  const recoveryCodes = await operatorMfa().confirmEnrollment(userId, referenceCode(secret), TEST_FACTS);
  return { ...body, accountId, userId, secret, recoveryCodes, subject: { kind: 'operator', userId } as MfaSubject };
}
