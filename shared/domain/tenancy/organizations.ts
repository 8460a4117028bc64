/**
 * Organizations (one per end customer) and groups of organizations. Every operation resolves the
 * actor from the credential, asks the one authorization function, then writes the change and its
 * audit event in one transaction.
 */
import { auditContextOf, type AccessControl } from './actors.ts';
import type { Actor } from './authorization.ts';
import { auditEvent, type AuditEvent } from '../kernel/audit-events.ts';
import { ConflictError, ForbiddenError, NotFoundError, UnavailableError, ValidationError, type FieldIssue } from '../kernel/errors.ts';
import type { Group, Organization, OrganizationSettings } from '../kernel/model.ts';
import type { Page, PageRequest, RequestFacts } from '../kernel/request.ts';
import { newId } from '../kernel/secrets.ts';


export type OrganizationPatch = { name?: string; settings?: Partial<OrganizationSettings> };

/** A new organization's settings as the request gives them: without `smsDailyLimit` or `emailDailyLimit`, the defaults (see `DEFAULT_SMS_DAILY_LIMIT`). */
export type NewOrganizationSettings = Omit<OrganizationSettings, 'smsDailyLimit' | 'emailDailyLimit'> & { smsDailyLimit?: number | undefined; emailDailyLimit?: number | undefined };

/** An organization's SMS limit when the request names none, unless the account cap is lower. */
export const DEFAULT_SMS_DAILY_LIMIT = 1000;

/** An organization's sign-in e-mail limit when the request names none, unless the account cap is lower. */
export const DEFAULT_EMAIL_DAILY_LIMIT = 1000;

/**
 * What the deployment allows above every tenant (shared/config.ts `DeploymentLimits`): an
 * organization's settings stay inside it, and an account has at most so many organizations.
 */
export interface OrganizationLimits {
  smsAllowedCountries: readonly string[];
  smsAccountDailyLimit: number;
  emailAccountDailyLimit: number;
  organizationsPerAccount: number;
}
export type GroupPatch = { name?: string; organizations?: string[] };

/** Outcome of a group write whose listed organizations are checked in the same transaction. */
export type GroupWriteOutcome = { ok: true } | { ok: false; reason: 'missing' | 'stale' } | { ok: false; reason: 'organization'; orgId: string };

export interface OrganizationStore {
  /** Undefined for unknown and deleted organizations alike. */
  findOrganization(orgId: string): Promise<Organization | undefined>;
  /** The active organizations among these ids (any account: callers check). */
  findOrganizationsByIds(orgIds: string[]): Promise<Organization[]>;
  /** Active organizations of an account, oldest first; `only` restricts to those ids (scoped readers). */
  listOrganizationsOfAccount(accountId: string, page: PageRequest & { only?: Set<string> }): Promise<Page<Organization>>;
  /**
   * Writes the organization and counts it on its account, unless the account already has `quota`
   * (one transaction, the count's condition included: concurrent creates never exceed it). False when
   * the quota is reached.
   */
  createOrganization(organization: Organization, event: AuditEvent, quota: number): Promise<boolean>;
  /** False when the organization is gone (deleted meanwhile). */
  updateOrganization(orgId: string, patch: OrganizationPatch, updatedAt: string, event: AuditEvent): Promise<boolean>;
  /** Tombstones it, removes it from every group of its account and uncounts it; false when it was already gone. */
  deleteOrganization(organization: Organization, deletedAt: string, event: AuditEvent): Promise<boolean>;

  findGroup(accountId: string, groupId: string): Promise<(Group & { version: number }) | undefined>;
  listGroupsPage(accountId: string, page: PageRequest): Promise<Page<Group>>;
  createGroup(group: Group, event: AuditEvent): Promise<GroupWriteOutcome>;
  /** Writes the group if it is still at `expectedVersion`; `added` organizations are checked active. */
  updateGroup(group: Group, expectedVersion: number, added: string[], event: AuditEvent): Promise<GroupWriteOutcome>;
  /** False when there was no such group. */
  deleteGroup(accountId: string, groupId: string, event: AuditEvent): Promise<boolean>;
}

/** How an actor appears in the audit log. */
/** The public shape of an organization (the tombstone flag stays inside). */
export function presentOrganization(organization: Organization) {
  const { status: _status, ...rest } = organization;
  return rest;
}

const invalidOrganization = (index: number) =>
  new ValidationError([{ field: `body.organizations.${index}`, message: 'is not an organization of this account' }]);

// A concurrent group write lost the optimistic version check: re-read and apply again a few times.
const GROUP_WRITE_ATTEMPTS = 3;

const quotaExceeded = (quota: number) =>
  new ConflictError('organization_quota_exceeded', `This account has ${String(quota)} organizations, as many as the deployment allows; delete one first.`);

/**
 * The settings a write may set, within the deployment (SPEC §6): an SMS limit up to the account's
 * cap, countries among the deployment's. A 400 naming each field past it. Checked after the
 * authorization, so another tenant learns nothing from it.
 */
function checkWithinDeployment(settings: Partial<OrganizationSettings>, limits: OrganizationLimits): void {
  const issues: FieldIssue[] = [];
  if (settings.smsDailyLimit !== undefined && settings.smsDailyLimit > limits.smsAccountDailyLimit) {
    issues.push({ field: 'body.settings.smsDailyLimit', message: `must be at most ${String(limits.smsAccountDailyLimit)} (the deployment's daily SMS cap per account)` });
  }
  if (settings.emailDailyLimit !== undefined && settings.emailDailyLimit > limits.emailAccountDailyLimit) {
    issues.push({ field: 'body.settings.emailDailyLimit', message: `must be at most ${String(limits.emailAccountDailyLimit)} (the deployment's daily sign-in e-mail cap per account)` });
  }
  const allowed = [...limits.smsAllowedCountries].sort().join(', ');
  (settings.smsAllowedCountries ?? []).forEach((country, index) => {
    if (!limits.smsAllowedCountries.includes(country)) {
      issues.push({ field: `body.settings.smsAllowedCountries.${String(index)}`, message: `is not among the deployment's SMS countries (${allowed})` });
    }
  });
  if (issues.length > 0) throw new ValidationError(issues);
}

export class Organizations {
  constructor(
    private readonly access: AccessControl,
    private readonly store: OrganizationStore,
    private readonly limits: OrganizationLimits,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async createOrganization(request: RequestFacts, accountId: string, input: { name: string; settings: NewOrganizationSettings }) {
    const actor = await this.access.actorForAccount(request.principal, accountId);
    await this.access.require(actor, 'organization:create', { accountId });
    checkWithinDeployment(input.settings, this.limits);
    const now = this.now().toISOString();
    const organization: Organization = {
      id: newId('org'),
      accountId,
      name: input.name,
      settings: {
        ...input.settings,
        smsDailyLimit: input.settings.smsDailyLimit ?? Math.min(DEFAULT_SMS_DAILY_LIMIT, this.limits.smsAccountDailyLimit),
        emailDailyLimit: input.settings.emailDailyLimit ?? Math.min(DEFAULT_EMAIL_DAILY_LIMIT, this.limits.emailAccountDailyLimit),
      },
      status: 'active',
      createdAt: now,
      updatedAt: now,
    };
    const event = auditEvent(
      auditContextOf(actor, request),
      { accountId, organizationId: organization.id, type: 'organization.created', target: { type: 'organization', id: organization.id }, details: { name: input.name } },
      this.now(),
    );
    if (!(await this.store.createOrganization(organization, event, this.limits.organizationsPerAccount))) throw quotaExceeded(this.limits.organizationsPerAccount);
    return presentOrganization(organization);
  }

  /** The organizations the actor reaches (all of them for unscoped actors), oldest first. */
  async listOrganizations(request: RequestFacts, accountId: string, page: PageRequest) {
    const actor = await this.access.actorForAccount(request.principal, accountId);
    await this.access.require(actor, 'organization:read', { accountId });
    const reachable = await this.access.reachable(actor);
    const result = await this.store.listOrganizationsOfAccount(accountId, { ...page, ...(reachable === 'all' ? {} : { only: reachable }) });
    return { items: result.items.map(presentOrganization), lastKey: result.lastKey };
  }

  async getOrganization(request: RequestFacts, orgId: string) {
    const { actor, organization } = await this.access.actorForOrganization(request.principal, orgId);
    await this.access.require(actor, 'organization:read', { accountId: organization.accountId, organizationId: orgId });
    return presentOrganization(organization);
  }

  async updateOrganization(request: RequestFacts, orgId: string, patch: OrganizationPatch) {
    const { actor, organization } = await this.access.actorForOrganization(request.principal, orgId);
    await this.access.require(actor, 'organization:update', { accountId: organization.accountId, organizationId: orgId });
    checkWithinDeployment(patch.settings ?? {}, this.limits);
    const changed = [
      ...(patch.name !== undefined ? ['name'] : []),
      ...Object.keys(patch.settings ?? {}).map((key) => `settings.${key}`),
    ];
    if (changed.length === 0) return presentOrganization(organization);
    const now = this.now();
    const event = auditEvent(
      auditContextOf(actor, request),
      { accountId: organization.accountId, organizationId: orgId, type: 'organization.updated', target: { type: 'organization', id: orgId }, details: { fields: changed } },
      now,
    );
    if (!(await this.store.updateOrganization(orgId, patch, now.toISOString(), event))) throw new NotFoundError('Organization');
    return presentOrganization({
      ...organization,
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      settings: { ...organization.settings, ...patch.settings },
      updatedAt: now.toISOString(),
    });
  }

  async deleteOrganization(request: RequestFacts, orgId: string): Promise<void> {
    const { actor, organization } = await this.access.actorForOrganization(request.principal, orgId);
    await this.access.require(actor, 'organization:delete', { accountId: organization.accountId, organizationId: orgId });
    const now = this.now();
    const event = auditEvent(
      auditContextOf(actor, request),
      { accountId: organization.accountId, organizationId: orgId, type: 'organization.deleted', target: { type: 'organization', id: orgId }, details: { name: organization.name } },
      now,
    );
    if (!(await this.store.deleteOrganization(organization, now.toISOString(), event))) throw new NotFoundError('Organization');
  }
}

export class Groups {
  constructor(
    private readonly access: AccessControl,
    private readonly store: OrganizationStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async createGroup(request: RequestFacts, accountId: string, input: { name: string; organizations: string[] }): Promise<Group> {
    const actor = await this.access.actorForAccount(request.principal, accountId);
    await this.access.require(actor, 'group:write', { accountId });
    await this.checkOrganizations(accountId, input.organizations, input.organizations);
    const now = this.now();
    const group: Group = { id: newId('grp'), accountId, name: input.name, organizations: input.organizations, createdAt: now.toISOString(), updatedAt: now.toISOString() };
    const event = auditEvent(
      auditContextOf(actor, request),
      { accountId, type: 'group.created', target: { type: 'group', id: group.id }, details: { name: group.name, organizations: group.organizations } },
      now,
    );
    const outcome = await this.store.createGroup(group, event);
    if (!outcome.ok) {
      // Only an organization deleted between the check and the commit gets here.
      if (outcome.reason === 'organization') throw invalidOrganization(input.organizations.indexOf(outcome.orgId));
      throw new Error(`group id collision (${outcome.reason})`);
    }
    return group;
  }

  async listGroups(request: RequestFacts, accountId: string, page: PageRequest): Promise<Page<Group>> {
    const actor = await this.access.actorForAccount(request.principal, accountId);
    await this.access.require(actor, 'group:read', { accountId });
    return this.store.listGroupsPage(accountId, page);
  }

  async getGroup(request: RequestFacts, accountId: string, groupId: string): Promise<Group> {
    const actor = await this.access.actorForAccount(request.principal, accountId);
    await this.access.require(actor, 'group:read', { accountId });
    const group = await this.store.findGroup(accountId, groupId);
    if (!group) throw new NotFoundError('Group');
    return withoutVersion(group);
  }

  async updateGroup(request: RequestFacts, accountId: string, groupId: string, patch: GroupPatch): Promise<Group> {
    const actor = await this.access.actorForAccount(request.principal, accountId);
    await this.access.require(actor, 'group:write', { accountId });
    for (let attempt = 1; ; attempt++) {
      const current = await this.store.findGroup(accountId, groupId);
      if (!current) throw new NotFoundError('Group');
      const organizations = patch.organizations ?? current.organizations;
      const before = new Set(current.organizations);
      const added = organizations.filter((orgId) => !before.has(orgId));
      const changed = [...(patch.name !== undefined ? ['name'] : []), ...(patch.organizations !== undefined ? ['organizations'] : [])];
      if (changed.length === 0) return withoutVersion(current);
      await this.checkOrganizations(accountId, organizations, added);
      const now = this.now();
      const group: Group = { ...withoutVersion(current), name: patch.name ?? current.name, organizations, updatedAt: now.toISOString() };
      const event = auditEvent(
        auditContextOf(actor, request),
        {
          accountId,
          type: 'group.updated',
          target: { type: 'group', id: groupId },
          details: { fields: changed, added, removed: current.organizations.filter((orgId) => !organizations.includes(orgId)) },
        },
        now,
      );
      const outcome = await this.store.updateGroup(group, current.version, added, event);
      if (outcome.ok) return group;
      if (outcome.reason === 'missing') throw new NotFoundError('Group');
      if (outcome.reason === 'organization') throw invalidOrganization(organizations.indexOf(outcome.orgId));
      // Still racing other writers: the client may retry, as with any transaction contention.
      if (attempt >= GROUP_WRITE_ATTEMPTS) throw new UnavailableError(1);
    }
  }

  async deleteGroup(request: RequestFacts, accountId: string, groupId: string): Promise<void> {
    const actor = await this.access.actorForAccount(request.principal, accountId);
    await this.access.require(actor, 'group:write', { accountId });
    const event = auditEvent(auditContextOf(actor, request), { accountId, type: 'group.deleted', target: { type: 'group', id: groupId } }, this.now());
    if (!(await this.store.deleteGroup(accountId, groupId, event))) throw new NotFoundError('Group');
  }

  /**
   * Every newly listed organization must be an active organization of this account. Another
   * account's organization gets the same answer as a missing one, so ids of other tenants leak nothing.
   */
  private async checkOrganizations(accountId: string, listed: string[], toCheck: string[]): Promise<void> {
    if (toCheck.length === 0) return;
    const found = await this.store.findOrganizationsByIds(toCheck);
    const valid = new Set(found.filter((organization) => organization.accountId === accountId).map((organization) => organization.id));
    const index = listed.findIndex((orgId) => toCheck.includes(orgId) && !valid.has(orgId));
    if (index >= 0) throw invalidOrganization(index);
  }
}

function withoutVersion(group: Group & { version?: number }): Group {
  const { version: _version, ...rest } = group;
  return rest;
}

/** Whether the actor may take an action: `require` without the throw, for optional response fields. */
export async function permits(access: AccessControl, actor: Actor, action: Parameters<AccessControl['require']>[1], resource: { accountId: string; organizationId?: string }): Promise<boolean> {
  try {
    await access.require(actor, action, resource);
    return true;
  } catch (error) {
    if (error instanceof ForbiddenError) return false;
    throw error;
  }
}
