import { describe, expect, it } from 'vitest';
import { maskPhone } from '#shared/domain/directory/phone-numbers.ts';
import { chooseFactors, parseCidr, usesPasswordless } from '#shared/domain/sign-in/policy.ts';
import { PasswordlessUrl, PolicySchema } from '#shared/schemas/policy.ts';
import type { Policy } from '#shared/domain/sign-in/model.ts';
import { ValidationError } from '#shared/domain/kernel/errors.ts';
import { validatePart } from '#shared/http/validation.ts';

/** The field-level issues a policy body gets, as the API would report them. */
function issuesOf(policy: unknown): { field: string; message: string }[] {
  try {
    validatePart(PolicySchema, policy, 'body.policy');
    return [];
  } catch (error) {
    if (error instanceof ValidationError) return error.errors;
    throw error;
  }
}

const policy = (overrides: Partial<Policy> = {}): Policy => PolicySchema.parse({ factors: ['pin'], ...overrides });

describe('policy validation', () => {
  it('fills in the defaults of SPEC §5', () => {
    expect(PolicySchema.parse({ factors: ['pin'] })).toEqual({
      factors: ['pin'],
      rules: [],
      pin: { length: 6, ttlSeconds: 300, maxAttempts: 5 },
      passwordless: { ttlSeconds: 600 },
      tokenTtlSeconds: 3600,
    });
    expect(PolicySchema.parse({ factors: ['pin'], pin: { length: 8 } }).pin).toEqual({ length: 8, ttlSeconds: 300, maxAttempts: 5 });
  });

  it('accepts the example policy of the spec', () => {
    const example = {
      factors: ['pin'],
      rules: [
        { if: { sensitivity: ['high'] }, factors: ['pin', 'totp'] },
        { if: { ipCidr: ['10.0.0.0/8'] }, factors: ['passwordless'] },
      ],
      pin: { length: 6, ttlSeconds: 300, maxAttempts: 5 },
      passwordless: { ttlSeconds: 600 },
      tokenTtlSeconds: 3600,
    };
    expect(issuesOf(example)).toEqual([]);
    expect(PolicySchema.parse(example)).toEqual(example);
  });

  it.each([
    ['no factors', { factors: [] }, 'body.policy.factors'],
    ['missing factors', {}, 'body.policy.factors'],
    ['an unknown factor', { factors: ['pin', 'email'] }, 'body.policy.factors.1'],
    ['a duplicate factor', { factors: ['pin', 'pin'] }, 'body.policy.factors.1'],
    ['a rule without conditions', { factors: ['pin'], rules: [{ if: {}, factors: ['pin'] }] }, 'body.policy.rules.0.if'],
    ['an unknown condition', { factors: ['pin'], rules: [{ if: { country: ['FR'] }, factors: ['pin'] }] }, 'body.policy.rules.0.if.country'],
    ['an empty condition list', { factors: ['pin'], rules: [{ if: { sensitivity: [] }, factors: ['pin'] }] }, 'body.policy.rules.0.if.sensitivity'],
    ['a condition that is not a list', { factors: ['pin'], rules: [{ if: { resource: 'admin' }, factors: ['pin'] }] }, 'body.policy.rules.0.if.resource'],
    ['a rule with an unknown factor', { factors: ['pin'], rules: [{ if: { sensitivity: ['high'] }, factors: ['sms'] }] }, 'body.policy.rules.0.factors.0'],
    ['a rule without factors', { factors: ['pin'], rules: [{ if: { sensitivity: ['high'] } }] }, 'body.policy.rules.0.factors'],
    ['a bad IPv4 CIDR', { factors: ['pin'], rules: [{ if: { ipCidr: ['10.0.0.0/8', '10.0.0.300/8'] }, factors: ['pin'] }] }, 'body.policy.rules.0.if.ipCidr.1'],
    ['an IPv4 prefix above 32', { factors: ['pin'], rules: [{ if: { ipCidr: ['10.0.0.0/33'] }, factors: ['pin'] }] }, 'body.policy.rules.0.if.ipCidr.0'],
    ['a CIDR without prefix', { factors: ['pin'], rules: [{ if: { ipCidr: ['10.0.0.1'] }, factors: ['pin'] }] }, 'body.policy.rules.0.if.ipCidr.0'],
    ['a bad IPv6 CIDR', { factors: ['pin'], rules: [{ if: { ipCidr: ['2001:db8:::/32'] }, factors: ['pin'] }] }, 'body.policy.rules.0.if.ipCidr.0'],
    ['an IPv6 prefix above 128', { factors: ['pin'], rules: [{ if: { ipCidr: ['2001:db8::/129'] }, factors: ['pin'] }] }, 'body.policy.rules.0.if.ipCidr.0'],
    ['an IPv6 zone id', { factors: ['pin'], rules: [{ if: { ipCidr: ['fe80::%eth0/64'] }, factors: ['pin'] }] }, 'body.policy.rules.0.if.ipCidr.0'],
    ['more than 20 rules', { factors: ['pin'], rules: Array.from({ length: 21 }, () => ({ if: { sensitivity: ['high'] }, factors: ['pin'] })) }, 'body.policy.rules'],
    ['more than 20 values', { factors: ['pin'], rules: [{ if: { resource: Array.from({ length: 21 }, (_, i) => `r${i}`) }, factors: ['pin'] }] }, 'body.policy.rules.0.if.resource'],
    ['a PIN of 5 digits', { factors: ['pin'], pin: { length: 5 } }, 'body.policy.pin.length'],
    ['a PIN of 9 digits', { factors: ['pin'], pin: { length: 9 } }, 'body.policy.pin.length'],
    ['a PIN TTL above 10 minutes', { factors: ['pin'], pin: { ttlSeconds: 601 } }, 'body.policy.pin.ttlSeconds'],
    ['a PIN TTL below 30 s', { factors: ['pin'], pin: { ttlSeconds: 29 } }, 'body.policy.pin.ttlSeconds'],
    ['zero attempts', { factors: ['pin'], pin: { maxAttempts: 0 } }, 'body.policy.pin.maxAttempts'],
    ['11 attempts', { factors: ['pin'], pin: { maxAttempts: 11 } }, 'body.policy.pin.maxAttempts'],
    ['a fractional length', { factors: ['pin'], pin: { length: 6.5 } }, 'body.policy.pin.length'],
    ['a link TTL above 10 minutes', { factors: ['pin'], passwordless: { ttlSeconds: 900 } }, 'body.policy.passwordless.ttlSeconds'],
    ['a token TTL below a minute', { factors: ['pin'], tokenTtlSeconds: 59 }, 'body.policy.tokenTtlSeconds'],
    ['a token TTL above a day', { factors: ['pin'], tokenTtlSeconds: 86_401 }, 'body.policy.tokenTtlSeconds'],
    ['a string where a number belongs', { factors: ['pin'], tokenTtlSeconds: '3600' }, 'body.policy.tokenTtlSeconds'],
    ['an unknown member', { factors: ['pin'], lockout: true }, 'body.policy.lockout'],
  ])('refuses %s, naming the field', (_name, input, field) => {
    expect(issuesOf(input).map((issue) => issue.field)).toContain(field);
  });

  it('accepts IPv4 and IPv6 blocks at the edges of their prefix ranges', () => {
    for (const cidr of ['0.0.0.0/0', '192.0.2.1/32', '10.1.2.3/8', '::/0', '2001:db8::/32', '::1/128', '::ffff:10.0.0.0/104']) {
      expect(parseCidr(cidr), cidr).toBeDefined();
    }
    for (const cidr of ['10.0.0.0/08', '10.0.0.0/-1', '10.0.0.0/', '/8', '10.0.0.0/8/8', 'example.com/8', ' 10.0.0.0/8']) {
      expect(parseCidr(cidr), cidr).toBeUndefined();
    }
  });

  it('checks a passwordless URL: absolute https, no credentials, query or fragment, at most 2048 characters', () => {
    expect(PasswordlessUrl.safeParse('https://app.example.com/magic').success).toBe(true);
    for (const url of [
      'http://app.example.com/magic',
      'app.example.com/magic',
      '/magic',
      'https://user:pw@app.example.com/magic',
      'https://app.example.com/magic?x=1',
      'https://app.example.com/magic#top',
      'javascript:alert(1)',
      `https://app.example.com/${'a'.repeat(2040)}`,
    ]) {
      expect(PasswordlessUrl.safeParse(url).success, url).toBe(false);
    }
  });

  it('knows when a policy sends magic links', () => {
    expect(usesPasswordless(policy())).toBe(false);
    expect(usesPasswordless(policy({ factors: ['passwordless'] }))).toBe(true);
    expect(usesPasswordless(policy({ rules: [{ if: { resource: ['x'] }, factors: ['pin', 'passwordless'] }] }))).toBe(true);
    // An e-mailed link is a magic link too: it needs the system's passwordlessUrl.
    expect(usesPasswordless(policy({ factors: ['email_link'] }))).toBe(true);
    expect(usesPasswordless(policy({ rules: [{ if: { resource: ['x'] }, factors: ['email_link'] }] }))).toBe(true);
    expect(usesPasswordless(policy({ factors: ['email_pin'] }))).toBe(false);
  });

  it('accepts the e-mail factors wherever a factor goes, with the pin and passwordless settings', () => {
    const parsed = PolicySchema.parse({ factors: ['email_link', 'totp'], rules: [{ if: { sensitivity: ['high'] }, factors: ['email_pin', 'totp'] }], pin: { length: 8 } });
    expect(parsed.factors).toEqual(['email_link', 'totp']);
    expect(parsed.rules[0]?.factors).toEqual(['email_pin', 'totp']);
    expect(parsed.pin.length).toBe(8);
    expect(chooseFactors(parsed, { sensitivity: 'high' })).toEqual(['email_pin', 'totp']);
    expect(PolicySchema.safeParse({ factors: ['pin', 'passwordless', 'totp', 'email_pin', 'email_link'] }).success).toBe(true);
  });
});

describe('chooseFactors', () => {
  const stepUp = policy({
    factors: ['pin'],
    rules: [
      { if: { sensitivity: ['high', 'critical'] }, factors: ['pin', 'totp'] },
      { if: { ipCidr: ['10.0.0.0/8', '2001:db8::/32'] }, factors: ['passwordless'] },
      { if: { resource: ['admin'], ipCidr: ['192.0.2.0/24'] }, factors: ['totp'] },
    ],
  });

  it('answers the default factors when no rule matches or there is no context', () => {
    expect(chooseFactors(stepUp, undefined)).toEqual(['pin']);
    expect(chooseFactors(stepUp, {})).toEqual(['pin']);
    expect(chooseFactors(stepUp, { sensitivity: 'low', ip: '203.0.113.9', resource: 'admin' })).toEqual(['pin']);
  });

  it('matches any listed value of a condition', () => {
    expect(chooseFactors(stepUp, { sensitivity: 'high' })).toEqual(['pin', 'totp']);
    expect(chooseFactors(stepUp, { sensitivity: 'critical' })).toEqual(['pin', 'totp']);
  });

  it('lets the first matching rule win', () => {
    expect(chooseFactors(stepUp, { sensitivity: 'high', ip: '10.1.2.3' })).toEqual(['pin', 'totp']);
  });

  it('requires every condition of a rule to match', () => {
    expect(chooseFactors(stepUp, { resource: 'admin', ip: '192.0.2.77' })).toEqual(['totp']);
    expect(chooseFactors(stepUp, { resource: 'admin', ip: '198.51.100.1' })).toEqual(['pin']);
    expect(chooseFactors(stepUp, { resource: 'admin' })).toEqual(['pin']);
  });

  it('matches IPv4 addresses against IPv4 blocks', () => {
    expect(chooseFactors(stepUp, { ip: '10.255.255.255' })).toEqual(['passwordless']);
    expect(chooseFactors(stepUp, { ip: '11.0.0.0' })).toEqual(['pin']);
  });

  it('matches IPv6 addresses against IPv6 blocks, in any spelling', () => {
    expect(chooseFactors(stepUp, { ip: '2001:db8::1' })).toEqual(['passwordless']);
    expect(chooseFactors(stepUp, { ip: '2001:0DB8:0000:0000:0000:0000:0000:0001' })).toEqual(['passwordless']);
    expect(chooseFactors(stepUp, { ip: '2001:db9::1' })).toEqual(['pin']);
  });

  it('matches an IPv4-mapped IPv6 address against IPv4 blocks', () => {
    expect(chooseFactors(stepUp, { ip: '::ffff:10.1.2.3' })).toEqual(['passwordless']);
    expect(chooseFactors(stepUp, { ip: '::ffff:a01:203' })).toEqual(['passwordless']);
    expect(chooseFactors(stepUp, { ip: '0:0:0:0:0:ffff:10.1.2.3' })).toEqual(['passwordless']);
    expect(chooseFactors(stepUp, { ip: '::ffff:11.1.2.3' })).toEqual(['pin']);
  });

  it('never matches an address that is not one', () => {
    for (const ip of ['10.1.2', 'localhost', '10.1.2.3/8', 'fe80::1%eth0', '']) expect(chooseFactors(stepUp, { ip }), ip).toEqual(['pin']);
    expect(chooseFactors(stepUp, { ip: 10 as unknown as string })).toEqual(['pin']);
  });

  it('returns a copy, so a caller cannot change the policy', () => {
    const chosen = chooseFactors(stepUp, {});
    chosen.push('totp');
    expect(stepUp.factors).toEqual(['pin']);
  });
});

describe('maskPhone', () => {
  it('keeps the country code and the last two digits', () => {
    expect(maskPhone('+33612345678')).toBe('+33*******78');
    expect(maskPhone('+14155552671')).toBe('+1********71');
  });
});
