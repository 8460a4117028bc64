import { readFileSync } from 'node:fs';
import examples from 'libphonenumber-js/examples.mobile.json' with { type: 'json' };
import { parsePhoneNumberFromString as parseWithMobileMetadata } from 'libphonenumber-js/mobile';
import { describe, expect, it } from 'vitest';
import { callingCodeOfNumber, parseMobileNumber } from '#shared/domain/directory/phone-numbers.ts';
import { parsingMetadata, PHONE_METADATA_FILE } from '../../scripts/write-phone-metadata.ts';

/** What phone-numbers.ts answered when it parsed with libphonenumber's own `mobile` metadata. */
function withMobileMetadata(phone: string) {
  const value = phone.trim();
  const parsed = value.startsWith('+') ? parseWithMobileMetadata(value) : undefined;
  const type = parsed?.isValid() ? parsed.getType() : undefined;
  const mobile = parsed && (type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE') ? { e164: parsed.number, country: parsed.country } : undefined;
  return { mobile, callingCode: parseWithMobileMetadata(phone)?.countryCallingCode ?? '' };
}

/** Numbers of every country: the example mobile of each, and variations of it that are not all mobiles. */
function numbers(): string[] {
  const callingCodes = JSON.parse(readFileSync(PHONE_METADATA_FILE, 'utf8')) as { countries: Record<string, [string]> };
  return Object.entries(examples as Record<string, string>).flatMap(([country, national]) => {
    const code = callingCodes.countries[country]?.[0] ?? '';
    const e164 = `+${code}${national}`;
    return [e164, ` ${e164} `, e164.slice(0, -1), `${e164}0`, `+${code}1${national.slice(1)}`, `+${code}9${national.slice(1)}`, `+${code}${'5'.repeat(national.length)}`];
  });
}

describe('phone numbers', () => {
  it('parse with the committed metadata, which is libphonenumber’s mobile set without formats (run scripts/write-phone-metadata.ts after an upgrade)', () => {
    expect(JSON.parse(readFileSync(PHONE_METADATA_FILE, 'utf8'))).toEqual(parsingMetadata());
  });

  it('answer for every country as libphonenumber’s own mobile metadata does', () => {
    const all = numbers();
    expect(all.length).toBeGreaterThan(1500);
    let mobiles = 0;
    for (const phone of [...all, '+1 202-555-0143', '+33 6 12 34 56 78', '+44 1632 960983', '+800 1234 5678', '+', 'not a number', '']) {
      const expected = withMobileMetadata(phone);
      expect({ mobile: parseMobileNumber(phone), callingCode: callingCodeOfNumber(phone) }, phone).toEqual(expected);
      if (expected.mobile) mobiles++;
    }
    // Both kinds of answer are exercised: mobiles (with their country) and numbers that are not.
    expect(mobiles).toBeGreaterThan(400);
    expect(all.length - mobiles).toBeGreaterThan(400);
  });
});
