/**
 * The benchmark's tenant, created through the domain services (as `npm start` seeds its demo): an
 * owner, one organization, an access key, a group, a PIN system with a magic-link rule, and end users
 * with access to it (one per sign-in the benchmark makes: the SMS limits allow one SMS per user every
 * 30 s, as they should).
 */
import { randomUUID } from 'node:crypto';
import { accessGrants, endUsers, systems } from '#shared/compose/directory.ts';
import { operatorSessions } from '#shared/compose/sessions.ts';
import { accessKeys, groups, organizations } from '#shared/compose/tenancy.ts';
import { PolicySchema } from '#shared/schemas/policy.ts';
import type { Principal } from '#shared/domain/kernel/principal.ts';

/** The bench system's registered redirect URI (the hosted login's and the token exchange's). */
export const BENCH_REDIRECT_URI = 'https://app.example/callback';

export const SYSTEM = 'bench-app';
export const PASSWORD = 'correct-horse-battery-staple-42';

export interface BenchTenant {
  accountId: string;
  ownerId: string;
  ownerEmail: string;
  organizationId: string;
  groupId: string;
  apiKey: string;
  keyId: string;
  /** End users with access to SYSTEM, each used for one sign-in. */
  users: { id: string; email: string; phone: string }[];
}

const FACTS = { requestId: 'bench-seed', sourceIp: '127.0.0.1' };

/** A valid French mobile number per index, all distinct. */
export const phoneOf = (index: number): string => `+3361${String(index).padStart(7, '0')}`;

async function inBatches<T>(count: number, size: number, make: (index: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let start = 0; start < count; start += size) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(size, count - start) }, (_, offset) => make(start + offset)))));
  }
  return out;
}

export async function seedTenant(userCount: number): Promise<BenchTenant> {
  const run = randomUUID().slice(0, 8);
  const ownerEmail = `bench-owner-${run}@example.com`;
  const owner = await operatorSessions().signUp({ email: ownerEmail, password: PASSWORD, accountName: 'Bench Account' });
  const principal: Principal = { kind: 'operator', userId: owner.userId, amr: ['pwd'] };
  const request = { principal, ...FACTS };
  const organization = await organizations().createOrganization(request, owner.accountId, {
    name: 'Bench Organization',
    settings: { requireMfa: false, smsDailyLimit: 1_000_000, smsAllowedCountries: [] },
  });
  const group = await groups().createGroup(request, owner.accountId, { name: 'Bench Group', organizations: [organization.id] });
  const key = await accessKeys().createKey(
    principal,
    owner.accountId,
    { name: 'bench key', permissions: ['authenticate', 'manage'], organizations: [organization.id] },
    FACTS,
  );
  const policy = PolicySchema.parse({ factors: ['pin'], rules: [{ if: { sensitivity: ['link'] }, factors: ['passwordless'] }] });
  await systems().createSystem(request, organization.id, { name: SYSTEM, policy, passwordlessUrl: 'https://bench.example.com/sign-in' });
  // An OAuth client too: the hosted login's authorize request names this redirect URI.
  await systems().updateSystem(request, organization.id, SYSTEM, { redirectUris: [BENCH_REDIRECT_URI] });
  const users = await inBatches(userCount, 8, async (index) => {
    const phone = phoneOf(index);
    const user = await endUsers().createEndUser(request, organization.id, { email: `user-${index}-${run}@example.com`, phone, name: `User ${index}` });
    await accessGrants().grantAccess(request, organization.id, SYSTEM, user.id);
    return { id: user.id, email: user.email, phone };
  });
  return {
    accountId: owner.accountId,
    ownerId: owner.userId,
    ownerEmail,
    organizationId: organization.id,
    groupId: group.id,
    apiKey: key.key,
    keyId: key.id,
    users,
  };
}
