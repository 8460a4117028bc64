/**
 * Generators and the response oracle of the route fuzzer (test/fuzz/routes.fuzz.test.ts): bodies from
 * nothing, from arbitrary JSON and from mutations of a valid example; hostile strings (lone surrogates,
 * RTL override, zero-width, NUL); prototype-pollution keys; path parameters, query strings and headers.
 */
import fc from 'fast-check';

/** The seed of the run: fixed, `FUZZ_SEED` overrides it (printed, so a failure can be replayed). */
export const FUZZ_SEED = Number.parseInt(process.env.FUZZ_SEED ?? '', 10) || 20261123;

/** Strings that have broken parsers, normalizers, loggers and key builders before. */
export const EDGE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uDFFF',
  'x\uDBFFy',
  '\u202Egnp.exe',
  '\u200B',
  '\u200D\u200C\uFEFF',
  'مرحبا',
  '\u0301',
  'e\u0301',
  '𝕏𝕐',
  '👩‍👩‍👧‍👦',
  '%00',
  '%2e%2e%2f',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  "' OR '1'='1",
  '${jndi:ldap://x}',
  'ORG#org_1',
  'USER#x|SK',
  '{"$ne":null}',
  'NaN',
  '-0',
  '1e309',
  '0x10',
  '9007199254740993',
  '123456',
  'true',
  'null',
  '__proto__',
  'constructor',
  'prototype',
  'x'.repeat(257),
  'y'.repeat(5000),
];

export const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A hostile string: from the edge list, any UTF-16 (lone surrogates included), or graphemes. */
export const hostileString = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...EDGE_STRINGS) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  );

/** Any JSON value, with hostile strings and keys mixed in. */
export const anyJson = (): fc.Arbitrary<Json> =>
  fc.letrec<{ value: Json }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, 1e308, -1e308, 2 ** 53 + 1)),
      hostileString(),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.oneof(hostileString(), fc.constantFrom(...POLLUTION_KEYS)), tie('value'), { maxKeys: 4 }),
    ),
  })).value;

/** One change to a valid example; several in a row make a mutant. */
interface Mutation {
  kind: 'delete' | 'replace' | 'add' | 'stringify' | 'hostile' | 'pollute' | 'wrap';
  pick: number;
  key: string;
  value: Json;
  text: string;
}

const mutation = (): fc.Arbitrary<Mutation> =>
  fc.record({
    kind: fc.constantFrom('delete', 'replace', 'add', 'stringify', 'hostile', 'pollute', 'wrap'),
    pick: fc.nat(),
    key: fc.oneof(hostileString(), fc.constantFrom(...POLLUTION_KEYS)),
    value: anyJson(),
    text: hostileString(),
  });

/** Every (container, key) of a JSON value, the root's parent excluded. */
function slots(value: Json, into: [Json[] | Record<string, Json>, string | number][] = []): [Json[] | Record<string, Json>, string | number][] {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      into.push([value, index]);
      slots(item, into);
    });
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      into.push([value, key]);
      slots(item, into);
    }
  }
  return into;
}

function applyMutation(root: Json, change: Mutation): Json {
  const all = slots(root);
  const slot = all.length ? all[change.pick % all.length] : undefined;
  if (!slot) return change.kind === 'wrap' ? [root] : change.value;
  const [container, key] = slot;
  const get = (): Json => (container as Record<string | number, Json>)[key] ?? null;
  const set = (next: Json): void => {
    // defineProperty: a plain assignment of `__proto__` would change the prototype instead of adding a key.
    Object.defineProperty(container, key, { value: next, enumerable: true, writable: true, configurable: true });
  };
  switch (change.kind) {
    case 'delete':
      if (Array.isArray(container)) container.splice(Number(key), 1);
      else Reflect.deleteProperty(container, key);
      break;
    case 'replace':
      set(change.value);
      break;
    case 'add': {
      const target = get();
      if (target && typeof target === 'object' && !Array.isArray(target)) {
        Object.defineProperty(target, change.key, { value: change.value, enumerable: true, writable: true, configurable: true });
      } else set(change.value);
      break;
    }
    case 'stringify': {
      const current = get();
      set(typeof current === 'string' ? change.text : JSON.stringify(current));
      break;
    }
    case 'hostile':
      set(change.text);
      break;
    case 'pollute':
      set({ [change.pick % 2 ? 'prototype' : 'polluted']: { polluted: 'yes' } });
      Object.defineProperty(container, POLLUTION_KEYS[change.pick % 3] ?? '__proto__', {
        value: { polluted: 'yes' },
        enumerable: true,
        writable: true,
        configurable: true,
      });
      break;
    case 'wrap':
      set([get()]);
      break;
  }
  return root;
}

/** Mutants of `example`: 1 to 3 changes to a deep copy. */
export const mutantOf = (example: Json): fc.Arbitrary<Json> =>
  fc.array(mutation(), { minLength: 1, maxLength: 3 }).map((changes) => {
    let value = JSON.parse(JSON.stringify(example)) as Json;
    if (!value || typeof value !== 'object') value = { value };
    for (const change of changes) value = applyMutation(value, change);
    return value;
  });

/** What goes on the wire as the body: nothing, raw text, JSON, or form fields. */
export interface WireBody {
  text?: string;
  contentType?: string;
}

const jsonBody = (value: fc.Arbitrary<Json>): fc.Arbitrary<WireBody> => value.map((json) => ({ text: JSON.stringify(json), contentType: 'application/json' }));

/** A JSON value as form fields: an object's members (non-strings as their JSON), anything else as `value`. */
const formBody = (value: fc.Arbitrary<Json>): fc.Arbitrary<WireBody> =>
  value.map((json) => {
    const members = json && typeof json === 'object' && !Array.isArray(json) ? Object.entries(json) : [['value', json] as const];
    const fields = members.map(([key, member]): [string, string] => [key, typeof member === 'string' ? member : JSON.stringify(member)]);
    return { text: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' };
  });

/**
 * Bodies for a route whose valid body is `example` (undefined: the route takes none). `encoding`
 * `form` sends the example and its mutants form-encoded (the OAuth token endpoint takes only that).
 */
export const wireBody = (example: Json | undefined, encoding: 'json' | 'form' = 'json'): fc.Arbitrary<WireBody> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant({}) },
    { weight: 3, arbitrary: jsonBody(anyJson()) },
    { weight: example === undefined ? 0 : 6, arbitrary: (encoding === 'form' ? formBody : jsonBody)(mutantOf(example ?? {})) },
    { weight: example === undefined ? 0 : 1, arbitrary: (encoding === 'form' ? formBody : jsonBody)(fc.constant(example ?? {})) },
    {
      weight: 1,
      arbitrary: fc.record({
        text: fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom('{', '{"a":', '[1,]', '{"a":1}garbage', 'nul', '\uFEFF{}', '"\\ud800"')),
        contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream', 'application/json; charset=utf-16', 'x/y;;=', ''),
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .dictionary(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 20 }), { maxKeys: 4 })
        .map((fields) => ({ text: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' })),
    },
  );

/** A path parameter: the valid one, or something else, percent-encoded as UTF-8 (so it stays one segment). */
export const pathParameter = (valid: string): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(valid) },
    { weight: 1, arbitrary: fc.constantFrom(`${valid}x`, valid.toUpperCase(), `${valid} `, `${valid}%00`, '..', '.', '%2F', '%252F', '-', 'a'.repeat(300)) },
    { weight: 2, arbitrary: hostileString().filter((value) => value !== '') },
  );

/** Encodes one path segment: UTF-8 bytes, percent-encoded (a lone surrogate becomes U+FFFD, as on the wire). */
export function encodeSegment(value: string): string {
  if (/^%[0-9A-F]{2}/i.test(value) || value === '..' || value === '.') return value;
  return [...Buffer.from(value, 'utf8')].map((byte) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

const cursorFor = (key: Json): string => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

/** Query strings: the valid ones, paging edge values, forged cursors, unknown and repeated keys. */
export const queryString = (valid: Record<string, string>): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant(new URLSearchParams(valid).toString()) },
    {
      weight: 3,
      arbitrary: fc
        .record({
          limit: fc.option(fc.constantFrom('0', '1', '100', '101', '-1', '1.5', '1e2', '0x10', ' 5', 'NaN', 'Infinity', '', '99999999999999999999', '٣')),
          cursor: fc.option(
            fc.oneof(
              hostileString(),
              fc.constantFrom('', '=', 'e30', 'bnVsbA', 'W10', 'x'.repeat(3000)),
              anyJson().map(cursorFor),
              fc
                .dictionary(fc.constantFrom('pk', 'sk', 'gsi1pk', 'gsi1sk', 'PK', 'SK', 'id'), fc.oneof(hostileString(), fc.integer(), fc.constantFrom('ACCOUNT#x', 'ORG#org_x', 'USER#u')), { minKeys: 1, maxKeys: 4 })
                .map(cursorFor),
            ),
          ),
          extra: fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom(...POLLUTION_KEYS)), hostileString(), { maxKeys: 3 }),
          repeat: fc.boolean(),
        })
        .map(({ limit, cursor, extra, repeat }) => {
          const query = new URLSearchParams(valid);
          if (limit !== null) query.set('limit', limit);
          if (cursor !== null) query.set('cursor', cursor);
          for (const [key, value] of Object.entries(extra)) query.append(key, value);
          if (repeat && limit !== null) query.append('limit', limit);
          return query.toString();
        }),
    },
  );

/** A header value fetch can send (Latin-1, no CR/LF/NUL). */
const headerText = (): fc.Arbitrary<string> =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((code) => code !== 0x7f).map((code) => String.fromCharCode(code)), maxLength: 60 });

/** Extra request headers; credentials are added by the test. */
export const extraHeaders = (): fc.Arbitrary<Record<string, string>> =>
  fc.record(
    {
      accept: fc.constantFrom('*/*', 'application/json', 'text/html', 'image/svg+xml', 'application/problem+json', '', 'x/y;q=abc'),
      'x-forwarded-for': fc.oneof(headerText(), fc.constantFrom('127.0.0.1', '::1', '1.2.3.4, 5.6.7.8', '999.1.1.1')),
      'user-agent': headerText(),
      'x-amzn-trace-id': headerText(),
      origin: fc.constantFrom('https://evil.example', 'null', ''),
      'content-encoding': fc.constantFrom('gzip', 'identity', 'br'),
    },
    { requiredKeys: [] },
  );

/** Credentials no authorizer may accept. */
export const garbageCredential = (): fc.Arbitrary<Record<string, string>> =>
  fc.oneof<fc.Arbitrary<Record<string, string>>[]>(
    headerText().map((value) => ({ authorization: `Bearer ${value}` })),
    fc.constantFrom<Record<string, string>>(
      { authorization: 'Bearer' },
      { authorization: 'Basic YWRtaW46YWRtaW4=' },
      { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1c3JfeCJ9.' },
      { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3JfeCJ9.c2ln' },
      { authorization: 'Bearer pmt_0000000000000000000000' },
      { authorization: 'Bearer pme_0000000000000000000000' },
      { apikey: 'pck_0000000000000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      { apikey: 'pck_' },
      { apikey: 'x'.repeat(2000) },
    ),
    headerText().map((value) => ({ apikey: `pck_${value}` })),
  );
