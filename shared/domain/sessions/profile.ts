import { NotFoundError } from '../kernel/errors.ts';
import type { Role, Scope } from '../kernel/model.ts';
import type { OperatorStore } from './operator-store.ts';

export interface OperatorProfile {
  id: string;
  email: string;
  createdAt: string;
  mfa: { totp: boolean; recoveryCodesRemaining: number };
  memberships: { accountId: string; accountName: string | null; role: Role; scope: Scope }[];
}

/** `GET /v2/me`: the operator, the accounts they belong to, and their 2FA status. */
export async function describeOperator(
  operators: OperatorStore,
  userId: string,
  mfa: { status(userId: string): Promise<OperatorProfile['mfa']> },
): Promise<OperatorProfile> {
  const operator = await operators.findOperatorById(userId);
  if (!operator) throw new NotFoundError('User');
  const memberships = await operators.listMembershipsOfUser(userId);
  const accounts = await operators.findAccountsByIds(memberships.map((m) => m.accountId));
  const names = new Map(accounts.map((account) => [account.id, account.name]));
  return {
    id: operator.id,
    email: operator.email,
    createdAt: operator.createdAt,
    mfa: await mfa.status(userId),
    memberships: memberships.map((m) => ({
      accountId: m.accountId,
      accountName: names.get(m.accountId) ?? null,
      role: m.role,
      scope: m.scope,
    })),
  };
}
