/**
 * End users of an organization's sign-in directory (SPEC §4 "End users"): email unique in the
 * organization (case-insensitively), phone a valid mobile number stored as E.164.
 */
import { ConflictError, NotFoundError, UnavailableError, ValidationError } from '../kernel/errors.ts';
import type { AuditEvent } from '../kernel/audit-events.ts';
import type { AccessControl } from '../tenancy/actors.ts';
import type { Page, PageRequest, RequestFacts } from '../kernel/request.ts';
import { newId } from '../kernel/secrets.ts';
import type { EndUser } from '../sign-in/model.ts';
import { directoryEvent, organizationActor, WRITE_ATTEMPTS } from './directory-access.ts';
import { maskPhone, MOBILE_PHONE_MESSAGE, parseMobileNumber } from './phone-numbers.ts';

/** A stored end user with its optimistic-concurrency version. */
export type StoredEndUser = EndUser & { version: number };

export type EndUserPatch = { email?: string; phone?: string; name?: string | null; status?: 'active' | 'disabled' };

/** Storage of end users; every write carries its audit event into the same transaction. */
export interface EndUserStore {
  /** Case-insensitive on the email. */
  findEndUserByEmail(organizationId: string, email: string): Promise<EndUser | undefined>;
  findEndUser(organizationId: string, userId: string): Promise<EndUser | undefined>;
  findEndUserForUpdate(organizationId: string, userId: string): Promise<StoredEndUser | undefined>;
  /** End users oldest first. */
  listEndUsers(organizationId: string, page: PageRequest): Promise<Page<EndUser>>;
  createEndUser(user: EndUser, event: AuditEvent): Promise<'ok' | 'email_taken'>;
  updateEndUser(before: StoredEndUser, after: EndUser, event: AuditEvent): Promise<'ok' | 'missing' | 'stale' | 'email_taken'>;
  /** The user, its email guard and every grant it holds; answers how many grants went, or undefined. */
  deleteEndUser(organizationId: string, userId: string, event: AuditEvent): Promise<number | undefined>;
}

/** The public shape of an end user. */
export function presentEndUser(user: EndUser) {
  const { id, email, phone, name, status, createdAt, updatedAt } = user;
  return { id, email, phone, name, status, createdAt, updatedAt };
}

/**
 * The end user's phone as E.164 when it is a valid mobile number (shared/domain/directory/phone-numbers.ts),
 * else the 400 naming `body.phone` (the request schema checked only its shape). SMS are the only
 * thing a phone is for here, and a number that is not a mobile is what SMS pumping bills.
 */
export function normalizePhone(phone: string): string {
  const parsed = parseMobileNumber(phone);
  if (!parsed) throw new ValidationError([{ field: 'body.phone', message: MOBILE_PHONE_MESSAGE }]);
  return parsed.e164;
}

export class EndUsers {
  constructor(
    private readonly access: AccessControl,
    private readonly store: EndUserStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async createEndUser(request: RequestFacts, orgId: string, input: { email: string; phone: string; name?: string | null | undefined }) {
    const phone = normalizePhone(input.phone);
    const { actor, organization } = await organizationActor(this.access, request, orgId, 'enduser:write');
    const now = this.now();
    const user: EndUser = {
      id: newId('eu'),
      organizationId: orgId,
      email: input.email,
      phone,
      name: input.name ?? null,
      status: 'active',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    const event = directoryEvent(actor, request, organization, 'enduser.created', { type: 'enduser', id: user.id }, { email: user.email, phone: maskPhone(user.phone) }, now);
    if ((await this.store.createEndUser(user, event)) === 'email_taken') throw emailTaken();
    return presentEndUser(user);
  }

  /** Oldest first; `email` narrows the list to that user (case-insensitive exact match). */
  async listEndUsers(request: RequestFacts, orgId: string, query: PageRequest & { email?: string | undefined }) {
    await organizationActor(this.access, request, orgId, 'enduser:read');
    if (query.email !== undefined) {
      const user = await this.store.findEndUserByEmail(orgId, query.email);
      return { items: user ? [presentEndUser(user)] : [], lastKey: undefined };
    }
    const result = await this.store.listEndUsers(orgId, query);
    return { items: result.items.map(presentEndUser), lastKey: result.lastKey };
  }

  async getEndUser(request: RequestFacts, orgId: string, userId: string) {
    await organizationActor(this.access, request, orgId, 'enduser:read');
    const user = await this.store.findEndUser(orgId, userId);
    if (!user) throw new NotFoundError('End user');
    return presentEndUser(user);
  }

  /** Only the fields sent change; a new email moves the uniqueness guard in the same transaction. */
  async updateEndUser(request: RequestFacts, orgId: string, userId: string, input: EndUserPatch) {
    const patch = input.phone === undefined ? input : { ...input, phone: normalizePhone(input.phone) };
    const { actor, organization } = await organizationActor(this.access, request, orgId, 'enduser:write');
    for (let attempt = 1; ; attempt++) {
      const current = await this.store.findEndUserForUpdate(orgId, userId);
      if (!current) throw new NotFoundError('End user');
      const { version: _version, ...before } = current;
      const fields = (['email', 'phone', 'name', 'status'] as const).filter((key) => patch[key] !== undefined && patch[key] !== before[key]);
      if (fields.length === 0) return presentEndUser(before);
      const now = this.now();
      const next: EndUser = {
        ...before,
        ...(patch.email !== undefined ? { email: patch.email } : {}),
        ...(patch.phone !== undefined ? { phone: patch.phone } : {}),
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        updatedAt: now.toISOString(),
      };
      const disabled = fields.includes('status') && next.status === 'disabled';
      const details: Record<string, unknown> = {
        fields,
        ...(fields.includes('email') ? { email: next.email, previousEmail: before.email } : {}),
        ...(fields.includes('phone') ? { phone: maskPhone(next.phone) } : {}),
        ...(fields.includes('status') ? { status: next.status } : {}),
      };
      const event = directoryEvent(actor, request, organization, disabled ? 'enduser.disabled' : 'enduser.updated', { type: 'enduser', id: userId }, details, now);
      const outcome = await this.store.updateEndUser(current, next, event);
      if (outcome === 'ok') return presentEndUser(next);
      if (outcome === 'missing') throw new NotFoundError('End user');
      if (outcome === 'email_taken') throw emailTaken();
      if (attempt >= WRITE_ATTEMPTS) throw new UnavailableError(1);
    }
  }

  async deleteEndUser(request: RequestFacts, orgId: string, userId: string): Promise<void> {
    const { actor, organization } = await organizationActor(this.access, request, orgId, 'enduser:write');
    const event = directoryEvent(actor, request, organization, 'enduser.deleted', { type: 'enduser', id: userId }, {}, this.now());
    if ((await this.store.deleteEndUser(orgId, userId, event)) === undefined) throw new NotFoundError('End user');
  }
}

const emailTaken = () => new ConflictError('email_taken', 'Another end user of this organization has this email.');
