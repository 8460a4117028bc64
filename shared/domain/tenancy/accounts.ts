/**
 * The account profile: name, billing contact (owners only) and account-wide settings.
 */
import type { AccessControl } from './actors.ts';
import { auditEvent, type AuditEvent } from '../kernel/audit-events.ts';
import { NotFoundError } from '../kernel/errors.ts';
import type { AccountProfile, AccountSettings } from '../kernel/model.ts';
import type { RequestFacts } from '../kernel/request.ts';
import { auditContextOf } from './actors.ts';
import { permits } from './organizations.ts';

export interface AccountPatch {
  name?: string;
  /** `null` clears it. */
  billingContact?: AccountProfile['billingContact'];
  settings?: Partial<AccountSettings>;
}

export interface AccountStore {
  /** The profile, with defaults for fields an older item lacks. */
  findAccountProfile(accountId: string): Promise<(AccountProfile & { updatedAt: string }) | undefined>;
  /** Writes only the given fields (never the owner count) with the audit event; false when missing. */
  updateAccountProfile(accountId: string, patch: AccountPatch, updatedAt: string, event: AuditEvent): Promise<boolean>;
}

export class Accounts {
  constructor(
    private readonly access: AccessControl,
    private readonly store: AccountStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async getAccount(request: RequestFacts, accountId: string) {
    const actor = await this.access.actorForAccount(request.principal, accountId);
    await this.access.require(actor, 'account:read', { accountId });
    const profile = await this.store.findAccountProfile(accountId);
    if (!profile) throw new NotFoundError('Account');
    return present(profile, await permits(this.access, actor, 'account:billing', { accountId }));
  }

  /** Name and settings need `account:update`; the billing contact `account:billing` (owners). */
  async updateAccount(request: RequestFacts, accountId: string, patch: AccountPatch) {
    const actor = await this.access.actorForAccount(request.principal, accountId);
    if (patch.billingContact !== undefined) await this.access.require(actor, 'account:billing', { accountId });
    if (patch.name !== undefined || patch.settings !== undefined || patch.billingContact === undefined) {
      await this.access.require(actor, 'account:update', { accountId });
    }
    const current = await this.store.findAccountProfile(accountId);
    if (!current) throw new NotFoundError('Account');
    const changed = [
      ...(patch.name !== undefined ? ['name'] : []),
      ...(patch.billingContact !== undefined ? ['billingContact'] : []),
      ...Object.keys(patch.settings ?? {}).map((key) => `settings.${key}`),
    ];
    const canSeeBilling = await permits(this.access, actor, 'account:billing', { accountId });
    if (changed.length === 0) return present(current, canSeeBilling);
    const now = this.now();
    // Field names only: the billing contact is personal data and stays out of the log.
    const event = auditEvent(
      auditContextOf(actor, request),
      { accountId, type: 'account.updated', target: { type: 'account', id: accountId }, details: { fields: changed } },
      now,
    );
    const next = {
      ...current,
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.billingContact !== undefined ? { billingContact: patch.billingContact } : {}),
      settings: { ...current.settings, ...patch.settings },
      updatedAt: now.toISOString(),
    };
    if (!(await this.store.updateAccountProfile(accountId, { ...patch, settings: patch.settings ? next.settings : undefined }, next.updatedAt, event))) {
      throw new NotFoundError('Account');
    }
    return present(next, canSeeBilling);
  }
}

function present(profile: AccountProfile & { updatedAt: string }, withBilling: boolean) {
  return {
    id: profile.id,
    name: profile.name,
    ...(withBilling ? { billingContact: profile.billingContact } : {}),
    settings: profile.settings,
    createdAt: profile.createdAt,
    updatedAt: profile.updatedAt,
  };
}
