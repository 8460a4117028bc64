/**
 * Invitations: an owner invites an email with a role and scope; the invitee accepts with the token,
 * either as a new operator (setting a password) or as the operator who already has that email
 * (proving it with their current password). The token is shown once, stored as its SHA-256, valid for
 * 7 days and single use: accepting is one conditional write (pending and unexpired → accepted) in
 * the same transaction as the membership, so of concurrent accepts exactly one joins.
 */
import { auditEvent, type AuditContext, type AuditEvent } from './audit.ts';
import { AppError, AuthError, ConflictError, NotFoundError, ValidationError } from './errors.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { assertScopeFitsAccount, type Page, type ScopeCatalog } from './members.ts';
import type { Membership, Operator, Role, Scope } from './model.ts';
import { assertAcceptablePassword, hashPassword, verifyPassword } from './passwords.ts';
import type { OperatorStore } from './ports.ts';
import type { OperatorSessions, TokenPair } from './sessions.ts';
import { hashSecret, newId, randomSecret } from './secrets.ts';

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Invitation tokens carry a recognisable prefix so secret scanners and support can spot them. */
export const INVITATION_TOKEN_PREFIX = 'pci_';

const MIN_PASSWORD_LENGTH = 12;

export interface Invitation {
  id: string;
  accountId: string;
  email: string;
  role: Role;
  scope: Scope;
  status: 'pending' | 'accepted';
  expiresAt: string;
  createdAt: string;
  /** The operator who invited. */
  createdBy: string | null;
}

export interface StoredInvitation extends Invitation {
  /** SHA-256 of the token; the token itself is never stored. */
  tokenHash: string;
}

export interface InvitationStore {
  /** Writes the invitation, its token lookup and the audit event at once. */
  createInvitation(invitation: StoredInvitation, event: AuditEvent): Promise<void>;
  /** Pending, unexpired invitations of the account. */
  listPendingInvitations(accountId: string, now: string, limit: number, startKey: Record<string, unknown> | undefined): Promise<Page<Invitation>>;
  findInvitation(accountId: string, invitationId: string): Promise<StoredInvitation | undefined>;
  findInvitationByTokenHash(tokenHash: string): Promise<StoredInvitation | undefined>;
  /** Deletes a pending invitation and its token lookup; false when it is no longer pending. */
  deleteInvitation(invitation: StoredInvitation, event: AuditEvent): Promise<boolean>;
  /** Marks the invitation accepted (if still pending and unexpired at `at`) and creates operator + membership. */
  acceptAsNewOperator(input: { invitation: StoredInvitation; operator: Operator; membership: Membership; event: AuditEvent; at: string }): Promise<void>;
  /** Marks the invitation accepted and adds the membership to an existing operator. */
  acceptAsExistingOperator(input: { invitation: StoredInvitation; membership: Membership; event: AuditEvent; at: string }): Promise<void>;
}

export type InvitationView = Omit<Invitation, 'accountId'>;

export interface AcceptedInvitation extends TokenPair {
  accountId: string;
  userId: string;
}

export class Invitations {
  constructor(
    private readonly store: InvitationStore,
    private readonly operators: Pick<OperatorStore, 'findOperatorByEmail' | 'findMembership'>,
    private readonly catalog: ScopeCatalog,
    private readonly throttle: LoginThrottle,
    private readonly sessions: Pick<OperatorSessions, 'startSessionFor'>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Creates an invitation; the answer carries the token, which is never shown again. */
  async create(accountId: string, input: { email: string; role: Role; scope: Scope }, context: AuditContext) {
    await assertScopeFitsAccount(this.catalog, accountId, input.role, input.scope);
    const existing = await this.operators.findOperatorByEmail(input.email);
    if (existing && (await this.operators.findMembership(accountId, existing.id))) {
      throw new ConflictError('member_exists', 'An operator with this email is already a member of the account.');
    }
    const now = this.now();
    const token = `${INVITATION_TOKEN_PREFIX}${randomSecret(32)}`;
    const invitation: StoredInvitation = {
      id: newId('inv'),
      accountId,
      email: input.email,
      role: input.role,
      scope: input.scope,
      status: 'pending',
      expiresAt: new Date(now.getTime() + INVITATION_TTL_MS).toISOString(),
      createdAt: now.toISOString(),
      createdBy: context.actor.id,
      tokenHash: hashSecret(token),
    };
    const event = auditEvent(
      context,
      { accountId, type: 'invitation.created', target: { type: 'invitation', id: invitation.id }, details: { email: input.email, role: input.role } },
      now,
    );
    await this.store.createInvitation(invitation, event);
    // The token rides in the fragment: a browser opening the link never sends it to any server log.
    return { ...view(invitation), token, acceptUrl: `/v2/invitations/accept#token=${token}` };
  }

  async list(accountId: string, page: { limit: number; cursor?: Record<string, unknown> }): Promise<Page<InvitationView>> {
    const result = await this.store.listPendingInvitations(accountId, this.now().toISOString(), page.limit, page.cursor);
    return { items: result.items.map(view), lastKey: result.lastKey };
  }

  /** Revokes a pending invitation (its token then answers 404); an accepted one is `invitation_used`. */
  async revoke(accountId: string, invitationId: string, context: AuditContext): Promise<void> {
    const invitation = await this.store.findInvitation(accountId, invitationId);
    if (!invitation) throw new NotFoundError('Invitation');
    if (invitation.status !== 'pending') throw invitationUsed();
    const event = auditEvent(context, {
      accountId, type: 'invitation.revoked', target: { type: 'invitation', id: invitationId }, details: { email: invitation.email, role: invitation.role },
    });
    if (!(await this.store.deleteInvitation(invitation, event))) {
      // Accepted or revoked between the read and the delete.
      const now = await this.store.findInvitation(accountId, invitationId);
      throw now ? invitationUsed() : new NotFoundError('Invitation');
    }
  }

  /**
   * Accepts with the token. If an operator already has the invited email, `password` must be theirs
   * (checked and throttled like a login); otherwise it becomes the new operator's password. Answers a
   * session for the (new) member.
   */
  async accept(input: { token: string; password?: string }, request: { requestId: string; sourceIp: string }): Promise<AcceptedInvitation> {
    const invitation = await this.store.findInvitationByTokenHash(hashSecret(input.token));
    if (!invitation) throw new NotFoundError('Invitation');
    const at = this.now();
    assertUsable(invitation, at);

    const existing = await this.operators.findOperatorByEmail(invitation.email);
    const userId = existing?.id ?? newId('usr');
    const membership: Membership = { accountId: invitation.accountId, userId, role: invitation.role, scope: invitation.scope, createdAt: at.toISOString() };
    const context: AuditContext = { actor: { kind: 'operator', id: userId }, ...request };
    const event = auditEvent(
      context,
      {
        accountId: invitation.accountId,
        type: 'invitation.accepted',
        target: { type: 'invitation', id: invitation.id },
        details: { userId, email: invitation.email, role: invitation.role, newOperator: !existing },
      },
      at,
    );

    try {
      if (existing) {
        await this.verifyExistingOperator(existing, input.password);
        await this.store.acceptAsExistingOperator({ invitation, membership, event, at: at.toISOString() });
      } else {
        const operator = await this.newOperator(userId, invitation.email, input.password, at);
        await this.store.acceptAsNewOperator({ invitation, operator, membership, event, at: at.toISOString() });
      }
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // Lost a race: another accept consumed the invitation (most likely), or it was revoked.
      const now = await this.store.findInvitation(invitation.accountId, invitation.id);
      if (!now) throw new NotFoundError('Invitation');
      assertUsable(now, this.now());
      throw error;
    }
    return { accountId: invitation.accountId, userId, ...(await this.sessions.startSessionFor(userId, ['pwd'])) };
  }

  private async verifyExistingOperator(operator: Operator, password: string | undefined): Promise<void> {
    if (password === undefined) {
      throw new ValidationError([{ field: 'body.password', message: 'is required: enter the current password of the operator with the invited email' }]);
    }
    await this.throttle.reserveAttempt(operator.email);
    if (!(await verifyPassword(password, operator.passwordHash))) throw new AuthError('invalid_credentials', 'Email or password is incorrect.');
    await this.throttle.recordSuccess(operator.email);
  }

  private async newOperator(userId: string, email: string, password: string | undefined, at: Date): Promise<Operator> {
    if (password === undefined) throw new ValidationError([{ field: 'body.password', message: 'is required: choose a password for your new login' }]);
    if (password.length < MIN_PASSWORD_LENGTH) {
      throw new ValidationError([{ field: 'body.password', message: `must be at least ${MIN_PASSWORD_LENGTH} characters` }]);
    }
    assertAcceptablePassword(password, email);
    return { id: userId, email, passwordHash: await hashPassword(password), createdAt: at.toISOString() };
  }
}

function view(invitation: Invitation): InvitationView {
  return {
    id: invitation.id,
    email: invitation.email,
    role: invitation.role,
    scope: invitation.scope,
    status: invitation.status,
    expiresAt: invitation.expiresAt,
    createdAt: invitation.createdAt,
    createdBy: invitation.createdBy,
  };
}

/** Single use first (a used token stays used after it would have expired), then the 7 days. */
function assertUsable(invitation: Invitation, at: Date): void {
  if (invitation.status !== 'pending') throw invitationUsed();
  if (Date.parse(invitation.expiresAt) <= at.getTime()) {
    throw new AppError(410, 'invitation_expired', 'Gone', 'This invitation has expired; ask for a new one.');
  }
}

function invitationUsed(): ConflictError {
  return new ConflictError('invitation_used', 'This invitation has already been accepted.');
}
