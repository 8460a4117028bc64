/** Port: operators, their accounts and memberships, as sessions (and tenancy, mfa) read them. */
import type { Account, Membership, Operator } from '../kernel/model.ts';

export interface OperatorStore {
  /** Creates operator, email guard, account and owner membership at once; `email_taken` on a duplicate. */
  createOperatorWithAccount(input: { operator: Operator; account: Account; membership: Membership }): Promise<void>;
  findOperatorByEmail(email: string): Promise<Operator | undefined>;
  findOperatorById(userId: string): Promise<Operator | undefined>;
  findMembership(accountId: string, userId: string): Promise<Membership | undefined>;
  listMembershipsOfUser(userId: string): Promise<Membership[]>;
  findAccountsByIds(accountIds: string[]): Promise<Account[]>;
}
