/**
 * `npx tsx scripts/write-phone-metadata.ts`: writes shared/domain/directory/phone-metadata.json, the
 * metadata the phone rules parse with: libphonenumber's `mobile` set without its formats (how to print
 * a number nationally or internationally), half of its size. Parsing, validating, typing a number and
 * finding its country never read them; only `format()` and `AsYouType` do, which nothing here calls.
 * test/unit/phone-numbers.test.ts fails when the file is not what this script writes from the installed
 * libphonenumber-js (an upgrade without running it) and checks both sets answer alike.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const PHONE_METADATA_FILE = join(import.meta.dirname, '..', 'shared', 'domain', 'directory', 'phone-metadata.json');

/** Index of `formats` in a country's (or non-geographic calling code's) entry of the compressed metadata. */
const FORMATS = 4;

type Entry = unknown[];
interface Metadata {
  version: number;
  country_calling_codes: Record<string, string[]>;
  countries: Record<string, Entry>;
  nonGeographic?: Record<string, Entry>;
}

/** The installed `mobile` metadata with every country's formats emptied (an empty list: no format). */
export function parsingMetadata(): Metadata {
  const file = createRequire(import.meta.url).resolve('libphonenumber-js/metadata.mobile.json');
  const metadata = JSON.parse(readFileSync(file, 'utf8')) as Metadata;
  const strip = (entries: Record<string, Entry> | undefined) => {
    for (const entry of Object.values(entries ?? {})) if (Array.isArray(entry[FORMATS])) entry[FORMATS] = [];
  };
  strip(metadata.countries);
  strip(metadata.nonGeographic);
  return metadata;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(PHONE_METADATA_FILE, `${JSON.stringify(parsingMetadata())}\n`);
  console.log(`wrote ${PHONE_METADATA_FILE}`);
}
