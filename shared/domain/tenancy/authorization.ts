/**
 * The one place that decides who may do what. Handlers build the actor (via `AccessControl`) and ask;
 * they never check roles themselves.
 */
import { ForbiddenError, NotFoundError } from '../kernel/errors.ts';
import type { KeyPermission, Role, Scope } from '../kernel/model.ts';

export type Action =
  | 'account:read'
  | 'account:update'
  | 'account:billing'
  | 'organization:create'
  | 'organization:read'
  | 'organization:update'
  | 'organization:delete'
  | 'group:read'
  | 'group:write'
  | 'member:read'
  | 'member:write'
  | 'invitation:read'
  | 'invitation:write'
  | 'key:read'
  | 'key:write'
  | 'event:read'
  // Sign-in side (SPEC §4 systems, end users, access): inside one organization.
  | 'system:read'
  | 'system:write'
  | 'enduser:read'
  | 'enduser:write'
  /** Set up or remove an end user's TOTP (`…/users/{userId}/totp`). */
  | 'enduser:mfa'
  /** Start or complete a sign-in challenge: `authenticate` keys only. */
  | 'signin:authenticate'
  // Operator 2FA administration (owner): reset another member's TOTP, send them an enrolment link.
  | 'member:mfa';

/** Who acts, as resolved for one account. */
export type Actor =
  | { kind: 'member'; userId: string; accountId: string; role: Role; scope: Scope }
  | { kind: 'key'; keyId: string; accountId: string; permissions: KeyPermission[]; organizations: 'all' | string[] };

/** What is acted on: always an account, sometimes one organization in it. */
export interface Resource {
  accountId: string;
  organizationId?: string;
}

/** Resolves the organizations of a member's groups at request time (so adding one widens scope at once). */
export type GroupOrganizations = (groupIds: string[]) => Promise<Set<string>>;

/** Actions each role may take; scope then limits which organizations. */
const ROLE_ACTIONS: Record<Role, ReadonlySet<Action>> = {
  owner: new Set<Action>([
    'account:read', 'account:update', 'account:billing',
    'organization:create', 'organization:read', 'organization:update', 'organization:delete',
    'group:read', 'group:write', 'member:read', 'member:write',
    'invitation:read', 'invitation:write', 'key:read', 'key:write', 'event:read',
    'system:read', 'system:write', 'enduser:read', 'enduser:write', 'enduser:mfa', 'member:mfa',
  ]),
  // SPEC §3: managers read and write what lives in organizations (settings, systems, users, grants)
  // within their scope; account structure, people, keys and billing stay with owners.
  manager: new Set<Action>([
    'account:read', 'organization:read', 'organization:update', 'group:read', 'member:read', 'event:read',
    'system:read', 'system:write', 'enduser:read', 'enduser:write', 'enduser:mfa',
  ]),
  viewer: new Set<Action>(['account:read', 'organization:read', 'group:read', 'member:read', 'event:read', 'system:read', 'enduser:read']),
};

/** A `manage` key acts on the organizations it reaches, never on account structure, people or keys. */
const MANAGE_KEY_ACTIONS: ReadonlySet<Action> = new Set<Action>([
  'organization:read', 'organization:update', 'event:read',
  'system:read', 'system:write', 'enduser:read', 'enduser:write', 'enduser:mfa',
]);

/** An `authenticate` key starts and completes sign-ins in the organizations it reaches, nothing else. */
const AUTHENTICATE_KEY_ACTIONS: ReadonlySet<Action> = new Set<Action>(['signin:authenticate']);

/** Actions that need the whole account in scope even when they name no organization. */
const ACCOUNT_WIDE: ReadonlySet<Action> = new Set<Action>(['organization:create']);

/**
 * Decides (actor, action, resource). Throws NotFoundError when the actor is of another account, so a
 * foreign id looks like a missing one, and ForbiddenError when the actor is in the account but may
 * not do this.
 */
export async function authorize(actor: Actor, action: Action, resource: Resource, groupOrganizations: GroupOrganizations): Promise<void> {
  if (actor.accountId !== resource.accountId) throw new NotFoundError();
  if (!(await isAllowed(actor, action, resource, groupOrganizations))) throw new ForbiddenError();
}

export async function isAllowed(actor: Actor, action: Action, resource: Resource, groupOrganizations: GroupOrganizations): Promise<boolean> {
  if (actor.accountId !== resource.accountId) return false;
  if (actor.kind === 'key') {
    const granted = (actor.permissions.includes('manage') && MANAGE_KEY_ACTIONS.has(action)) || (actor.permissions.includes('authenticate') && AUTHENTICATE_KEY_ACTIONS.has(action));
    if (!granted) return false;
    if (resource.organizationId === undefined) return actor.organizations === 'all';
    return actor.organizations === 'all' || actor.organizations.includes(resource.organizationId);
  }
  if (!ROLE_ACTIONS[actor.role].has(action)) return false;
  if (actor.scope === 'all') return true;
  if (ACCOUNT_WIDE.has(action)) return false;
  if (resource.organizationId === undefined) return true;
  return reachesOrganization(actor.scope, resource.organizationId, groupOrganizations);
}

/** Whether a scoped member reaches an organization, directly or through one of their groups. */
export async function reachesOrganization(scope: Scope, orgId: string, groupOrganizations: GroupOrganizations): Promise<boolean> {
  if (scope === 'all') return true;
  if (scope.organizations.includes(orgId)) return true;
  return scope.groups.length > 0 && (await groupOrganizations(scope.groups)).has(orgId);
}

/**
 * The organizations an actor reaches, for filtering lists (organizations, events): `all`, or a set.
 */
export async function reachableOrganizations(actor: Actor, groupOrganizations: GroupOrganizations): Promise<'all' | Set<string>> {
  if (actor.kind === 'key') return actor.organizations === 'all' ? 'all' : new Set(actor.organizations);
  if (actor.scope === 'all') return 'all';
  const viaGroups = actor.scope.groups.length ? await groupOrganizations(actor.scope.groups) : new Set<string>();
  return new Set([...actor.scope.organizations, ...viaGroups]);
}
