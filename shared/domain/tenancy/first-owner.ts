/**
 * The first owner of a deployment whose sign-up is `closed` (SPEC §4): a one-time command
 * (scripts/create-first-owner.ts) creates the account, with no member yet, and an owner invitation
 * for the address, e-mailed like any invitation. Accepting it is the ordinary accept (a new person
 * sets a password and signs in through the session gate); the owner count starts at 0 and the
 * accept makes it 1, as for any owner invitation.
 */
import { auditEvent, type AuditEvent } from '../kernel/audit-events.ts';
import type { Account } from '../kernel/model.ts';
import { newId } from '../kernel/secrets.ts';
import { newInvitation, sendInvitation, type InvitationDelivery, type StoredInvitation } from './invitations.ts';

/** Port: the account (no owner yet), its owner invitation and the audit event, written at once. */
export interface FirstOwnerStore {
  createAccountWithInvitation(account: Account, invitation: StoredInvitation, event: AuditEvent): Promise<void>;
}

export interface FirstOwnerInvitation {
  accountId: string;
  invitationId: string;
  email: string;
  expiresAt: string;
}

export class FirstOwner {
  constructor(
    private readonly store: FirstOwnerStore,
    private readonly delivery: InvitationDelivery,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Creates the account `accountName` and e-mails `email` an owner invitation (7 days, single use); answers no token. */
  async create(input: { email: string; accountName: string }): Promise<FirstOwnerInvitation> {
    const now = this.now();
    const account: Account = { id: newId('acc'), name: input.accountName, createdAt: now.toISOString() };
    const { invitation, token } = newInvitation(account.id, { email: input.email, role: 'owner', scope: 'all' }, null, now);
    const event = auditEvent(
      { actor: { kind: 'system', id: null }, requestId: null, sourceIp: null },
      { accountId: account.id, type: 'invitation.created', target: { type: 'invitation', id: invitation.id }, details: { email: input.email, role: 'owner', firstOwner: true } },
      now,
    );
    await this.store.createAccountWithInvitation(account, invitation, event);
    await sendInvitation(this.delivery, invitation, token, { accountName: account.name, inviterEmail: undefined });
    return { accountId: account.id, invitationId: invitation.id, email: invitation.email, expiresAt: invitation.expiresAt };
  }
}
