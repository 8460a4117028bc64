/**
 * Systems of an organization's sign-in directory (SPEC §4 "Systems"), each with its policy: every
 * change commits in one transaction with its audit event.
 */
import { ConflictError, NotFoundError, UnavailableError, ValidationError } from '../kernel/errors.ts';
import type { AuditEvent } from '../kernel/audit-events.ts';
import type { AccessControl } from '../tenancy/actors.ts';
import type { Page, PageRequest, RequestFacts } from '../kernel/request.ts';
import { usesPasswordless } from '../sign-in/policy.ts';
import type { Policy, SignInSystem } from '../sign-in/model.ts';
import { directoryEvent, organizationActor, WRITE_ATTEMPTS } from './directory-access.ts';

/** A stored system with its optimistic-concurrency version. */
export type StoredSystem = SignInSystem & { version: number };

export type SystemPatch = { policy?: Policy; passwordlessUrl?: string | null };

/** Storage of systems; every write carries its audit event into the same transaction. */
export interface SystemStore {
  findSystem(organizationId: string, systemName: string): Promise<SignInSystem | undefined>;
  findSystemForUpdate(organizationId: string, systemName: string): Promise<StoredSystem | undefined>;
  /** Systems in name order. */
  listSystems(organizationId: string, page: PageRequest): Promise<Page<SignInSystem>>;
  /** False when a system of that name exists. */
  createSystem(system: SignInSystem, event: AuditEvent): Promise<boolean>;
  updateSystem(system: SignInSystem, expectedVersion: number, event: AuditEvent): Promise<'ok' | 'missing' | 'stale'>;
  /** The system and every grant to it; answers how many grants went, or undefined when there was no system. */
  deleteSystem(organizationId: string, systemName: string, event: AuditEvent): Promise<number | undefined>;
}

/** The public shape of a system. */
export function presentSystem(system: SignInSystem) {
  const { name, policy, passwordlessUrl, createdAt, updatedAt } = system;
  return { name, policy, passwordlessUrl, createdAt, updatedAt };
}

const passwordlessUrlRequired = () =>
  new ValidationError([{ field: 'body.passwordlessUrl', message: 'is required when the policy uses passwordless' }]);

export class Systems {
  constructor(
    private readonly access: AccessControl,
    private readonly store: SystemStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async createSystem(request: RequestFacts, orgId: string, input: { name: string; policy: Policy; passwordlessUrl?: string | null | undefined }) {
    const { actor, organization } = await organizationActor(this.access, request, orgId, 'system:write');
    const passwordlessUrl = input.passwordlessUrl ?? null;
    if (usesPasswordless(input.policy) && passwordlessUrl === null) throw passwordlessUrlRequired();
    const now = this.now();
    const system: SignInSystem = {
      organizationId: orgId,
      name: input.name,
      policy: input.policy,
      passwordlessUrl,
      redirectUris: [],
      tokenSigningAlg: 'ES256',
      clientSecretHash: null,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
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
