/**
 * The phone number rule both layers share, without libphonenumber: the request schema checks the
 * shape (`+`, digits, separators), the directory checks it is a mobile number against libphonenumber's
 * mobile metadata and stores E.164 (shared/domain/directory/end-users.ts `normalizePhone`). Keeping the metadata
 * (about 100 KB minified) out of the schemas keeps it out of every function bundle that only shares
 * the route manifest with the end-user routes.
 */
export const PHONE_FORMAT_MESSAGE = 'must be a valid phone number in international E.164 form, e.g. +33612345678';

/** `+`, then digits with the spaces, dashes, dots and brackets people type: the shape of an international number. */
export const looksLikeInternationalPhone = (value: string): boolean => /^\+[\d\s().-]{2,31}$/.test(value.trim());
