/**
 * Systems of an organization's sign-in directory (SPEC §4 "Systems"), each with its policy: every
 * change commits in one transaction with its audit event.
 */
import { ConflictError, NotFoundError, UnavailableError, ValidationError } from '../kernel/errors.ts';
import type { AuditEvent } from '../kernel/audit-events.ts';
import { constantTimeEqual, hashSecret, randomSecret } from '../kernel/secrets.ts';
import type { AccessControl } from '../tenancy/actors.ts';
import type { Page, PageRequest, RequestFacts } from '../kernel/request.ts';
import { usesPasskeys, usesPasswordless } from '../sign-in/policy.ts';
import type { Policy, SignInSystem, TokenSigningAlg, WebAuthnConfig } from '../sign-in/model.ts';
import { directoryEvent, organizationActor, WRITE_ATTEMPTS } from './directory-access.ts';

/** A stored system with its optimistic-concurrency version. */
export type StoredSystem = SignInSystem & { version: number };

export type SystemPatch = { policy?: Policy; passwordlessUrl?: string | null; redirectUris?: string[]; tokenSigningAlg?: TokenSigningAlg; webauthn?: WebAuthnConfig | null };

/** Prefix of client secrets: the log redaction knows `p??_` secrets, and a support engineer knows what it is. */
export const CLIENT_SECRET_PREFIX = 'pcs_';

/**
 * Whether `presented` is the system's client secret: its SHA-256 compared in constant time with the
 * stored one (the secret has 256 random bits: nothing to brute-force, so a fast hash is right). A
 * public client (no secret) never matches, whatever is presented.
 */
export function verifyClientSecret(system: Pick<SignInSystem, 'clientSecretHash'>, presented: string): boolean {
  const expected = system.clientSecretHash;
  const given = hashSecret(presented);
  return expected !== null && constantTimeEqual(given, expected);
}

/** Storage of systems; every write carries its audit event into the same transaction. */
export interface SystemStore {
  findSystem(organizationId: string, systemName: string): Promise<SignInSystem | undefined>;
  findSystemForUpdate(organizationId: string, systemName: string): Promise<StoredSystem | undefined>;
  /** Systems in name order. */
  listSystems(organizationId: string, page: PageRequest): Promise<Page<SignInSystem>>;
  /** False when a system of that name exists. */
  createSystem(system: SignInSystem, event: AuditEvent): Promise<boolean>;
  updateSystem(system: SignInSystem, expectedVersion: number, event: AuditEvent): Promise<'ok' | 'missing' | 'stale'>;
  /**
   * Sets (a hash) or removes (null) the client secret in one write that needs no prior read: the last
   * writer wins, and the version moves, so a PATCH that read the old one re-reads. Removing requires a
   * secret: 'no_secret' when there was none.
   */
  setClientSecretHash(organizationId: string, systemName: string, hash: string | null, updatedAt: string, event: AuditEvent): Promise<'ok' | 'missing' | 'no_secret'>;
  /** The system and every grant to it; answers how many grants went, or undefined when there was no system. */
  deleteSystem(organizationId: string, systemName: string, event: AuditEvent): Promise<number | undefined>;
}

/** The public shape of a system: whether it has a client secret, never its hash. */
export function presentSystem(system: SignInSystem) {
  const { name, policy, passwordlessUrl, redirectUris, tokenSigningAlg, webauthn, clientSecretHash, createdAt, updatedAt } = system;
  return { name, policy, passwordlessUrl, redirectUris, tokenSigningAlg, webauthn, hasClientSecret: clientSecretHash !== null, createdAt, updatedAt };
}

const passwordlessUrlRequired = () =>
  new ValidationError([{ field: 'body.passwordlessUrl', message: 'is required when the policy uses passwordless' }]);

const webauthnRequired = () => new ValidationError([{ field: 'body.webauthn', message: 'is required when the policy uses passkey' }]);

/** A system's policy and its settings agree: links need a `passwordlessUrl`, passkeys a `webauthn` relying party. */
function checkPolicySettings(system: Pick<SignInSystem, 'policy' | 'passwordlessUrl' | 'webauthn'>): void {
  if (usesPasswordless(system.policy) && system.passwordlessUrl === null) throw passwordlessUrlRequired();
  if (usesPasskeys(system.policy) && system.webauthn === null) throw webauthnRequired();
}

export class Systems {
  constructor(
    private readonly access: AccessControl,
    private readonly store: SystemStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async createSystem(
    request: RequestFacts,
    orgId: string,
    input: {
      name: string;
      policy: Policy;
      passwordlessUrl?: string | null | undefined;
      redirectUris?: string[] | undefined;
      tokenSigningAlg?: TokenSigningAlg | undefined;
      webauthn?: WebAuthnConfig | null | undefined;
    },
  ) {
    const { actor, organization } = await organizationActor(this.access, request, orgId, 'system:write');
    const passwordlessUrl = input.passwordlessUrl ?? null;
    const webauthn = input.webauthn ?? null;
    checkPolicySettings({ policy: input.policy, passwordlessUrl, webauthn });
    const now = this.now();
    const system: SignInSystem = {
      organizationId: orgId,
      name: input.name,
      policy: input.policy,
      passwordlessUrl,
      webauthn,
      redirectUris: input.redirectUris ?? [],
      tokenSigningAlg: input.tokenSigningAlg ?? 'ES256',
      clientSecretHash: null,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    const event = directoryEvent(actor, request, organization, 'system.created', { type: 'system', id: system.name }, { factors: input.policy.factors, rules: input.policy.rules.length, redirectUris: system.redirectUris.length, tokenSigningAlg: system.tokenSigningAlg }, now);
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

  /**
   * `policy` is replaced as a whole (defaults filled in); `passwordlessUrl: null` clears the URL;
   * `redirectUris` replaces the list; `tokenSigningAlg` applies to the tokens issued from then on.
   */
  async updateSystem(request: RequestFacts, orgId: string, systemName: string, patch: SystemPatch) {
    const fields = Object.keys(patch).filter((key) => patch[key as keyof SystemPatch] !== undefined);
    const { system } = await this.change(request, orgId, systemName, (current) => {
      if (fields.length === 0) return undefined;
      const next: SignInSystem = {
        ...current,
        policy: patch.policy ?? current.policy,
        passwordlessUrl: patch.passwordlessUrl !== undefined ? patch.passwordlessUrl : current.passwordlessUrl,
        redirectUris: patch.redirectUris ?? current.redirectUris,
        tokenSigningAlg: patch.tokenSigningAlg ?? current.tokenSigningAlg,
        webauthn: patch.webauthn !== undefined ? patch.webauthn : current.webauthn,
      };
      checkPolicySettings(next);
      return { next, type: 'system.updated', details: { fields } };
    });
    return presentSystem(system);
  }

  /**
   * `POST …/systems/{systemName}/secret`: a new client secret (256 random bits), replacing the one the
   * system had; answered this once, stored as its SHA-256 only. One write, whatever runs concurrently:
   * of concurrent rotations the last one's secret is the one that works. Audited `system.secret_rotated`.
   */
  async rotateClientSecret(request: RequestFacts, orgId: string, systemName: string): Promise<{ clientId: string; clientSecret: string }> {
    const { actor, organization } = await organizationActor(this.access, request, orgId, 'system:write');
    const current = await this.store.findSystem(orgId, systemName);
    if (!current) throw new NotFoundError('System');
    const clientSecret = `${CLIENT_SECRET_PREFIX}${randomSecret(32)}`;
    const now = this.now();
    const event = directoryEvent(actor, request, organization, 'system.secret_rotated', { type: 'system', id: systemName }, { replaced: current.clientSecretHash !== null }, now);
    const outcome = await this.store.setClientSecretHash(orgId, systemName, hashSecret(clientSecret), now.toISOString(), event);
    if (outcome !== 'ok') throw new NotFoundError('System');
    return { clientId: systemName, clientSecret };
  }

  /**
   * `DELETE …/systems/{systemName}/secret`: the system becomes a public client again (PKCE only);
   * 404 when it had no secret. Audited `system.secret_deleted`.
   */
  async deleteClientSecret(request: RequestFacts, orgId: string, systemName: string): Promise<void> {
    const { actor, organization } = await organizationActor(this.access, request, orgId, 'system:write');
    const now = this.now();
    const event = directoryEvent(actor, request, organization, 'system.secret_deleted', { type: 'system', id: systemName }, {}, now);
    const outcome = await this.store.setClientSecretHash(orgId, systemName, null, now.toISOString(), event);
    if (outcome === 'missing') throw new NotFoundError('System');
    if (outcome === 'no_secret') throw new NotFoundError('Client secret');
  }

  /**
   * One change of a system, in a transaction with its audit event, conditional on the version read (a
   * concurrent change makes it re-read and apply `edit` again). `edit` answers nothing to change nothing.
   */
  private async change(
    request: RequestFacts,
    orgId: string,
    systemName: string,
    edit: (current: SignInSystem) => { next: SignInSystem; type: string; details: Record<string, unknown> } | undefined,
  ): Promise<{ system: SignInSystem }> {
    const { actor, organization } = await organizationActor(this.access, request, orgId, 'system:write');
    for (let attempt = 1; ; attempt++) {
      const stored = await this.store.findSystemForUpdate(orgId, systemName);
      if (!stored) throw new NotFoundError('System');
      const { version, ...current } = stored;
      const change = edit(current);
      if (!change) return { system: current };
      const now = this.now();
      const next: SignInSystem = { ...change.next, updatedAt: now.toISOString() };
      const event = directoryEvent(actor, request, organization, change.type, { type: 'system', id: systemName }, change.details, now);
      const outcome = await this.store.updateSystem(next, version, event);
      if (outcome === 'ok') return { system: next };
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
