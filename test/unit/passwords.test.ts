import { describe, expect, it } from 'vitest';
import { assertAcceptablePassword, hashPassword, verifyPassword } from '#shared/domain/sessions/passwords.ts';
import { constantTimeEqual, hashSecret, newId, randomSecret } from '#shared/domain/kernel/secrets.ts';

describe('passwords', () => {
  it('verifies the right password and rejects a wrong one', async () => {
    const hash = await hashPassword('a perfectly fine passphrase');
    expect(await verifyPassword('a perfectly fine passphrase', hash)).toBe(true);
    expect(await verifyPassword('a perfectly fine passphrasE', hash)).toBe(false);
  });

  it('salts: the same password hashes differently twice', async () => {
    expect(await hashPassword('same password twice')).not.toBe(await hashPassword('same password twice'));
  });

  it('never matches a malformed stored hash', async () => {
    expect(await verifyPassword('anything at all', 'plaintext-password')).toBe(false);
  });

  it('refuses common passwords regardless of case', () => {
    expect(() => { assertAcceptablePassword('QWERTY123456', 'a@b.test'); }).toThrow(/too common/);
    expect(() => { assertAcceptablePassword('1q2w3e4r5t6y', 'a@b.test'); }).toThrow(/too common/);
  });

  it('refuses a password built from the email', () => {
    expect(() => { assertAcceptablePassword('jane.doe-2026!!', 'jane.doe@example.test'); }).toThrow(/email/);
    expect(() => { assertAcceptablePassword('tidy-lantern-orbit', 'jane.doe@example.test'); }).not.toThrow();
  });
});

describe('secrets', () => {
  it('makes 256-bit URL-safe secrets and prefixed ids', () => {
    expect(Buffer.from(randomSecret(), 'base64url')).toHaveLength(32);
    expect(newId('usr')).toMatch(/^usr_[0-9a-f]{32}$/);
  });

  it('hashes deterministically and compares in constant time', () => {
    expect(hashSecret('x')).toBe(hashSecret('x'));
    expect(hashSecret('x')).not.toBe(hashSecret('y'));
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });
});
