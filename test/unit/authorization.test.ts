import { describe, expect, it } from 'vitest';
import { authorize, isAllowed, reachableOrganizations, type Action, type Actor } from '#shared/domain/tenancy/authorization.ts';
import { ForbiddenError, NotFoundError } from '#shared/domain/kernel/errors.ts';
import type { Scope } from '#shared/domain/kernel/model.ts';

const ACCOUNT = 'acc_1';
const groups = (map: Record<string, string[]>) => (ids: string[]) => Promise.resolve(new Set(ids.flatMap((id) => map[id] ?? [])));
const noGroups = groups({});

const member = (role: 'owner' | 'manager' | 'viewer', scope: Scope = 'all'): Actor => ({
  kind: 'member',
  userId: 'usr_1',
  accountId: ACCOUNT,
  role,
  scope,
});

describe('authorize', () => {
  it('lets owners do everything in their account', async () => {
    const actions: Action[] = ['account:billing', 'organization:delete', 'member:write', 'key:write', 'invitation:write'];
    for (const action of actions) expect(await isAllowed(member('owner'), action, { accountId: ACCOUNT }, noGroups)).toBe(true);
  });

  it('keeps billing, keys, members and invitations from managers and viewers', async () => {
    for (const role of ['manager', 'viewer'] as const) {
      for (const action of ['account:billing', 'key:read', 'key:write', 'member:write', 'invitation:read', 'invitation:write'] as Action[]) {
        expect(await isAllowed(member(role), action, { accountId: ACCOUNT }, noGroups), `${role} ${action}`).toBe(false);
      }
    }
  });

  it('lets managers update organizations in scope but not viewers', async () => {
    const resource = { accountId: ACCOUNT, organizationId: 'org_a' };
    expect(await isAllowed(member('manager'), 'organization:update', resource, noGroups)).toBe(true);
    expect(await isAllowed(member('viewer'), 'organization:update', resource, noGroups)).toBe(false);
    expect(await isAllowed(member('viewer'), 'organization:read', resource, noGroups)).toBe(true);
  });

  it('limits scoped members to their organizations and their groups’ organizations, resolved at request time', async () => {
    const scoped = member('manager', { organizations: ['org_a'], groups: ['grp_1'] });
    const lookup = groups({ grp_1: ['org_b'] });
    expect(await isAllowed(scoped, 'organization:update', { accountId: ACCOUNT, organizationId: 'org_a' }, lookup)).toBe(true);
    expect(await isAllowed(scoped, 'organization:update', { accountId: ACCOUNT, organizationId: 'org_b' }, lookup)).toBe(true);
    expect(await isAllowed(scoped, 'organization:update', { accountId: ACCOUNT, organizationId: 'org_c' }, lookup)).toBe(false);
    // The group gains org_c: the same member reaches it on the next request.
    expect(await isAllowed(scoped, 'organization:update', { accountId: ACCOUNT, organizationId: 'org_c' }, groups({ grp_1: ['org_b', 'org_c'] }))).toBe(true);
    expect(await isAllowed(scoped, 'organization:create', { accountId: ACCOUNT }, lookup)).toBe(false);
  });

  it('gives manage keys organization-level actions on the organizations they reach, and nothing to authenticate-only keys', async () => {
    const manage: Actor = { kind: 'key', keyId: 'k', accountId: ACCOUNT, permissions: ['manage'], organizations: ['org_a'] };
    const authOnly: Actor = { ...manage, permissions: ['authenticate'] };
    expect(await isAllowed(manage, 'organization:update', { accountId: ACCOUNT, organizationId: 'org_a' }, noGroups)).toBe(true);
    expect(await isAllowed(manage, 'organization:update', { accountId: ACCOUNT, organizationId: 'org_b' }, noGroups)).toBe(false);
    expect(await isAllowed(manage, 'member:read', { accountId: ACCOUNT }, noGroups)).toBe(false);
    expect(await isAllowed(authOnly, 'organization:read', { accountId: ACCOUNT, organizationId: 'org_a' }, noGroups)).toBe(false);
  });

  it('answers 404 across accounts and 403 inside the account', async () => {
    await expect(authorize(member('owner'), 'account:read', { accountId: 'acc_other' }, noGroups)).rejects.toBeInstanceOf(NotFoundError);
    await expect(authorize(member('viewer'), 'account:update', { accountId: ACCOUNT }, noGroups)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('computes what a scoped actor reaches for filtering lists', async () => {
    const scoped = member('viewer', { organizations: ['org_a'], groups: ['grp_1'] });
    expect(await reachableOrganizations(scoped, groups({ grp_1: ['org_b'] }))).toEqual(new Set(['org_a', 'org_b']));
    expect(await reachableOrganizations(member('viewer'), noGroups)).toBe('all');
  });
});
