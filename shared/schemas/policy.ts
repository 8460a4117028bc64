/**
 * Sign-in policies as clients write them (SPEC §5), and where a magic link may point: the system
 * routes validate with these; the rules and bounds are the domain's (shared/domain/sign-in/policy.ts).
 */
import { FACTORS, MAX_CONDITION_VALUES, MAX_RULES, parseCidr, POLICY_DEFAULTS } from '../domain/sign-in/policy.ts';
import type { Policy } from '../domain/sign-in/model.ts';
import { described, uniqueItems } from './common.ts';
import * as z from './zod.ts';

const int = (min: number, max: number) =>
  z
    .number({ error: 'must be a number' })
    .check(
      z.int({ error: 'must be a whole number' }),
      z.minimum(min, { error: `must be at least ${min}` }),
      z.maximum(max, { error: `must be at most ${max}` }),
    );

const FactorList = described(
  z
    .array(z.enum(FACTORS, { error: `must be one of ${FACTORS.join(', ')}` }), { error: 'must be an array' })
    .check(
      z.minLength(1, { error: 'must name at least one factor' }),
      z.maxLength(FACTORS.length, { error: `must have at most ${FACTORS.length} entries` }),
      uniqueItems,
    ),
  'The factor chain, satisfied in order: `pin` and `passwordless` (a PIN or magic link by SMS), `email_pin` and `email_link` ' +
    "(the same by e-mail to the user's address), `totp`.",
);

const conditionValues = <T extends z.ZodMiniType<string>>(item: T) =>
  z
    .array(item, { error: 'must be an array' })
    .check(
      z.minLength(1, { error: 'must have at least one entry' }),
      z.maxLength(MAX_CONDITION_VALUES, { error: `must have at most ${MAX_CONDITION_VALUES} entries` }),
    );

const ConditionValue = z
  .string({ error: 'must be a string' })
  .check(z.minLength(1, { error: 'must not be empty' }), z.maxLength(128, { error: 'must be at most 128 characters' }));

const Cidr = z.string({ error: 'must be a string' }).check(
  z.refine((value: string) => parseCidr(value) !== undefined, {
    error: 'must be an IPv4 or IPv6 CIDR block such as 10.0.0.0/8 or 2001:db8::/32',
  }),
);

const RuleCondition = z
  .strictObject({
    sensitivity: z.optional(conditionValues(ConditionValue)),
    ipCidr: z.optional(conditionValues(Cidr)),
    resource: z.optional(conditionValues(ConditionValue)),
  })
  .check(
    z.refine(
      (condition: { sensitivity?: string[]; ipCidr?: string[]; resource?: string[] }) =>
        condition.sensitivity !== undefined || condition.ipCidr !== undefined || condition.resource !== undefined,
      { error: 'must have at least one of sensitivity, ipCidr, resource' },
    ),
  );

const Rule = z.strictObject({ if: RuleCondition, factors: FactorList });

/** A policy as clients write it; members other than `factors` default (SPEC §5). */
export const PolicySchema = z.strictObject({
  factors: FactorList,
  rules: z._default(z.array(Rule, { error: 'must be an array' }).check(z.maxLength(MAX_RULES, { error: `must have at most ${MAX_RULES} entries` })), []),
  pin: z._default(
    described(
    z.strictObject({
      length: z._default(int(6, 8), POLICY_DEFAULTS.pin.length),
      ttlSeconds: z._default(int(30, 600), POLICY_DEFAULTS.pin.ttlSeconds),
      maxAttempts: z._default(int(1, 10), POLICY_DEFAULTS.pin.maxAttempts),
    }),
    'PIN settings: of `pin` (SMS) and `email_pin` (e-mail) alike.',
    ),
    { ...POLICY_DEFAULTS.pin },
  ),
  passwordless: z._default(described(z.strictObject({ ttlSeconds: z._default(int(30, 600), POLICY_DEFAULTS.passwordless.ttlSeconds) }), 'Magic-link settings: of `passwordless` (SMS) and `email_link` (e-mail) alike.'), {
    ...POLICY_DEFAULTS.passwordless,
  }),
  tokenTtlSeconds: z._default(int(60, 86_400), POLICY_DEFAULTS.tokenTtlSeconds),
}) satisfies z.ZodMiniType<Policy>;

/**
 * An absolute URL field of at most 2048 characters: a value the URL parser refuses is "must be an
 * absolute https URL"; `problem` names the first rule the parsed URL breaks (undefined: none). The
 * magic-link URL and the OAuth redirect URIs differ only in those rules.
 */
export function urlField(problem: (value: string, url: URL) => string | undefined) {
  return z.string({ error: 'must be a string' }).check(
    z.maxLength(2048, { error: 'must be at most 2048 characters' }),
    z.superRefine((value: string, context) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        context.addIssue({ code: 'custom', message: 'must be an absolute https URL' });
        return;
      }
      const message = problem(value, url);
      if (message !== undefined) context.addIssue({ code: 'custom', message });
    }),
  );
}

/**
 * Where a magic link points: an absolute https URL without credentials, query or fragment (the link
 * is `<passwordlessUrl>?token=…`, so a query or fragment of its own would break it), ≤ 2048 chars.
 */
export const PasswordlessUrl = urlField((value, url) => {
  if (url.protocol !== 'https:') return 'must be an https URL';
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  if (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) return 'must have no query or fragment: the link adds ?token=';
  return undefined;
});
