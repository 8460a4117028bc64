import { describe, expect, it } from 'vitest';
import { findRecoveryCodeHash, hashRecoveryCode, newRecoveryCodes, normalizeRecoveryCode } from '#shared/domain/mfa/recovery-codes.ts';
import { acceptsTextPlain, content } from '#shared/http/responses.ts';
import { ENROLLMENT_PAGE_CSP, enrollmentFormPage, passwordFormPage } from '#shared/http/enrollment-page.ts';
import { base32Encode, groupSecret, hotpCode, matchTotp, newTotpSecret, otpauthUri, timeStepOf, totpCode } from '#shared/domain/mfa/totp.ts';

const RFC_SECRET = new TextEncoder().encode('12345678901234567890');

describe('TOTP core', () => {
  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ])('passes RFC 6238 Appendix B (SHA-1) at T=%i', async (time, expected) => {
    expect(await totpCode(RFC_SECRET, time, 8)).toBe(expected);
  });

  it('passes RFC 4226 Appendix D for counters 0..9', async () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    const codes = await Promise.all(expected.map((_, counter) => hotpCode(RFC_SECRET, counter)));
    expect(codes).toEqual(expected);
  });

  it('makes 160-bit base32 secrets from the CSPRNG, shown in groups of four', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(secret);
    expect(groupSecret('ABCDEFGHIJ')).toBe('ABCD EFGH IJ');
    expect(base32Encode(new TextEncoder().encode('foobar'))).toBe('MZXW6YTBOI');
  });

  it('accepts ±1 step and answers the matched step', async () => {
    const secret = newTotpSecret();
    const now = 1_800_000_000;
    const previous = await totpCode(secret, now - 30);
    const next = await totpCode(secret, now + 30);
    expect(await matchTotp(secret, previous, now)).toBe(timeStepOf(now) - 1);
    expect(await matchTotp(secret, next, now)).toBe(timeStepOf(now) + 1);
    expect(await matchTotp(secret, await totpCode(secret, now - 60), now)).toBeUndefined();
    expect(await matchTotp(secret, 'abcdef', now)).toBeUndefined();
  });

  it('builds the Key Uri Format authenticator apps read', () => {
    expect(otpauthUri({ issuer: 'Portcullis', accountName: 'ann@example.test', secret: 'ABC' })).toBe(
      'otpauth://totp/Portcullis:ann%40example.test?secret=ABC&issuer=Portcullis&algorithm=SHA1&digits=6&period=30',
    );
  });
});

describe('recovery codes', () => {
  it('makes 10 distinct codes of 60 bits as xxxx-xxxx-xxxx', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
  });

  it('matches a submitted code against stored hashes, forgiving case and dashes', () => {
    const codes = newRecoveryCodes();
    const hashes = codes.map(hashRecoveryCode);
    const code = codes[3] ?? '';
    expect(findRecoveryCodeHash(hashes, code.toUpperCase().replaceAll('-', ' '))).toBe(hashes[3]);
    expect(findRecoveryCodeHash(hashes, 'aaaa-aaaa-aaaa')).toBeUndefined();
    expect(normalizeRecoveryCode('not a code')).toBeUndefined();
  });
});

describe('non-JSON answers (downloads, the enrolment page)', () => {
  it('chooses text/plain only when the client asks for it first or alone', () => {
    expect(acceptsTextPlain({ accept: 'text/plain' })).toBe(true);
    expect(acceptsTextPlain({ accept: 'text/plain;q=0.9, */*;q=0.1' })).toBe(true);
    expect(acceptsTextPlain({ accept: 'application/json, text/plain' })).toBe(false);
    expect(acceptsTextPlain({})).toBe(false);
    expect(content(200, 'text/plain; charset=utf-8', 'x', { 'content-disposition': 'attachment' })).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'content-disposition': 'attachment' },
      body: 'x',
    });
  });

  it('escapes what it shows and sets its own strict CSP', () => {
    const page = enrollmentFormPage({ email: '<b>x</b>@example.test', qrCodeSvg: '<svg></svg>', secretGroups: 'ABCD', secret: 'ABCD', step: '"><b>' });
    expect(page.body).toContain('&lt;b&gt;x&lt;/b&gt;@example.test');
    expect(page.body).toContain('name="step" value="&quot;&gt;&lt;b&gt;"');
    const password = passwordFormPage({ email: '<i>y</i>@example.test', error: '<script>' });
    expect(password.body).toContain('&lt;i&gt;y&lt;/i&gt;@example.test');
    expect(password.body).not.toMatch(/<script/i);
    expect(password.statusCode).toBe(401);
    expect(password.headers?.['content-security-policy']).toBe(ENROLLMENT_PAGE_CSP);
    expect(page.body).not.toMatch(/<script/i);
    expect(page.headers?.['content-security-policy']).toBe(ENROLLMENT_PAGE_CSP);
    expect(ENROLLMENT_PAGE_CSP).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; img-src data:; form-action 'self'/);
  });
});
