/**
 * The demo tenant `npm start` creates on a fresh table: an owner, one organization, an access key for
 * it (`authenticate` + `manage`), a system and an end user with access to it, so the sign-in calls
 * work from curl at once. The key's secret is
 * shown this once, like any key; on a `--persist` restart the tenant exists and nothing is created.
 */
import { accessGrants, endUsers, systems } from '#shared/compose/directory.ts';
import { operatorSessions } from '#shared/compose/sessions.ts';
import { accessKeys, organizations } from '#shared/compose/tenancy.ts';
import { ConflictError } from '#shared/domain/kernel/errors.ts';
import { PolicySchema } from '#shared/schemas/policy.ts';
import type { Principal } from '#shared/domain/kernel/principal.ts';

export const DEMO_OWNER = { email: 'demo@portcullis.local', password: 'correct-horse-battery-staple-42', accountName: 'Demo Account' };

/** A system and an end user with access to it, so the two sign-in calls work from curl at once. */
export const DEMO_SIGN_IN = {
  system: 'demo-app',
  passwordlessUrl: 'https://demo-app.example.com/sign-in',
  user: { email: 'jane@example.com', phone: '+33612345678', name: 'Jane Demo' },
};

export type DemoTenant =
  | { created: true; accountId: string; organizationId: string; apiKey: string }
  | { created: false };

const SEED_FACTS = { requestId: 'npm-start-seed', sourceIp: '127.0.0.1' };

export async function seedDemoTenant(): Promise<DemoTenant> {
  let owner: { accountId: string; userId: string };
  try {
    owner = await operatorSessions().signUp(DEMO_OWNER);
  } catch (error) {
    if (error instanceof ConflictError) return { created: false };
    throw error;
  }
  const principal: Principal = { kind: 'operator', userId: owner.userId, amr: ['pwd'] };
  const organization = await organizations().createOrganization({ principal, ...SEED_FACTS }, owner.accountId, {
    name: 'Demo Organization',
    // Local SMS only reach the outbox; these are the defaults a new organization gets.
    settings: { requireMfa: false, smsDailyLimit: 1000, smsAllowedCountries: [], emailDailyLimit: 1000 },
  });
  const key = await accessKeys().createKey(
    principal,
    owner.accountId,
    { name: 'demo key (npm start)', permissions: ['authenticate', 'manage'], organizations: [organization.id] },
    SEED_FACTS,
  );
  const request = { principal, ...SEED_FACTS };
  // PIN by default; a request with context {"sensitivity":"link"} gets a magic link instead.
  const policy = PolicySchema.parse({ factors: ['pin'], rules: [{ if: { sensitivity: ['link'] }, factors: ['passwordless'] }] });
  await systems().createSystem(request, organization.id, { name: DEMO_SIGN_IN.system, policy, passwordlessUrl: DEMO_SIGN_IN.passwordlessUrl });
  const user = await endUsers().createEndUser(request, organization.id, DEMO_SIGN_IN.user);
  await accessGrants().grantAccess(request, organization.id, DEMO_SIGN_IN.system, user.id);
  return { created: true, accountId: owner.accountId, organizationId: organization.id, apiKey: key.key };
}
