/**
 * Invitations: an owner invites an email with a role and scope; the invitee accepts with the token,
 * either as a new operator (setting a password; the answer is what a login gives, through the session
 * gate) or as the operator who already has that email, signed in (their access token, with the second
 * factor when they have one; the answer is `joined` and no tokens). A password never stands in for an
 * existing operator's sign-in: it would skip their second factor (review finding 1). The token goes to
 * the invitee by e-mail only (SPEC §4: holding it proves the address; the inviter never sees it), is
 * stored as its SHA-256, valid for 7 days and single use: accepting is one conditional write (pending
 * and unexpired → accepted) in the same transaction as the membership, so of concurrent accepts
 * exactly one joins.
 */
import { auditEvent, type AuditContext, type AuditEvent } from '../kernel/audit-events.ts';
import { AppError, AuthError, ConflictError, NotFoundError, ValidationError } from '../kernel/errors.ts';
import type { Page } from '../kernel/request.ts';
import { assertScopeFitsAccount, type ScopeCatalog } from './members.ts';
import type { Membership, Operator, Role, Scope } from '../kernel/model.ts';
import type { Mailer } from '../platform/email.ts';
import { assertAcceptablePassword, hashPassword } from '../sessions/passwords.ts';
import type { OperatorStore } from '../sessions/operator-store.ts';
import type { Principal } from '../kernel/principal.ts';
import type { LoginResult, OperatorSessions } from '../sessions/operator-sessions.ts';
import { hashSecret, newId, randomSecret } from '../kernel/secrets.ts';

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

/** A new person: what a login gives (tokens, or an enrolment first). An existing operator: joined, no tokens. */
export type AcceptedInvitation = ({ accountId: string; userId: string } & LoginResult) | { accountId: string; joined: true };

/** The request an accept comes with: its facts and the caller's credential, if any. */
export interface AcceptRequest {
  requestId: string;
  sourceIp: string;
  /** Kept, truncated, by the session a new person's accept starts. */
  userAgent?: string;
  principal: Principal;
}

/** Where invitations are e-mailed from: the mailer and the console the accept link points at (`{consoleUrl}/accept?token=`). */
export interface InvitationDelivery {
  mailer: Pick<Mailer, 'send'>;
  consoleUrl: string;
}

/** A new pending invitation (7 days) and its token, which only the invitee's e-mail will carry. */
export function newInvitation(accountId: string, input: { email: string; role: Role; scope: Scope }, createdBy: string | null, now: Date): { invitation: StoredInvitation; token: string } {
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
    createdBy,
    tokenHash: hashSecret(token),
  };
  return { invitation, token };
}

/** E-mails the invitee the `invitation` message with the accept link: the one place the token goes. */
export function sendInvitation(
  delivery: InvitationDelivery,
  invitation: Invitation,
  token: string,
  from: { accountName: string; inviterEmail: string | undefined },
): Promise<void> {
  return delivery.mailer.send(invitation.email, 'invitation', {
    ...from,
    role: invitation.role,
    url: `${delivery.consoleUrl}/accept?token=${token}`,
    expiresAt: invitation.expiresAt,
  });
}

export class Invitations {
  constructor(
    private readonly store: InvitationStore,
    private readonly operators: Pick<OperatorStore, 'findOperatorByEmail' | 'findOperatorById' | 'findMembership' | 'findAccountsByIds'>,
    private readonly catalog: ScopeCatalog,
    private readonly sessions: Pick<OperatorSessions, 'admit' | 'verdict'>,
    private readonly delivery: InvitationDelivery,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Creates an invitation and e-mails the invitee the accept link with the account's name and the
   * inviter. The answer carries no token: the inviter never holds what proves the invitee's address.
   */
  async create(accountId: string, input: { email: string; role: Role; scope: Scope }, context: AuditContext): Promise<InvitationView> {
    await assertScopeFitsAccount(this.catalog, accountId, input.role, input.scope);
    const existing = await this.operators.findOperatorByEmail(input.email);
    if (existing && (await this.operators.findMembership(accountId, existing.id))) {
      throw new ConflictError('member_exists', 'An operator with this email is already a member of the account.');
    }
    const now = this.now();
    const { invitation, token } = newInvitation(accountId, input, context.actor.id, now);
    const event = auditEvent(
      context,
      { accountId, type: 'invitation.created', target: { type: 'invitation', id: invitation.id }, details: { email: input.email, role: input.role } },
      now,
    );
    const [[account], inviter] = await Promise.all([
      this.operators.findAccountsByIds([accountId]),
      context.actor.kind === 'operator' && context.actor.id ? this.operators.findOperatorById(context.actor.id) : Promise.resolve(undefined),
    ]);
    await this.store.createInvitation(invitation, event);
    try {
      await sendInvitation(this.delivery, invitation, token, { accountName: account?.name ?? accountId, inviterEmail: inviter?.email });
    } catch {
      // Nobody holds the token, so nobody could accept it: take the invitation back (audited) rather
      // than leave one the owner must find and revoke, and say what failed (502, never a 500).
      const revoked = auditEvent(context, {
        accountId, type: 'invitation.revoked', target: { type: 'invitation', id: invitation.id }, details: { email: invitation.email, role: invitation.role, reason: 'email_failed' },
      });
      await this.store.deleteInvitation(invitation, revoked);
      throw new AppError(502, 'email_failed', 'Bad Gateway', 'The invitation e-mail could not be sent, so no invitation was kept; invite again.');
    }
    return view(invitation);
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
   * Accepts with the token. No operator has the invited email: `password` becomes the new operator's
   * and the answer goes through the session gate like a login. One has: the caller must be that
   * operator, signed in, with the second factor in the session when they have one; the answer is
   * `joined` and no tokens.
   */
  async accept(input: { token: string; password?: string }, request: AcceptRequest): Promise<AcceptedInvitation> {
    const invitation = await this.store.findInvitationByTokenHash(hashSecret(input.token));
    if (!invitation) throw new NotFoundError('Invitation');
    const at = this.now();
    assertUsable(invitation, at);

    const existing = await this.operators.findOperatorByEmail(invitation.email);
    if (existing) await this.assertSignedInAs(existing, request.principal);
    else if (request.principal.kind !== 'anonymous') throw emailMismatch();

    const userId = existing?.id ?? newId('usr');
    const membership: Membership = { accountId: invitation.accountId, userId, role: invitation.role, scope: invitation.scope, createdAt: at.toISOString() };
    const context: AuditContext = { actor: { kind: 'operator', id: userId }, requestId: request.requestId, sourceIp: request.sourceIp };
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
    if (existing) return { accountId: invitation.accountId, joined: true };
    // The new member may already be covered by `requireMfa` of the account or an organization of the scope.
    return { accountId: invitation.accountId, userId, ...(await this.sessions.admit(userId, ['pwd'], { requestId: request.requestId, sourceIp: request.sourceIp, ...(request.userAgent ? { userAgent: request.userAgent } : {}) })) };
  }

  /** The invited email already has a login: only that operator, signed in past the gate, may accept. */
  private async assertSignedInAs(operator: Operator, principal: Principal): Promise<void> {
    if (principal.kind !== 'operator') {
      throw new AuthError('sign_in_required', 'This email already has a login: sign in (with your second factor), then accept the invitation.');
    }
    if (principal.userId !== operator.id) throw emailMismatch();
    if ((await this.sessions.verdict(operator.id, principal.amr)) !== 'open') {
      throw new AppError(403, 'step_up_required', 'Forbidden', 'Sign in again with your second factor, then accept the invitation.');
    }
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

function emailMismatch(): AppError {
  return new AppError(403, 'invitation_email_mismatch', 'Forbidden', 'This invitation is for another email than the one you are signed in with.');
}

function invitationUsed(): ConflictError {
  return new ConflictError('invitation_used', 'This invitation has already been accepted.');
}
