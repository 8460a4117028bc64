/**
 * The one route list. CDK builds one function, one route and the grants from each entry; the local
 * server mounts each entry; handlers take their schemas from here; tests check all of them agree.
 */
import type { z } from 'zod';
import {
  Jwks,
  LoginBody,
  LogoutBody,
  MeResponse,
  RefreshBody,
  SignupBody,
  SignupResponse,
  TokenPair,
} from '../schemas/sessions.ts';
import {
  AccountParams,
  AccountResponse,
  CreateGroupBody,
  CreateOrganizationBody,
  GroupList,
  GroupParams,
  GroupResponse,
  ListQuery,
  OrganizationList,
  OrganizationParams,
  OrganizationResponse,
  UpdateAccountBody,
  UpdateGroupBody,
  UpdateOrganizationBody,
} from '../schemas/organizations.ts';
import { ApiKeyList, CreateKeyBody, CreatedApiKey, KeyParams, KeysParams, ListKeysQuery } from '../schemas/access-keys.ts';
import { AuditEventList, EventsParams, ListEventsQuery } from '../schemas/events.ts';
import {
  AcceptInvitationBody,
  AcceptedInvitation,
  CreateInvitationBody,
  CreatedInvitation,
  InvitationPage,
  InvitationParams,
  InvitationsParams,
  ListInvitationsQuery,
  ListMembersQuery,
  Member,
  MemberPage,
  MemberParams,
  MembersParams,
  UpdateMemberBody,
} from '../schemas/members.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * How a route authenticates. `bearer` routes sit behind the bearer Lambda authorizer and `apikey`
 * routes behind the apikey authorizer (both cached 60 s by API Gateway). `bearer-or-apikey` routes
 * (organization-level management, which operators and `manage` keys share) verify whichever header
 * is present in the function itself, because an HTTP API authorizer caches only on identity sources
 * that every request carries. `mfa` takes the short-lived token from login.
 */
export type AuthKind = 'public' | 'bearer' | 'apikey' | 'bearer-or-apikey' | 'mfa';

/** What the route's function may touch. CDK turns each into exactly one environment variable + grant. */
export interface RouteAccess {
  /** Table access: `read` grants read-only data actions, `write` read and write. */
  table?: 'read' | 'write';
  /** May send SMS through SNS. */
  sms?: boolean;
  /** May unwrap (and on first use create) the token-signing private key. */
  signingKey?: boolean;
  /** May unwrap the data key that encrypts TOTP secrets. */
  encryptionKey?: boolean;
}

export interface RouteDefinition<
  B extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  P extends z.ZodType = z.ZodType,
> {
  /** Stable id: names the CDK construct and the OpenAPI operationId. Never rename. */
  id: string;
  method: HttpMethod;
  /** API Gateway path with `{param}` placeholders. */
  path: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  handler: string;
  auth: AuthKind;
  summary: string;
  request: { body?: B; query?: Q; params?: P };
  response: { status: number; body?: z.ZodType };
  access: RouteAccess;
  /** Lambda memory in MB. @default 256 */
  memoryMb?: number;
}

const route = <B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(
  definition: RouteDefinition<B, Q, P>,
): RouteDefinition<B, Q, P> => definition;

// scrypt at N=2^17, r=8 needs 128 MiB per hash; 1 GB buys the CPU share that keeps it near 100 ms.
const PASSWORD_HASHING_MEMORY_MB = 1024;

export const routes = {
  signup: route({
    id: 'signup',
    method: 'POST',
    path: '/v2/signup',
    handler: 'functions/sessions/sign-up.ts',
    auth: 'public',
    summary: 'Create an account and its owner; answers with a session.',
    request: { body: SignupBody },
    response: { status: 201, body: SignupResponse },
    access: { table: 'write', signingKey: true },
    memoryMb: PASSWORD_HASHING_MEMORY_MB,
  }),
  login: route({
    id: 'login',
    method: 'POST',
    path: '/v2/auth/login',
    handler: 'functions/sessions/log-in.ts',
    auth: 'public',
    summary: 'Sign an operator in with email and password.',
    request: { body: LoginBody },
    response: { status: 200, body: TokenPair },
    access: { table: 'write', signingKey: true },
    memoryMb: PASSWORD_HASHING_MEMORY_MB,
  }),
  refresh: route({
    id: 'refresh',
    method: 'POST',
    path: '/v2/auth/refresh',
    handler: 'functions/sessions/refresh-session.ts',
    auth: 'public',
    summary: 'Rotate a refresh token; reuse of a spent one revokes its whole family.',
    request: { body: RefreshBody },
    response: { status: 200, body: TokenPair },
    access: { table: 'write', signingKey: true },
  }),
  logout: route({
    id: 'logout',
    method: 'POST',
    path: '/v2/auth/logout',
    handler: 'functions/sessions/log-out.ts',
    auth: 'public',
    summary: 'Revoke the refresh token and every token rotated from the same login.',
    request: { body: LogoutBody },
    response: { status: 204 },
    access: { table: 'write' },
  }),
  getMe: route({
    id: 'getMe',
    method: 'GET',
    path: '/v2/me',
    handler: 'functions/me/get-me.ts',
    auth: 'bearer',
    summary: 'The signed-in operator: profile, memberships, MFA status.',
    request: {},
    response: { status: 200, body: MeResponse },
    access: { table: 'read' },
  }),
  getJwks: route({
    id: 'getJwks',
    method: 'GET',
    path: '/v2/.well-known/jwks.json',
    handler: 'functions/keys/get-jwks.ts',
    auth: 'public',
    summary: 'Public keys (ES256) that verify every token Portcullis issues.',
    request: {},
    response: { status: 200, body: Jwks },
    access: { table: 'read' },
  }),

  // ---- Accounts, organizations, groups (issue 4) ------------------------------------------------
  getAccount: route({
    id: 'getAccount',
    method: 'GET',
    path: '/v2/accounts/{accountId}',
    handler: 'functions/accounts/get-account.ts',
    auth: 'bearer',
    summary: 'The account profile and settings; `billingContact` is shown to owners only.',
    request: { params: AccountParams },
    response: { status: 200, body: AccountResponse },
    access: { table: 'read' },
  }),
  updateAccount: route({
    id: 'updateAccount',
    method: 'PATCH',
    path: '/v2/accounts/{accountId}',
    handler: 'functions/accounts/update-account.ts',
    auth: 'bearer',
    summary: 'Change the account name, settings (owner) or billing contact (owner); only the fields sent change.',
    request: { params: AccountParams, body: UpdateAccountBody },
    response: { status: 200, body: AccountResponse },
    access: { table: 'write' },
  }),
  createOrganization: route({
    id: 'createOrganization',
    method: 'POST',
    path: '/v2/accounts/{accountId}/organizations',
    handler: 'functions/organizations/create-organization.ts',
    auth: 'bearer',
    summary: 'Create an organization (owner).',
    request: { params: AccountParams, body: CreateOrganizationBody },
    response: { status: 201, body: OrganizationResponse },
    access: { table: 'write' },
  }),
  listOrganizations: route({
    id: 'listOrganizations',
    method: 'GET',
    path: '/v2/accounts/{accountId}/organizations',
    handler: 'functions/organizations/list-organizations.ts',
    auth: 'bearer',
    summary: 'The organizations the caller reaches, oldest first.',
    request: { params: AccountParams, query: ListQuery },
    response: { status: 200, body: OrganizationList },
    access: { table: 'read' },
  }),
  getOrganization: route({
    id: 'getOrganization',
    method: 'GET',
    path: '/v2/organizations/{orgId}',
    handler: 'functions/organizations/get-organization.ts',
    auth: 'bearer-or-apikey',
    summary: 'An organization and its settings (members in scope, `manage` keys reaching it).',
    request: { params: OrganizationParams },
    response: { status: 200, body: OrganizationResponse },
    // Write although it only reads: verifying an `apikey` here records the key's `lastUsedAt`.
    access: { table: 'write' },
  }),
  updateOrganization: route({
    id: 'updateOrganization',
    method: 'PATCH',
    path: '/v2/organizations/{orgId}',
    handler: 'functions/organizations/update-organization.ts',
    auth: 'bearer-or-apikey',
    summary: 'Change the name or settings of an organization; only the fields sent change.',
    request: { params: OrganizationParams, body: UpdateOrganizationBody },
    response: { status: 200, body: OrganizationResponse },
    access: { table: 'write' },
  }),
  deleteOrganization: route({
    id: 'deleteOrganization',
    method: 'DELETE',
    path: '/v2/organizations/{orgId}',
    handler: 'functions/organizations/delete-organization.ts',
    auth: 'bearer-or-apikey',
    summary: 'Delete an organization (owner): tombstoned, removed from its groups, unreachable at once.',
    request: { params: OrganizationParams },
    response: { status: 204 },
    access: { table: 'write' },
  }),
  createGroup: route({
    id: 'createGroup',
    method: 'POST',
    path: '/v2/accounts/{accountId}/groups',
    handler: 'functions/groups/create-group.ts',
    auth: 'bearer',
    summary: 'Create a group of organizations of the account (owner).',
    request: { params: AccountParams, body: CreateGroupBody },
    response: { status: 201, body: GroupResponse },
    access: { table: 'write' },
  }),
  listGroups: route({
    id: 'listGroups',
    method: 'GET',
    path: '/v2/accounts/{accountId}/groups',
    handler: 'functions/groups/list-groups.ts',
    auth: 'bearer',
    summary: 'The groups of the account.',
    request: { params: AccountParams, query: ListQuery },
    response: { status: 200, body: GroupList },
    access: { table: 'read' },
  }),
  getGroup: route({
    id: 'getGroup',
    method: 'GET',
    path: '/v2/accounts/{accountId}/groups/{groupId}',
    handler: 'functions/groups/get-group.ts',
    auth: 'bearer',
    summary: 'A group and its organizations.',
    request: { params: GroupParams },
    response: { status: 200, body: GroupResponse },
    access: { table: 'read' },
  }),
  updateGroup: route({
    id: 'updateGroup',
    method: 'PATCH',
    path: '/v2/accounts/{accountId}/groups/{groupId}',
    handler: 'functions/groups/update-group.ts',
    auth: 'bearer',
    summary: 'Rename a group or replace its organizations (owner); scoped members see the change at once.',
    request: { params: GroupParams, body: UpdateGroupBody },
    response: { status: 200, body: GroupResponse },
    access: { table: 'write' },
  }),
  deleteGroup: route({
    id: 'deleteGroup',
    method: 'DELETE',
    path: '/v2/accounts/{accountId}/groups/{groupId}',
    handler: 'functions/groups/delete-group.ts',
    auth: 'bearer',
    summary: 'Delete a group (owner); members scoped to it lose its organizations.',
    request: { params: GroupParams },
    response: { status: 204 },
    access: { table: 'write' },
  }),

  // ---- Access keys and the audit log (issue 4) -------------------------------------------------
  createAccessKey: route({
    id: 'createAccessKey',
    method: 'POST',
    path: '/v2/accounts/{accountId}/keys',
    handler: 'functions/access-keys/create-access-key.ts',
    auth: 'bearer',
    summary: 'Create an access key (owner); the answer carries the secret `key`, shown this once.',
    request: { body: CreateKeyBody, params: KeysParams },
    response: { status: 201, body: CreatedApiKey },
    access: { table: 'write' },
  }),
  listAccessKeys: route({
    id: 'listAccessKeys',
    method: 'GET',
    path: '/v2/accounts/{accountId}/keys',
    handler: 'functions/access-keys/list-access-keys.ts',
    auth: 'bearer',
    summary: 'The access keys of the account (owner), oldest first, revoked ones included; never a secret.',
    request: { query: ListKeysQuery, params: KeysParams },
    response: { status: 200, body: ApiKeyList },
    access: { table: 'read' },
  }),
  revokeAccessKey: route({
    id: 'revokeAccessKey',
    method: 'DELETE',
    path: '/v2/accounts/{accountId}/keys/{keyId}',
    handler: 'functions/access-keys/revoke-access-key.ts',
    auth: 'bearer',
    summary: 'Revoke an access key (owner); refused everywhere within 60 s.',
    request: { params: KeyParams },
    response: { status: 204 },
    access: { table: 'write' },
  }),
  listEvents: route({
    id: 'listEvents',
    method: 'GET',
    path: '/v2/accounts/{accountId}/events',
    handler: 'functions/events/list-events.ts',
    auth: 'bearer',
    summary: 'The audit log, newest first, filtered by organization, type and time; scoped members see only their organizations.',
    request: { query: ListEventsQuery, params: EventsParams },
    response: { status: 200, body: AuditEventList },
    access: { table: 'read' },
  }),

  // ---- Members and invitations (issue 4) ---------------------------------------------------------
  listMembers: route({
    id: 'listMembers',
    method: 'GET',
    path: '/v2/accounts/{accountId}/members',
    handler: 'functions/members/list-members.ts',
    auth: 'bearer',
    summary: 'The members of the account (any member may read), in user-id order.',
    request: { params: MembersParams, query: ListMembersQuery },
    response: { status: 200, body: MemberPage },
    access: { table: 'read' },
  }),
  updateMember: route({
    id: 'updateMember',
    method: 'PATCH',
    path: '/v2/accounts/{accountId}/members/{userId}',
    handler: 'functions/members/update-member.ts',
    auth: 'bearer',
    summary: "Change a member's role and/or scope (owner). The last owner cannot be demoted (409 `last_owner`).",
    request: { params: MemberParams, body: UpdateMemberBody },
    response: { status: 200, body: Member },
    access: { table: 'write' },
  }),
  removeMember: route({
    id: 'removeMember',
    method: 'DELETE',
    path: '/v2/accounts/{accountId}/members/{userId}',
    handler: 'functions/members/remove-member.ts',
    auth: 'bearer',
    summary: 'Remove a member from the account (owner). The last owner cannot be removed (409 `last_owner`).',
    request: { params: MemberParams },
    response: { status: 204 },
    access: { table: 'write' },
  }),
  createInvitation: route({
    id: 'createInvitation',
    method: 'POST',
    path: '/v2/accounts/{accountId}/invitations',
    handler: 'functions/invitations/create-invitation.ts',
    auth: 'bearer',
    summary: 'Invite an email with a role and scope (owner). The token is in this answer only; it expires in 7 days.',
    request: { params: InvitationsParams, body: CreateInvitationBody },
    response: { status: 201, body: CreatedInvitation },
    access: { table: 'write' },
  }),
  listInvitations: route({
    id: 'listInvitations',
    method: 'GET',
    path: '/v2/accounts/{accountId}/invitations',
    handler: 'functions/invitations/list-invitations.ts',
    auth: 'bearer',
    summary: 'Pending (unaccepted, unexpired) invitations of the account (owner); never their tokens.',
    request: { params: InvitationsParams, query: ListInvitationsQuery },
    response: { status: 200, body: InvitationPage },
    access: { table: 'read' },
  }),
  revokeInvitation: route({
    id: 'revokeInvitation',
    method: 'DELETE',
    path: '/v2/accounts/{accountId}/invitations/{invitationId}',
    handler: 'functions/invitations/revoke-invitation.ts',
    auth: 'bearer',
    summary: 'Revoke a pending invitation (owner); its token then answers 404.',
    request: { params: InvitationParams },
    response: { status: 204 },
    access: { table: 'write' },
  }),
  acceptInvitation: route({
    id: 'acceptInvitation',
    method: 'POST',
    path: '/v2/invitations/accept',
    handler: 'functions/invitations/accept-invitation.ts',
    auth: 'public',
    summary:
      'Accept an invitation with its token: a new person sets `password`; an operator who already has the invited email gives their current `password`. Answers a session.',
    request: { body: AcceptInvitationBody },
    response: { status: 200, body: AcceptedInvitation },
    access: { table: 'write', signingKey: true },
    memoryMb: PASSWORD_HASHING_MEMORY_MB,
  }),
} as const;

export type RouteId = keyof typeof routes;

/** The manifest as a list, in declaration order. */
export const manifest: readonly RouteDefinition[] = Object.values(routes);

export interface AuthorizerDefinition {
  /** Stable id: names the CDK construct. */
  id: string;
  handler: string;
  /** The header API Gateway passes to the authorizer and caches on. */
  identityHeader: string;
  cacheTtlSeconds: number;
  access: RouteAccess;
}

/** Lambda authorizers, one per auth kind that API Gateway checks before the route. */
export const authorizers: Record<'bearer' | 'apikey', AuthorizerDefinition> = {
  bearer: {
    id: 'bearerAuthorizer',
    handler: 'functions/authorizers/bearer-authorizer.ts',
    identityHeader: 'authorization',
    /** Result cache; tokens live 15 min, so 60 s keeps a revoked key or expired token short-lived. */
    cacheTtlSeconds: 60,
    access: { table: 'read' },
  },
  apikey: {
    id: 'apikeyAuthorizer',
    handler: 'functions/authorizers/apikey-authorizer.ts',
    identityHeader: 'apikey',
    /** Revocation takes effect when the cached answer expires: at most 60 s. */
    cacheTtlSeconds: 60,
    // Write: it records `lastUsedAt`, at most once a minute per key.
    access: { table: 'write' },
  },
};
