import { describe, expect, it } from 'vitest';
import { amrOf } from '#shared/domain/sign-in/end-user-tokens.ts';

describe('amr of a chain with a passkey', () => {
  it('is hwk, user and mfa for a user-verified passkey alone', () => {
    expect(amrOf(['passkeyUserVerified'])).toEqual(['hwk', 'user', 'mfa']);
  });

  it('is hwk and user for a passkey without user verification: one factor', () => {
    expect(amrOf(['passkey'])).toEqual(['hwk', 'user']);
  });

  it('keeps both methods, and mfa, after a PIN', () => {
    expect(amrOf(['pin', 'passkey'])).toEqual(['sms', 'hwk', 'user', 'mfa']);
    expect(amrOf(['pin', 'passkeyUserVerified'])).toEqual(['sms', 'hwk', 'user', 'mfa']);
  });

  it('leaves the chains without a passkey as they were', () => {
    expect(amrOf(['pin'])).toEqual(['sms']);
    expect(amrOf(['pin', 'totp'])).toEqual(['sms', 'otp', 'mfa']);
    expect(amrOf(['email_pin', 'recoveryCode'])).toEqual(['email', 'otp', 'mfa']);
  });
});
