import { describe, expect, it } from 'vitest';
import type { Principal } from '#shared/domain/kernel/principal.ts';
import type { Scope } from '#shared/domain/kernel/model.ts';
import { AccessControl } from '#shared/domain/tenancy/actors.ts';
import { DEFAULT_SMS_DAILY_LIMIT, Groups, Organizations } from '#shared/domain/tenancy/organizations.ts';
import { FixedClock } from '#test/support/fakes/clock.ts';
import { MemoryTenancy } from '#test/support/fakes/tenancy.ts';

const LIMITS = { smsAllowedCountries: ['FR', 'DE'], smsAccountDailyLimit: 5000, emailAccountDailyLimit: 5000, organizationsPerAccount: 3 };
const SETTINGS = { requireMfa: false, smsAllowedCountries: ['FR'] };
const asOperator = (userId: string): { principal: Principal; requestId: string; sourceIp: string } => ({
  principal: { kind: 'operator', userId, amr: ['pwd'] },
  requestId: 'req-1',
  sourceIp: '192.0.2.1',
});
const asKey = (accountId: string, organizations: 'all' | string[]) => ({
  principal: { kind: 'key' as const, keyId: 'key_1', accountId, permissions: ['manage' as const], organizations },
  requestId: 'req-1',
  sourceIp: '192.0.2.1',
});
const PAGE = { limit: 50 };

function world(limits = LIMITS) {
  const clock = new FixedClock();
  const tenancy = new MemoryTenancy(clock.now);
  const access = new AccessControl(tenancy);
  const organizations = new Organizations(access, tenancy, limits, clock.now);
  const groups = new Groups(access, tenancy, clock.now);
  const { account, owner } = tenancy.seedAccount();
  const scoped = (scope: Scope, role: 'manager' | 'viewer' = 'viewer') => asOperator(tenancy.seedMember(account.id, role, scope).id);
  return { clock, tenancy, organizations, groups, account, owner: asOperator(owner.id), scoped };
}

describe('Organizations: who reaches what', () => {
  it('an actor scoped to one organization cannot read another (403), nor update it', async () => {
    const { tenancy, organizations, account, scoped } = world();
    const mine = tenancy.seedOrganization(account.id, 'Mine');
    const other = tenancy.seedOrganization(account.id, 'Other');
    const manager = scoped({ organizations: [mine.id], groups: [] }, 'manager');

    await expect(organizations.getOrganization(manager, mine.id)).resolves.toMatchObject({ id: mine.id, name: 'Mine' });

    await expect(organizations.getOrganization(manager, other.id)).rejects.toMatchObject({ status: 403 });
    await expect(organizations.updateOrganization(manager, other.id, { name: 'Taken' })).rejects.toMatchObject({ status: 403 });
    expect(tenancy.organizations.get(other.id)?.name).toBe('Other');
  });

  it("another account's organization answers 404, exactly like one that does not exist", async () => {
    const { tenancy, organizations, owner } = world();
    const foreign = tenancy.seedOrganization(tenancy.seedAccount('Other').account.id);

    const across = await organizations.getOrganization(owner, foreign.id).catch((error: unknown) => error);
    const missing = await organizations.getOrganization(owner, 'org_missing').catch((error: unknown) => error);

    expect(across).toMatchObject({ status: 404, code: 'not_found' });
    expect(across).toEqual(missing);
  });

  it('lists only the organizations a scoped member reaches, directly or through a group', async () => {
    const { tenancy, organizations, account, scoped } = world();
    const [a, b, c] = ['A', 'B', 'C'].map((name) => tenancy.seedOrganization(account.id, name));
    const group = tenancy.seedGroup(account.id, [b?.id ?? '']);
    const viewer = scoped({ organizations: [a?.id ?? ''], groups: [group.id] });

    const listed = await organizations.listOrganizations(viewer, account.id, PAGE);

    expect(listed.items.map((organization) => organization.name).sort()).toEqual(['A', 'B']);
    expect(listed.items.map((organization) => organization.id)).not.toContain(c?.id);
  });

  it('a manage key acts on the organizations it names only', async () => {
    const { tenancy, organizations, account } = world();
    const named = tenancy.seedOrganization(account.id);
    const other = tenancy.seedOrganization(account.id);
    const key = asKey(account.id, [named.id]);

    await expect(organizations.updateOrganization(key, named.id, { name: 'Renamed' })).resolves.toMatchObject({ name: 'Renamed' });

    await expect(organizations.getOrganization(key, other.id)).rejects.toMatchObject({ status: 403 });
    await expect(organizations.createOrganization(key, account.id, { name: 'New', settings: SETTINGS })).rejects.toMatchObject({ status: 403 });
  });

  it('a viewer reads an organization but may not change, delete or create one (403)', async () => {
    const { tenancy, organizations, account, scoped } = world();
    const organization = tenancy.seedOrganization(account.id, 'Kept');
    const viewer = scoped('all');

    await expect(organizations.getOrganization(viewer, organization.id)).resolves.toMatchObject({ name: 'Kept' });

    await expect(organizations.updateOrganization(viewer, organization.id, { name: 'Changed' })).rejects.toMatchObject({ status: 403 });
    await expect(organizations.deleteOrganization(viewer, organization.id)).rejects.toMatchObject({ status: 403 });
    await expect(organizations.createOrganization(viewer, account.id, { name: 'New', settings: SETTINGS })).rejects.toMatchObject({ status: 403 });
    expect(tenancy.events).toEqual([]);
  });
});

describe('Organizations: within the deployment', () => {
  it('refuses an organization past the per-account quota', async () => {
    const { organizations, account, owner } = world({ ...LIMITS, organizationsPerAccount: 2 });
    await organizations.createOrganization(owner, account.id, { name: 'One', settings: SETTINGS });
    await organizations.createOrganization(owner, account.id, { name: 'Two', settings: SETTINGS });

    await expect(organizations.createOrganization(owner, account.id, { name: 'Three', settings: SETTINGS })).rejects.toMatchObject({ status: 409, code: 'organization_quota_exceeded' });

    expect((await organizations.listOrganizations(owner, account.id, PAGE)).items).toHaveLength(2);
  });

  it("refuses settings beyond the deployment's SMS cap and countries, naming each field", async () => {
    const { organizations, account, owner } = world();

    const create = organizations.createOrganization(owner, account.id, { name: 'Big', settings: { ...SETTINGS, smsDailyLimit: 5001, smsAllowedCountries: ['FR', 'US'] } });

    await expect(create).rejects.toMatchObject({
      status: 400,
      errors: [{ field: 'body.settings.smsDailyLimit' }, { field: 'body.settings.smsAllowedCountries.1' }],
    });
  });

  it("gives a new organization the default SMS limit, or the account's cap when that is lower", async () => {
    const roomy = world();
    const tight = world({ ...LIMITS, smsAccountDailyLimit: 50 });

    const normal = await roomy.organizations.createOrganization(roomy.owner, roomy.account.id, { name: 'A', settings: SETTINGS });
    const capped = await tight.organizations.createOrganization(tight.owner, tight.account.id, { name: 'B', settings: SETTINGS });

    expect(normal.settings.smsDailyLimit).toBe(DEFAULT_SMS_DAILY_LIMIT);
    expect(capped.settings.smsDailyLimit).toBe(50);
  });

  it('a deleted organization answers 404 and leaves the groups that listed it', async () => {
    const { tenancy, organizations, groups, account, owner } = world();
    const organization = tenancy.seedOrganization(account.id);
    const group = tenancy.seedGroup(account.id, [organization.id]);

    await organizations.deleteOrganization(owner, organization.id);

    await expect(organizations.getOrganization(owner, organization.id)).rejects.toMatchObject({ status: 404 });
    await expect(organizations.deleteOrganization(owner, organization.id)).rejects.toMatchObject({ status: 404 });
    expect((await groups.getGroup(owner, account.id, group.id)).organizations).toEqual([]);
    expect(tenancy.eventsOfType('organization.deleted')).toHaveLength(1);
  });
});

describe('Groups', () => {
  it("cannot list another account's organization: the same 400 as a missing one", async () => {
    const { tenancy, groups, account, owner } = world();
    const own = tenancy.seedOrganization(account.id);
    const foreign = tenancy.seedOrganization(tenancy.seedAccount('Other').account.id);

    await expect(groups.createGroup(owner, account.id, { name: 'G', organizations: [own.id, foreign.id] })).rejects.toMatchObject({
      status: 400,
      errors: [{ field: 'body.organizations.1', message: 'is not an organization of this account' }],
    });
    await expect(groups.createGroup(owner, account.id, { name: 'G', organizations: [own.id, 'org_missing'] })).rejects.toMatchObject({
      errors: [{ field: 'body.organizations.1', message: 'is not an organization of this account' }],
    });
  });

  it('only owners write groups; members read them', async () => {
    const { tenancy, groups, account, scoped } = world();
    const group = tenancy.seedGroup(account.id, []);
    const manager = scoped('all', 'manager');

    await expect(groups.getGroup(manager, account.id, group.id)).resolves.toMatchObject({ id: group.id });
    await expect(groups.updateGroup(manager, account.id, group.id, { name: 'Mine now' })).rejects.toMatchObject({ status: 403 });
  });

  it('an update that lost a race is applied again on a fresh read, keeping the other writer’s change', async () => {
    const { tenancy, groups, account, owner } = world();
    const [first, second] = [tenancy.seedOrganization(account.id), tenancy.seedOrganization(account.id)];
    const group = tenancy.seedGroup(account.id, [first.id]);
    tenancy.beforeNextWrite(() => {
      tenancy.touchGroup(account.id, group.id);
    });

    const updated = await groups.updateGroup(owner, account.id, group.id, { organizations: [first.id, second.id] });

    expect(updated.organizations).toEqual([first.id, second.id]);
    expect((await tenancy.findGroup(account.id, group.id))?.version).toBe(3);
    expect(tenancy.eventsOfType('group.updated')).toMatchObject([{ details: { added: [second.id], removed: [] } }]);
  });

  it('gives up with 503 when every retry loses the race', async () => {
    const { tenancy, groups, account, owner } = world();
    const group = tenancy.seedGroup(account.id, []);
    const race = (): void => {
      tenancy.beforeNextWrite(() => {
        tenancy.touchGroup(account.id, group.id);
        race();
      });
    };
    race();

    await expect(groups.updateGroup(owner, account.id, group.id, { name: 'Renamed' })).rejects.toMatchObject({ status: 503 });
    expect(tenancy.eventsOfType('group.updated')).toEqual([]);
  });
});
