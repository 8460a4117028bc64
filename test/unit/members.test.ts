import { describe, expect, it } from 'vitest';
import { Members } from '#shared/domain/tenancy/members.ts';
import { MemoryTenancy } from '#test/support/fakes/tenancy.ts';

function world() {
  const tenancy = new MemoryTenancy();
  const members = new Members(tenancy, tenancy);
  const { account, owner } = tenancy.seedAccount();
  const context = { actor: { kind: 'operator' as const, id: owner.id }, requestId: 'req-1', sourceIp: '192.0.2.1' };
  return { tenancy, members, account, owner, context };
}

describe('Members', () => {
  it('refuses to remove the last owner', async () => {
    const { tenancy, members, account, owner, context } = world();

    await expect(members.remove(account.id, owner.id, context)).rejects.toMatchObject({ status: 409, code: 'last_owner' });

    expect(await tenancy.findMembership(account.id, owner.id)).toMatchObject({ role: 'owner' });
    expect(tenancy.events).toEqual([]);
  });

  it('refuses to demote the last owner', async () => {
    const { tenancy, members, account, owner, context } = world();

    await expect(members.update(account.id, owner.id, { role: 'manager' }, context)).rejects.toMatchObject({ status: 409, code: 'last_owner' });

    expect(await tenancy.findMembership(account.id, owner.id)).toMatchObject({ role: 'owner' });
  });

  it('with a second owner, one owner may leave; the remaining one is then the last', async () => {
    const { tenancy, members, account, owner, context } = world();
    const second = tenancy.seedMember(account.id, 'owner');

    await members.remove(account.id, owner.id, context);

    expect(await tenancy.findMembership(account.id, owner.id)).toBeUndefined();
    await expect(members.update(account.id, second.id, { role: 'viewer' }, context)).rejects.toMatchObject({ code: 'last_owner' });
    expect(tenancy.eventsOfType('member.removed')).toMatchObject([{ target: { type: 'member', id: owner.id }, details: { role: 'owner' } }]);
  });

  it('two owners demoting each other at once leave exactly one owner', async () => {
    const { tenancy, members, account, owner, context } = world();
    const second = tenancy.seedMember(account.id, 'owner');

    const results = await Promise.allSettled([
      members.update(account.id, owner.id, { role: 'manager' }, context),
      members.update(account.id, second.id, { role: 'manager' }, context),
    ]);

    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    const roles = await Promise.all([owner.id, second.id].map(async (userId) => (await tenancy.findMembership(account.id, userId))?.role));
    expect(roles.filter((role) => role === 'owner')).toHaveLength(1);
  });

  it('promoting to owner widens the scope to all, and audits both changes', async () => {
    const { tenancy, members, account, context } = world();
    const organization = tenancy.seedOrganization(account.id);
    const viewer = tenancy.seedMember(account.id, 'viewer', { organizations: [organization.id], groups: [] });

    const updated = await members.update(account.id, viewer.id, { role: 'owner' }, context);

    expect(updated).toMatchObject({ userId: viewer.id, email: viewer.email, role: 'owner', scope: 'all' });
    expect(tenancy.events.map((event) => event.type)).toEqual(['member.role_changed', 'member.scope_changed']);
  });

  it("refuses a scope naming another account's organization or an unknown group, naming each entry", async () => {
    const { tenancy, members, account, context } = world();
    const viewer = tenancy.seedMember(account.id, 'viewer');
    const own = tenancy.seedOrganization(account.id);
    const foreign = tenancy.seedOrganization(tenancy.seedAccount('Other').account.id);

    const update = members.update(account.id, viewer.id, { scope: { organizations: [own.id, foreign.id], groups: ['grp_unknown'] } }, context);

    await expect(update).rejects.toMatchObject({
      status: 400,
      errors: [
        { field: 'body.scope.organizations.1', message: 'is not an organization of this account' },
        { field: 'body.scope.groups.0', message: 'is not a group of this account' },
      ],
    });
    expect(await tenancy.findMembership(account.id, viewer.id)).toMatchObject({ scope: 'all' });
  });

  it('a change that lost a race is recomputed from a fresh read', async () => {
    const { tenancy, members, account, context } = world();
    const member = tenancy.seedMember(account.id, 'viewer');
    // Between the read and the write, someone else makes the member an owner (now two owners).
    tenancy.beforeNextWrite(() => {
      void tenancy.updateMembership({ accountId: account.id, userId: member.id, expectedRole: 'viewer', role: 'owner', scope: 'all', ownerDelta: 1, events: [] });
    });

    await members.update(account.id, member.id, { role: 'manager' }, context);

    // Recomputed: demoting an owner gives the owner count back, and the event says from owner.
    expect(await tenancy.findMembership(account.id, member.id)).toMatchObject({ role: 'manager' });
    expect(tenancy.accounts.get(account.id)?.ownerCount).toBe(1);
    expect(tenancy.eventsOfType('member.role_changed')).toMatchObject([{ details: { from: 'owner', to: 'manager' } }]);
  });

  it('an update that changes nothing writes nothing', async () => {
    const { tenancy, members, account, context } = world();
    const viewer = tenancy.seedMember(account.id, 'viewer');

    await expect(members.update(account.id, viewer.id, { role: 'viewer', scope: 'all' }, context)).resolves.toMatchObject({ role: 'viewer' });

    expect(tenancy.events).toEqual([]);
  });

  it('answers 404 for someone who is not a member', async () => {
    const { members, account, context } = world();

    await expect(members.remove(account.id, 'usr_nobody', context)).rejects.toMatchObject({ status: 404 });
    await expect(members.update(account.id, 'usr_nobody', { role: 'viewer' }, context)).rejects.toMatchObject({ status: 404 });
  });
});
