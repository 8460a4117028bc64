/**
 * End users' phone numbers, read with libphonenumber's `mobile` metadata: the patterns of mobile
 * numbers only, all countries (about 99 KB, against 157 KB for `max`). Under it a number is valid
 * only when it is a mobile number, or one of a country whose mobile and fixed-line numbers cannot be
 * told apart (the US, Canada: `FIXED_LINE_OR_MOBILE` in the full metadata). Premium-rate, shared-cost,
 * toll-free, personal, VoIP, pager, UAN and landline numbers are not: an SMS to them is what SMS
 * pumping bills the deployer for (SPEC §6 "mobile numbers only").
 *
 * The metadata is that set without its formats (phone-metadata.json, written by
 * scripts/write-phone-metadata.ts: 48 KB instead of 99), which only formatting reads; every module that
 * parses phones goes through this one, so a bundle never carries two metadata sets.
 */
import { parsePhoneNumberFromString as parseWith, type MetadataJson } from 'libphonenumber-js/core';
import metadata from './phone-metadata.json' with { type: 'json' };

const parsePhoneNumberFromString = (text: string) => parseWith(text, metadata as unknown as MetadataJson);

export const MOBILE_PHONE_MESSAGE = 'must be a mobile phone number in international E.164 form, e.g. +33612345678 (no landline, premium-rate, shared-cost or toll-free number)';

export interface MobileNumber {
  /** E.164. */
  e164: string;
  /** ISO 3166-1 alpha-2; undefined for a non-geographic number. */
  country: string | undefined;
}

/** The number as E.164 and its country when it is a valid mobile number, else undefined. */
export function parseMobileNumber(phone: string): MobileNumber | undefined {
  const value = phone.trim();
  if (!value.startsWith('+')) return undefined;
  const parsed = parsePhoneNumberFromString(value);
  if (!parsed?.isValid()) return undefined;
  // Belt and braces: the mobile metadata answers MOBILE (or FIXED_LINE_OR_MOBILE) for what it validates.
  const type = parsed.getType();
  if (type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE') return undefined;
  return { e164: parsed.number, country: parsed.country };
}

/** The country calling code of a number (`33` for +33…), or '' when it has none. */
export function callingCodeOfNumber(phone: string): string {
  return parsePhoneNumberFromString(phone)?.countryCallingCode ?? '';
}

/**
 * A phone number fit for logs and audit events: the country calling code and the last two digits
 * (`+33*******78`). Never a full number (SPEC §6).
 */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  const code = callingCodeOfNumber(phone);
  const hidden = Math.max(0, digits.length - code.length - 2);
  return `+${code}${'*'.repeat(hidden)}${digits.slice(-2)}`;
}

/**
 * Where a sign-in says its SMS went (`deliveredTo`, SPEC §4): one shape for every number, real or
 * decoy — eight stars and the last two digits (`********78`). No country code and no length: those
 * would tell a real user's number (`+44…`) from a decoy's.
 */
export function maskDelivery(phone: string): string {
  return `********${phone.replace(/\D/g, '').slice(-2).padStart(2, '0')}`;
}
