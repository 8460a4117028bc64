/**
 * Enforcement (`requireMfa`, SPEC §4): whether an account of the operator, or an organization their
 * scope reaches, requires a second factor. The session gate asks it (through `OperatorSecondFactor`).
 */
import type { Membership } from '../kernel/model.ts';
import { reachesOrganization } from '../tenancy/authorization.ts';

/** What enforcement reads: does some account or organization covering the operator require MFA? */
export interface MfaPolicyStore {
  listMembershipsOfUser(userId: string): Promise<Membership[]>;
  accountRequiresMfa(accountId: string): Promise<boolean>;
  /** Active organizations of the account with `settings.requireMfa`. */
  organizationsRequiringMfa(accountId: string): Promise<string[]>;
  groupOrganizations(accountId: string, groupIds: string[]): Promise<Set<string>>;
}

export class MfaPolicy {
  constructor(private readonly store: MfaPolicyStore) {}

  /** Whether `requireMfa` on an account of the operator, or on an organization their scope covers, is on. */
  async isRequiredFor(userId: string): Promise<boolean> {
    for (const membership of await this.store.listMembershipsOfUser(userId)) {
      if (await this.store.accountRequiresMfa(membership.accountId)) return true;
      const required = await this.store.organizationsRequiringMfa(membership.accountId);
      for (const orgId of required) {
        const groups = (ids: string[]) => this.store.groupOrganizations(membership.accountId, ids);
        if (await reachesOrganization(membership.scope, orgId, groups)) return true;
      }
    }
    return false;
  }
}
