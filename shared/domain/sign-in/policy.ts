/**
 * Sign-in policies (SPEC §5): their bounds and defaults, and `chooseFactors`, which picks the factor
 * chain for one sign-in from the request's context. A sign-in's start (start-sign-in.ts) calls `chooseFactors`; the
 * system routes validate with the schema built from the bounds here (shared/schemas/policy.ts), which
 * stays out of this module so that the sign-in functions do not carry it.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { Factor, Policy, PolicyRule, SignInContext } from './model.ts';

/**
 * Every factor a policy may name. The e-mail factors (SPEC §8) take the settings of their SMS twins:
 * `email_pin` the `pin` block (length, TTL, attempts), `email_link` the `passwordless` block (TTL).
 */
export const FACTORS = ['pin', 'passwordless', 'totp', 'email_pin', 'email_link', 'passkey'] as const satisfies readonly Factor[];

export const MAX_RULES = 20;
export const MAX_CONDITION_VALUES = 20;

export const POLICY_DEFAULTS = {
  rules: [] as PolicyRule[],
  pin: { length: 6, ttlSeconds: 300, maxAttempts: 5 },
  passwordless: { ttlSeconds: 600 },
  tokenTtlSeconds: 3600,
} as const;

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

const sendsLinks = (factors: Factor[]) => factors.includes('passwordless') || factors.includes('email_link');

/** Whether any factor chain of the policy (the default or a rule's) sends magic links, by SMS or e-mail. */
export function usesPasswordless(policy: Policy): boolean {
  return sendsLinks(policy.factors) || policy.rules.some((rule) => sendsLinks(rule.factors));
}

const asksPasskey = (factors: Factor[]) => factors.includes('passkey');

/** Whether any factor chain of the policy (the default or a rule's) asks a passkey: the system then needs `webauthn`. */
export function usesPasskeys(policy: Policy): boolean {
  return asksPasskey(policy.factors) || policy.rules.some((rule) => asksPasskey(rule.factors));
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
