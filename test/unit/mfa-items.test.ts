/** The mfa items (shared/adapters/items/): what is written reads back the same, and a malformed item is an error. */
import { describe, expect, it } from 'vitest';
import { enrollmentLinkFromItem, enrollmentLinkToItem } from '#shared/adapters/items/enrollment-link-item.ts';
import { mfaTokenFromItem, mfaTokenToItem } from '#shared/adapters/items/mfa-token-item.ts';
import { totpFactorFromItem, totpFactorKey } from '#shared/adapters/items/totp-factor-item.ts';
import { endUserTotpKey, mfaEnrollmentKey, mfaTokenKey, operatorTotpKey } from '#shared/data/keys.ts';

describe('TOTP factor item', () => {
  it('is keyed by operator or by organization and end user', () => {
    expect(totpFactorKey({ kind: 'operator', userId: 'usr_1' })).toEqual(operatorTotpKey('usr_1'));
    expect(totpFactorKey({ kind: 'end-user', organizationId: 'org_1', userId: 'eu_1' })).toEqual(endUserTotpKey('org_1', 'eu_1'));
  });

  it('reads absent attributes as the starting values and the code set as a list', () => {
    expect(totpFactorFromItem({ ...operatorTotpKey('usr_1'), status: 'pending', pendingSecret: 'sealed' })).toEqual({
      status: 'pending',
      secret: null,
      pendingSecret: 'sealed',
      version: 0,
      lastStep: 0,
      lockedUntil: 0,
      recoveryCodeHashes: [],
      enabledAt: null,
    });
    const enabled = totpFactorFromItem({ status: 'enabled', secret: 's', version: 2, lastStep: 9, lockedUntil: 5, recoveryCodes: new Set(['h1', 'h2']), enabledAt: '2026-01-01T00:00:00.000Z', failedCount: 1 });
    expect(enabled).toMatchObject({ status: 'enabled', secret: 's', version: 2, lastStep: 9, lockedUntil: 5, enabledAt: '2026-01-01T00:00:00.000Z' });
    expect(enabled.recoveryCodeHashes.sort()).toEqual(['h1', 'h2']);
  });

  it('rejects a malformed item instead of guessing', () => {
    expect(() => totpFactorFromItem({ secret: 's' })).toThrow('Malformed TotpFactor item');
    expect(() => totpFactorFromItem({ status: 'active' })).toThrow('Malformed TotpFactor item');
    expect(() => totpFactorFromItem({ status: 'enabled', version: '2' })).toThrow('Malformed TotpFactor item');
    expect(() => totpFactorFromItem({ status: 'enabled', recoveryCodes: ['h1'] })).toThrow('Malformed TotpFactor item');
  });
});

describe('MFA token item', () => {
  const record = { tokenHash: 'hash', userId: 'usr_1', purpose: 'login' as const, expiresAt: 1_800_000_000 };

  it('writes its key, entity and TTL, and reads back the record', () => {
    const item = mfaTokenToItem(record);
    expect(item).toMatchObject({ ...mfaTokenKey('hash'), entity: 'MfaToken', ttl: record.expiresAt });
    expect(mfaTokenFromItem(item)).toEqual(record);
  });

  it('rejects a malformed item instead of guessing', () => {
    expect(() => mfaTokenFromItem({ ...mfaTokenToItem(record), purpose: 'admin' })).toThrow('Malformed MfaToken item');
    expect(() => mfaTokenFromItem({ ...mfaTokenToItem(record), userId: undefined })).toThrow('Malformed MfaToken item');
    expect(() => mfaTokenFromItem({ ...mfaTokenToItem(record), expiresAt: '1800000000' })).toThrow('Malformed MfaToken item');
  });
});

describe('enrolment link item', () => {
  const record = { tokenHash: 'hash', userId: 'usr_1', accountId: 'acc_1', createdBy: 'usr_0', expiresAt: 1_800_000_000 };

  it('writes its key, entity and TTL, and reads back the record', () => {
    const item = enrollmentLinkToItem(record);
    expect(item).toMatchObject({ ...mfaEnrollmentKey('hash'), entity: 'MfaEnrollmentLink', ttl: record.expiresAt });
    expect(enrollmentLinkFromItem(item)).toEqual(record);
  });

  it('rejects a malformed item instead of guessing', () => {
    expect(() => enrollmentLinkFromItem({ ...enrollmentLinkToItem(record), accountId: 7 })).toThrow('Malformed MfaEnrollmentLink item');
    expect(() => enrollmentLinkFromItem({ ...enrollmentLinkToItem(record), createdBy: undefined })).toThrow('Malformed MfaEnrollmentLink item');
  });
});
