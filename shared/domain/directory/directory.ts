/**
 * The sign-in directory of an organization (SPEC §4 "Systems, end users, access"): systems with their
 * policies, end users, and the grants that let an end user sign in to a system. Every operation
 * resolves the actor from the credential (an organization of another account is a 404), asks the one
 * authorization function, then commits the change and its audit event in one transaction.
 */
import { callingCodeOfNumber, MOBILE_PHONE_MESSAGE, parseMobileNumber } from './phone-numbers.ts';
import type { AccessControl } from '../tenancy/actors.ts';
import type { Actor } from '../tenancy/authorization.ts';
import { auditEvent, type AuditEvent } from '../kernel/audit-events.ts';
import { ConflictError, NotFoundError, UnavailableError, ValidationError } from '../kernel/errors.ts';
import type { Organization } from '../kernel/model.ts';
import { auditContextOf, type Page, type PageRequest, type RequestFacts } from '../tenancy/organizations.ts';
import { usesPasswordless } from '../sign-in/policy.ts';
import { newId } from '../kernel/secrets.ts';
import type { AccessGrant, EndUser, Policy, SignInDirectory, SignInSystem } from '../sign-in/model.ts';

/** A stored system with its optimistic-concurrency version. */
export type StoredSystem = SignInSystem & { version: number };
/** A stored end user with its optimistic-concurrency version. */
export type StoredEndUser = EndUser & { version: number };

export type EndUserPatch = { email?: string; phone?: string; name?: string | null; status?: 'active' | 'disabled' };
export type SystemPatch = { policy?: Policy; passwordlessUrl?: string | null };

/** A grant as the access list shows it: with the end user's email. */
export type ListedGrant = AccessGrant & { email: string };

/** Storage of the directory; every write carries its audit event into the same transaction. */
export interface DirectoryStore extends SignInDirectory {
  findSystemForUpdate(organizationId: string, systemName: string): Promise<StoredSystem | undefined>;
  /** Systems in name order. */
  listSystems(organizationId: string, page: PageRequest): Promise<Page<SignInSystem>>;
  /** False when a system of that name exists. */
  createSystem(system: SignInSystem, event: AuditEvent): Promise<boolean>;
  updateSystem(system: SignInSystem, expectedVersion: number, event: AuditEvent): Promise<'ok' | 'missing' | 'stale'>;
  /** The system and every grant to it; answers how many grants went, or undefined when there was no system. */
  deleteSystem(organizationId: string, systemName: string, event: AuditEvent): Promise<number | undefined>;

  findEndUserForUpdate(organizationId: string, userId: string): Promise<StoredEndUser | undefined>;
  /** End users oldest first. */
  listEndUsers(organizationId: string, page: PageRequest): Promise<Page<EndUser>>;
  createEndUser(user: EndUser, event: AuditEvent): Promise<'ok' | 'email_taken'>;
  updateEndUser(before: StoredEndUser, after: EndUser, event: AuditEvent): Promise<'ok' | 'missing' | 'stale' | 'email_taken'>;
  /** The user, its email guard and every grant it holds; answers how many grants went, or undefined. */
  deleteEndUser(organizationId: string, userId: string, event: AuditEvent): Promise<number | undefined>;

  /** Writes the grant unless it exists; the system and the user must exist (checked in the same commit). */
  putGrant(grant: AccessGrant, event: AuditEvent): Promise<{ outcome: 'created'; grant: AccessGrant } | { outcome: 'exists'; grant: AccessGrant } | { outcome: 'no_system' } | { outcome: 'no_user' }>;
  deleteGrant(organizationId: string, systemName: string, userId: string, event: AuditEvent): Promise<boolean>;
  /** Grants of a system in user-id order, each with its user's email; undefined when there is no such system. */
  listGrants(organizationId: string, systemName: string, page: PageRequest): Promise<Page<ListedGrant> | undefined>;
}

/** The public shape of a system. */
export function presentSystem(system: SignInSystem) {
  const { name, policy, passwordlessUrl, createdAt, updatedAt } = system;
  return { name, policy, passwordlessUrl, createdAt, updatedAt };
}

/** The public shape of an end user. */
export function presentEndUser(user: EndUser) {
  const { id, email, phone, name, status, createdAt, updatedAt } = user;
  return { id, email, phone, name, status, createdAt, updatedAt };
}

export function presentGrant(grant: AccessGrant) {
  const { systemName, userId, createdAt } = grant;
  return { systemName, userId, createdAt };
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

/**
 * A phone number fit for logs and audit events: the country calling code and the last two digits
 * (`+33*******78`). Never a full number (SPEC §6).
 */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  const code = callingCodeOfNumber(phone);
  const hidden = Math.max(0, digits.length - code.length - 2);
  return `+${code}${'*'.repeat(hidden)}${digits.slice(-2)}`;
}

/**
 * Where a sign-in says its SMS went (`deliveredTo`, SPEC §4): one shape for every number, real or
 * decoy — eight stars and the last two digits (`********78`). No country code and no length: those
 * would tell a real user's number (`+44…`) from a decoy's.
 */
export function maskDelivery(phone: string): string {
  return `********${phone.replace(/\D/g, '').slice(-2).padStart(2, '0')}`;
}

const passwordlessUrlRequired = () =>
  new ValidationError([{ field: 'body.passwordlessUrl', message: 'is required when the policy uses passwordless' }]);

// A concurrent writer changed the item between our read and our write: re-read and apply again.
const WRITE_ATTEMPTS = 3;

async function organizationActor(access: AccessControl, request: RequestFacts, orgId: string, action: 'system:read' | 'system:write' | 'enduser:read' | 'enduser:write') {
  const { actor, organization } = await access.actorForOrganization(request.principal, orgId);
  await access.require(actor, action, { accountId: organization.accountId, organizationId: orgId });
  return { actor, organization };
}

function directoryEvent(actor: Actor, request: RequestFacts, organization: Organization, type: string, target: { type: string; id: string }, details: Record<string, unknown>, now: Date) {
  return auditEvent(auditContextOf(actor, request), { accountId: organization.accountId, organizationId: organization.id, type, target, details }, now);
}

export class Systems {
  constructor(
    private readonly access: AccessControl,
    private readonly store: DirectoryStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async createSystem(request: RequestFacts, orgId: string, input: { name: string; policy: Policy; passwordlessUrl?: string | null | undefined }) {
    const { actor, organization } = await organizationActor(this.access, request, orgId, 'system:write');
    const passwordlessUrl = input.passwordlessUrl ?? null;
    if (usesPasswordless(input.policy) && passwordlessUrl === null) throw passwordlessUrlRequired();
    const now = this.now();
    const system: SignInSystem = { organizationId: orgId, name: input.name, policy: input.policy, passwordlessUrl, createdAt: now.toISOString(), updatedAt: now.toISOString() };
    const event = directoryEvent(actor, request, organization, 'system.created', { type: 'system', id: system.name }, { factors: input.policy.factors, rules: input.policy.rules.length }, now);
    if (!(await this.store.createSystem(system, event))) throw new ConflictError('system_exists', `A system named "${input.name}" already exists in this organization.`);
    return presentSystem(system);
  }

  async listSystems(request: RequestFacts, orgId: string, page: PageRequest) {
    await organizationActor(this.access, request, orgId, 'system:read');
    const result = await this.store.listSystems(orgId, page);
    return { items: result.items.map(presentSystem), lastKey: result.lastKey };
  }

  async getSystem(request: RequestFacts, orgId: string, systemName: string) {
    await organizationActor(this.access, request, orgId, 'system:read');
    const system = await this.store.findSystem(orgId, systemName);
    if (!system) throw new NotFoundError('System');
    return presentSystem(system);
  }

  /** `policy` is replaced as a whole (defaults filled in); `passwordlessUrl: null` clears the URL. */
  async updateSystem(request: RequestFacts, orgId: string, systemName: string, patch: SystemPatch) {
    const { actor, organization } = await organizationActor(this.access, request, orgId, 'system:write');
    for (let attempt = 1; ; attempt++) {
      const current = await this.store.findSystemForUpdate(orgId, systemName);
      if (!current) throw new NotFoundError('System');
      const fields = Object.keys(patch).filter((key) => patch[key as keyof SystemPatch] !== undefined);
      const { version, ...rest } = current;
      if (fields.length === 0) return presentSystem(rest);
      const now = this.now();
      const next: SignInSystem = {
        ...rest,
        policy: patch.policy ?? current.policy,
        passwordlessUrl: patch.passwordlessUrl !== undefined ? patch.passwordlessUrl : current.passwordlessUrl,
        updatedAt: now.toISOString(),
      };
      if (usesPasswordless(next.policy) && next.passwordlessUrl === null) throw passwordlessUrlRequired();
      const event = directoryEvent(actor, request, organization, 'system.updated', { type: 'system', id: systemName }, { fields }, now);
      const outcome = await this.store.updateSystem(next, version, event);
      if (outcome === 'ok') return presentSystem(next);
      if (outcome === 'missing') throw new NotFoundError('System');
      if (attempt >= WRITE_ATTEMPTS) throw new UnavailableError(1);
    }
  }

  async deleteSystem(request: RequestFacts, orgId: string, systemName: string): Promise<void> {
    const { actor, organization } = await organizationActor(this.access, request, orgId, 'system:write');
    const event = directoryEvent(actor, request, organization, 'system.deleted', { type: 'system', id: systemName }, {}, this.now());
    if ((await this.store.deleteSystem(orgId, systemName, event)) === undefined) throw new NotFoundError('System');
  }
}

export class EndUsers {
  constructor(
    private readonly access: AccessControl,
    private readonly store: DirectoryStore,
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

export class AccessGrants {
  constructor(
    private readonly access: AccessControl,
    private readonly store: DirectoryStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Idempotent: `created` tells a new grant (201) from one that existed (200). */
  async grantAccess(request: RequestFacts, orgId: string, systemName: string, userId: string) {
    const { actor, organization } = await organizationActor(this.access, request, orgId, 'system:write');
    const now = this.now();
    const grant: AccessGrant = { organizationId: orgId, systemName, userId, createdAt: now.toISOString() };
    const event = directoryEvent(actor, request, organization, 'access.granted', { type: 'enduser', id: userId }, { system: systemName }, now);
    const result = await this.store.putGrant(grant, event);
    if (result.outcome === 'no_system') throw new NotFoundError('System');
    if (result.outcome === 'no_user') throw new NotFoundError('End user');
    return { created: result.outcome === 'created', grant: presentGrant(result.grant) };
  }

  async revokeAccess(request: RequestFacts, orgId: string, systemName: string, userId: string): Promise<void> {
    const { actor, organization } = await organizationActor(this.access, request, orgId, 'system:write');
    const event = directoryEvent(actor, request, organization, 'access.revoked', { type: 'enduser', id: userId }, { system: systemName }, this.now());
    if (!(await this.store.deleteGrant(orgId, systemName, userId, event))) throw new NotFoundError('Access grant');
  }

  async listAccess(request: RequestFacts, orgId: string, systemName: string, page: PageRequest) {
    await organizationActor(this.access, request, orgId, 'system:read');
    const result = await this.store.listGrants(orgId, systemName, page);
    if (!result) throw new NotFoundError('System');
    return { items: result.items.map((grant) => ({ ...presentGrant(grant), email: grant.email })), lastKey: result.lastKey };
  }
}

const emailTaken = () => new ConflictError('email_taken', 'Another end user of this organization has this email.');
