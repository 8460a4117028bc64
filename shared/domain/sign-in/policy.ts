/**
 * Sign-in policies (SPEC §5): the schema that validates them on write, and `chooseFactors`, which
 * picks the factor chain for one sign-in from the request's context. A sign-in's start
 * (start-sign-in.ts) calls `chooseFactors`; the system routes validate with `PolicySchema` and `PasswordlessUrl`.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import * as z from 'zod';
import type { Factor, Policy, PolicyRule, SignInContext } from './model.ts';

export const FACTORS = ['pin', 'passwordless', 'totp'] as const satisfies readonly Factor[];

export const MAX_RULES = 20;
export const MAX_CONDITION_VALUES = 20;

export const POLICY_DEFAULTS = {
  rules: [] as PolicyRule[],
  pin: { length: 6, ttlSeconds: 300, maxAttempts: 5 },
  passwordless: { ttlSeconds: 600 },
  tokenTtlSeconds: 3600,
} as const;

const int = (min: number, max: number) =>
  z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

/** Lists report each duplicate by its index (`….factors.1: is listed twice`). */
const uniqueItems = (values: string[], context: z.RefinementCtx) => {
  const seen = new Set<string>();
  values.forEach((value, index) => {
    if (seen.has(value)) context.addIssue({ code: 'custom', path: [index], message: 'is listed twice' });
    seen.add(value);
  });
};

const FactorList = z
  .array(z.enum(FACTORS, { error: `must be one of ${FACTORS.join(', ')}` }), { error: 'must be an array' })
  .min(1, { error: 'must name at least one factor' })
  .max(FACTORS.length, { error: `must have at most ${FACTORS.length} entries` })
  .superRefine(uniqueItems);

const conditionValues = <T extends z.ZodType<string>>(item: T) =>
  z
    .array(item, { error: 'must be an array' })
    .min(1, { error: 'must have at least one entry' })
    .max(MAX_CONDITION_VALUES, { error: `must have at most ${MAX_CONDITION_VALUES} entries` });

const ConditionValue = z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(128, { error: 'must be at most 128 characters' });

/**
 * `address/prefix` with a decimal prefix in range for the family (0–32 for IPv4, 0–128 for IPv6).
 * Host bits may be set (`10.1.2.3/8` means `10.0.0.0/8`), as in most firewall syntaxes. Zone ids are
 * refused: they mean nothing outside one host.
 */
export function parseCidr(value: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const match = /^([^/%]+)\/(0|[1-9][0-9]{0,2})$/.exec(value);
  if (!match) return undefined;
  const address = match[1] ?? '';
  const prefix = Number(match[2]);
  if (isIPv4(address)) return prefix <= 32 ? { address, prefix, family: 'ipv4' } : undefined;
  if (isIPv6(address)) return prefix <= 128 ? { address, prefix, family: 'ipv6' } : undefined;
  return undefined;
}

const Cidr = z.string({ error: 'must be a string' }).refine((value) => parseCidr(value) !== undefined, {
  error: 'must be an IPv4 or IPv6 CIDR block such as 10.0.0.0/8 or 2001:db8::/32',
});

const RuleCondition = z
  .strictObject({
    sensitivity: conditionValues(ConditionValue).optional(),
    ipCidr: conditionValues(Cidr).optional(),
    resource: conditionValues(ConditionValue).optional(),
  })
  .refine((condition) => condition.sensitivity !== undefined || condition.ipCidr !== undefined || condition.resource !== undefined, {
    error: 'must have at least one of sensitivity, ipCidr, resource',
  });

const Rule = z.strictObject({ if: RuleCondition, factors: FactorList });

/** A policy as clients write it; members other than `factors` default (SPEC §5). */
export const PolicySchema = z.strictObject({
  factors: FactorList,
  rules: z
    .array(Rule, { error: 'must be an array' })
    .max(MAX_RULES, { error: `must have at most ${MAX_RULES} entries` })
    .default([]),
  pin: z
    .strictObject({
      length: int(6, 8).default(POLICY_DEFAULTS.pin.length),
      ttlSeconds: int(30, 600).default(POLICY_DEFAULTS.pin.ttlSeconds),
      maxAttempts: int(1, 10).default(POLICY_DEFAULTS.pin.maxAttempts),
    })
    .default({ ...POLICY_DEFAULTS.pin }),
  passwordless: z
    .strictObject({ ttlSeconds: int(30, 600).default(POLICY_DEFAULTS.passwordless.ttlSeconds) })
    .default({ ...POLICY_DEFAULTS.passwordless }),
  tokenTtlSeconds: int(60, 86_400).default(POLICY_DEFAULTS.tokenTtlSeconds),
}) satisfies z.ZodType<Policy>;

/**
 * Where a magic link points: an absolute https URL without credentials, query or fragment (the link
 * is `<passwordlessUrl>?token=…`, so a query or fragment of its own would break it), ≤ 2048 chars.
 */
export const PasswordlessUrl = z
  .string({ error: 'must be a string' })
  .max(2048, { error: 'must be at most 2048 characters' })
  .superRefine((value, context) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      context.addIssue({ code: 'custom', message: 'must be an absolute https URL' });
      return;
    }
    if (url.protocol !== 'https:') context.addIssue({ code: 'custom', message: 'must be an https URL' });
    else if (url.username !== '' || url.password !== '') context.addIssue({ code: 'custom', message: 'must not carry credentials' });
    else if (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) {
      context.addIssue({ code: 'custom', message: 'must have no query or fragment: the link adds ?token=' });
    }
  });

/** Whether any factor chain of the policy (the default or a rule's) sends magic links. */
export function usesPasswordless(policy: Policy): boolean {
  return policy.factors.includes('passwordless') || policy.rules.some((rule) => rule.factors.includes('passwordless'));
}

/**
 * The factor chain for one sign-in: the first rule whose conditions all match the context, else the
 * policy's `factors`. A condition with several values matches any of them; a condition the context
 * says nothing about does not match. An IPv4-mapped IPv6 address (`::ffff:10.1.2.3`) matches IPv4
 * blocks, since dual-stack load balancers report IPv4 clients that way.
 */
export function chooseFactors(policy: Policy, context: SignInContext | undefined): Factor[] {
  const rule = policy.rules.find((candidate) => ruleMatches(candidate, context ?? {}));
  return [...(rule ?? policy).factors];
}

function ruleMatches(rule: PolicyRule, context: SignInContext): boolean {
  const { sensitivity, ipCidr, resource } = rule.if;
  if (sensitivity && !(typeof context.sensitivity === 'string' && sensitivity.includes(context.sensitivity))) return false;
  if (resource && !(typeof context.resource === 'string' && resource.includes(context.resource))) return false;
  if (ipCidr && !(typeof context.ip === 'string' && ipInAny(context.ip, ipCidr))) return false;
  return true;
}

/** Rules are few and small; block lists are cached per list of blocks so each is parsed once. */
const blockLists = new Map<string, BlockList>();

function blockListOf(cidrs: string[]): BlockList {
  const cacheKey = cidrs.join(',');
  let list = blockLists.get(cacheKey);
  if (!list) {
    list = new BlockList();
    for (const cidr of cidrs) {
      const parsed = parseCidr(cidr);
      if (parsed) list.addSubnet(parsed.address, parsed.prefix, parsed.family);
    }
    if (blockLists.size > 1000) blockLists.clear();
    blockLists.set(cacheKey, list);
  }
  return list;
}

export function ipInAny(ip: string, cidrs: string[]): boolean {
  const address = ip.trim();
  const list = blockListOf(cidrs);
  if (isIPv4(address)) return list.check(address, 'ipv4');
  if (!isIPv6(address) || address.includes('%')) return false;
  if (list.check(address, 'ipv6')) return true;
  const mapped = mappedIPv4(address);
  return mapped !== undefined && list.check(mapped, 'ipv4');
}

const MAPPED_PREFIX = new BlockList();
MAPPED_PREFIX.addSubnet('::ffff:0:0', 96, 'ipv6');

/** The IPv4 address inside an IPv4-mapped IPv6 address, in any spelling (`::ffff:a01:203` too). */
function mappedIPv4(address: string): string | undefined {
  if (!MAPPED_PREFIX.check(address, 'ipv6')) return undefined;
  // The URL parser canonicalizes IPv6 (`::ffff:10.1.2.3` → `[::ffff:a01:203]`).
  const hextets = new URL(`http://[${address}]/`).hostname.slice(1, -1).split(':');
  const high = Number.parseInt(hextets.at(-2) ?? '', 16);
  const low = Number.parseInt(hextets.at(-1) ?? '', 16);
  if (Number.isNaN(high) || Number.isNaN(low)) return undefined;
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}
