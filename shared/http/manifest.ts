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
import { CompleteAuthenticationBody, CompletedChallenge, StartAuthenticationBody, StartedChallenge } from '../schemas/authentication.ts';
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

import {
  ConfirmTotpBody,
  ConfirmTotpResponse,
  DisableTotpBody,
  EnrollmentLinkResponse,
  EnrollmentPageBody,
  EnrollmentPageParams,
  EndUserTotpParams,
  LoginResponse,
  MemberMfaParams,
  MfaLoginBody,
  RecoveryCodesResponse,
  RegenerateRecoveryCodesBody,
  StartTotpBody,
  TotpEnrollmentResponse,
} from '../schemas/mfa.ts';
import {
  AccessGrantResponse,
  AccessList,
  AccessParams,
  CreateEndUserBody,
  CreateSystemBody,
  EndUserList,
  EndUserParams,
  EndUserResponse,
  EndUsersParams,
  ListAccessQuery,
  ListEndUsersQuery,
  ListSystemsQuery,
  SystemList,
  SystemParams,
  SystemResponse,
  SystemsParams,
  UpdateEndUserBody,
  UpdateSystemBody,
} from '../schemas/directory.ts';
import { DOCS_ASSETS, DocsAssetParams, OpenApiDocument } from '../schemas/docs.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * How a route authenticates. `bearer` routes sit behind the bearer Lambda authorizer and `apikey`
 * routes behind the apikey authorizer (both cached 60 s by API Gateway). `bearer-or-apikey` routes
 * (organization-level management, which operators and `manage` keys share) verify whichever header
 * is present in the function itself, because an HTTP API authorizer caches only on identity sources
 * that every request carries. `mfa` takes the short-lived token from login. `public-or-bearer` is
 * public, but an `Authorization: Bearer` access token, when sent, is verified in the function and
 * names the caller (accepting an invitation: a new person needs none, an existing operator must send it).
 */
export type AuthKind = 'public' | 'bearer' | 'apikey' | 'bearer-or-apikey' | 'mfa' | 'public-or-bearer';

/** What the route's function may touch. CDK turns each into exactly one environment variable + grant. */
export interface RouteAccess {
  /** Table access: `read` grants read-only data actions, `write` read and write. */
  table?: 'read' | 'write';
  /** May send SMS through SNS. */
  sms?: boolean;
  /** May unwrap (and on first use create) the token-signing private key. */
  signingKey?: boolean;
  /**
   * The data keys (under the data KMS key) the function may unwrap, by purpose: the KMS grant is
   * conditioned on the encryption context naming one of them, so a function that may unwrap TOTP
   * secrets cannot unwrap the PIN HMAC key. Never empty.
   */
  encryptionKey?: readonly DataKeyPurpose[];
  /**
   * Creates and rotates the keyrings: may read and put keyring items (and no other item of the
   * table) and generate data keys under both KMS keys, for their purposes only. Every other function
   * is denied writes to keyring items. Only the key function has it; exclusive with the others.
   */
  writesKeyrings?: boolean;
}

/**
 * What a data key under the data KMS key is for: its keyring purpose and its KMS encryption context
 * (`purpose`). Literals here, the same strings as `TOTP_SECRETS_PURPOSE` and `PIN_HMAC_PURPOSE` of
 * the domain (a test keeps them equal): the handlers import this module, and the domain's would
 * bring jose and otplib into every bundle.
 */
export type DataKeyPurpose = 'totp-secrets' | 'pin-hmac';

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
  /** `bodyMediaTypes`: what the body may be sent as. @default ['application/json'] */
  request: { body?: B; query?: Q; params?: P; bodyMediaTypes?: string[] };
  /**
   * `mediaTypes`: what the success answer may be (chosen by `Accept` where several); non-JSON ones
   * are plain strings. @default ['application/json']
   */
  response: { status: number; body?: z.ZodType; mediaTypes?: string[] };
  /**
   * The answer can carry operator tokens (`accessToken`/`refreshToken`). Such a route's function gets
   * them from `OperatorSessions.admit` (or `refresh`) only, behind the session gate (SPEC §6). Must
   * be set exactly where the response schema carries tokens: test/unit/session-gate.test.ts walks the
   * schemas, and test/e2e/session-gate.test.ts attacks every route that sets it. @default false
   */
  issuesOperatorSession?: true;
  access: RouteAccess;
  /** Lambda memory in MB. @default 256 */
  memoryMb?: number;
  /**
   * Files from node_modules (module specifiers) the function reads at run time: CDK copies each next to
   * the bundle's index.mjs, the local server reads them from node_modules. @default - none
   */
  bundleFiles?: readonly string[];
}

// The auth kind stays a literal: defineHandler requires a credential resolver exactly where it is used.
const route = <B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType, A extends AuthKind>(
  definition: RouteDefinition<B, Q, P> & { auth: A },
): RouteDefinition<B, Q, P> & { auth: A } => definition;

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
    issuesOperatorSession: true,
    access: { table: 'write', signingKey: true },
    memoryMb: PASSWORD_HASHING_MEMORY_MB,
  }),
  login: route({
    id: 'login',
    method: 'POST',
    path: '/v2/auth/login',
    handler: 'functions/sessions/log-in.ts',
    auth: 'public',
    summary: 'Sign an operator in with email and password; with 2FA on (or required) the answer is `mfaRequired` (or `mfaEnrollmentRequired`) and a 5-minute `mfaToken`.',
    request: { body: LoginBody },
    response: { status: 200, body: LoginResponse },
    issuesOperatorSession: true,
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
    issuesOperatorSession: true,
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
    summary:
      "Public keys (ES256) that verify every token Portcullis issues: operator tokens (`iss` = the deployment's issuer) and every organization's end-user tokens (`iss` = `{apiBase}/v2/organizations/{orgId}`, whose own JWKS lists the same keys).",
    request: {},
    response: { status: 200, body: Jwks },
    access: { table: 'read' },
  }),
  getOrganizationJwks: route({
    id: 'getOrganizationJwks',
    method: 'GET',
    path: '/v2/organizations/{orgId}/.well-known/jwks.json',
    handler: 'functions/keys/get-organization-jwks.ts',
    auth: 'public',
    summary:
      "The organization's issuer keys: its end-user tokens carry `iss` = `{apiBase}/v2/organizations/{orgId}` and verify with the keys at `{iss}/.well-known/jwks.json` (public keys only, the same as the deployment's JWKS).",
    request: { params: OrganizationParams },
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
    auth: 'public-or-bearer',
    summary:
      'Accept an invitation with its token. A new person sets `password` and gets what login gives (tokens, or `mfaEnrollmentRequired` and an `mfaToken` when `requireMfa` covers them). An operator who already has the invited email accepts signed in (`Authorization: Bearer`, with the second factor when they have one) and gets `{accountId, joined: true}`, no tokens; a password alone never accepts for them.',
    request: { body: AcceptInvitationBody },
    response: { status: 200, body: AcceptedInvitation },
    issuesOperatorSession: true,
    access: { table: 'write', signingKey: true },
    memoryMb: PASSWORD_HASHING_MEMORY_MB,
  }),

  // ---- Two-factor authentication (issue 6) -------------------------------------------------------
  completeMfaLogin: route({
    id: 'completeMfaLogin',
    method: 'POST',
    path: '/v2/auth/mfa',
    handler: 'functions/mfa/complete-mfa-login.ts',
    auth: 'public',
    summary: "Login's second step: the `mfaToken` from login with a TOTP `code` or a `recoveryCode`; answers tokens.",
    request: { body: MfaLoginBody },
    response: { status: 200, body: TokenPair },
    issuesOperatorSession: true,
    access: { table: 'write', signingKey: true, encryptionKey: ['totp-secrets'] },
  }),
  startOperatorTotp: route({
    id: 'startOperatorTotp',
    method: 'POST',
    path: '/v2/me/mfa/totp',
    handler: 'functions/mfa/start-operator-totp.ts',
    auth: 'mfa',
    summary:
      'Start TOTP enrolment (access token + `password`, or the enrolment `mfaToken` from login): a pending secret, its otpauth URI and QR code (SVG).',
    request: { body: StartTotpBody },
    response: { status: 200, body: TotpEnrollmentResponse },
    access: { table: 'write', encryptionKey: ['totp-secrets'] },
    memoryMb: PASSWORD_HASHING_MEMORY_MB,
  }),
  confirmOperatorTotp: route({
    id: 'confirmOperatorTotp',
    method: 'POST',
    path: '/v2/me/mfa/totp/confirm',
    handler: 'functions/mfa/confirm-operator-totp.ts',
    auth: 'mfa',
    summary:
      'Confirm enrolment with a code: 10 new recovery codes (old ones void), shown once; `Accept: text/plain` downloads them. With the enrolment mfaToken the answer also carries tokens.',
    request: { body: ConfirmTotpBody },
    response: { status: 200, body: ConfirmTotpResponse, mediaTypes: ['application/json', 'text/plain'] },
    issuesOperatorSession: true,
    access: { table: 'write', signingKey: true, encryptionKey: ['totp-secrets'] },
  }),
  regenerateRecoveryCodes: route({
    id: 'regenerateRecoveryCodes',
    method: 'POST',
    path: '/v2/me/mfa/recovery-codes',
    handler: 'functions/mfa/regenerate-recovery-codes.ts',
    auth: 'bearer',
    summary: 'A new set of recovery codes after a current TOTP `code`; the old set is void. `Accept: text/plain` downloads them.',
    request: { body: RegenerateRecoveryCodesBody },
    response: { status: 200, body: RecoveryCodesResponse, mediaTypes: ['application/json', 'text/plain'] },
    access: { table: 'write', encryptionKey: ['totp-secrets'] },
  }),
  disableOperatorTotp: route({
    id: 'disableOperatorTotp',
    method: 'DELETE',
    path: '/v2/me/mfa/totp',
    handler: 'functions/mfa/disable-operator-totp.ts',
    auth: 'bearer',
    summary: 'Turn TOTP off (and void the recovery codes) with a current `code` or the `password`.',
    request: { body: DisableTotpBody },
    response: { status: 204 },
    access: { table: 'write', encryptionKey: ['totp-secrets'] },
    memoryMb: PASSWORD_HASHING_MEMORY_MB,
  }),
  resetMemberMfa: route({
    id: 'resetMemberMfa',
    method: 'POST',
    path: '/v2/accounts/{accountId}/members/{userId}/mfa/reset',
    handler: 'functions/mfa/reset-member-mfa.ts',
    auth: 'bearer',
    summary: "Remove a member's TOTP and recovery codes (owner), e.g. after a lost phone; they enrol again where required.",
    request: { params: MemberMfaParams },
    response: { status: 204 },
    access: { table: 'write' },
  }),
  createMfaEnrollmentLink: route({
    id: 'createMfaEnrollmentLink',
    method: 'POST',
    path: '/v2/accounts/{accountId}/members/{userId}/mfa/enrollment',
    handler: 'functions/mfa/create-enrollment-link.ts',
    auth: 'bearer',
    summary: 'A one-time enrolment link (24 h) for a member (owner): a page with the QR code, the secret and a code form.',
    request: { params: MemberMfaParams },
    response: { status: 201, body: EnrollmentLinkResponse },
    access: { table: 'write' },
  }),
  showMfaEnrollmentPage: route({
    id: 'showMfaEnrollmentPage',
    method: 'GET',
    path: '/v2/mfa/enroll/{token}',
    handler: 'functions/mfa/show-enrollment-page.ts',
    auth: 'public',
    summary:
      "The enrolment page of a link (HTML, no scripts or external assets): it asks the member's password first. Opening it writes nothing (link scanners open links too).",
    request: { params: EnrollmentPageParams },
    response: { status: 200, mediaTypes: ['text/html'] },
    access: { table: 'write', encryptionKey: ['totp-secrets'] },
  }),
  submitMfaEnrollmentPage: route({
    id: 'submitMfaEnrollmentPage',
    method: 'POST',
    path: '/v2/mfa/enroll/{token}',
    handler: 'functions/mfa/submit-enrollment-page.ts',
    auth: 'public',
    summary:
      "The enrolment page's forms: the member's `password` (throttled like a login) shows the QR code, the secret in groups of four and the code form; the `code` with the page's `step` token confirms, spends the link and shows the recovery codes once (HTML).",
    request: { params: EnrollmentPageParams, body: EnrollmentPageBody, bodyMediaTypes: ['application/x-www-form-urlencoded'] },
    response: { status: 200, mediaTypes: ['text/html'] },
    access: { table: 'write', encryptionKey: ['totp-secrets'] },
  }),
  // ---- Sign-in directory: systems, end users, access grants (issue 5) -----------------------------
  // Write table access on reads too: verifying an `apikey` records the key's `lastUsedAt`.
  createSystem: route({
    id: 'createSystem',
    method: 'POST',
    path: '/v2/organizations/{orgId}/systems',
    handler: 'functions/systems/create-system.ts',
    auth: 'bearer-or-apikey',
    summary: 'Create a system with its sign-in policy (SPEC §5); the name is unique in the organization (409 `system_exists`) and becomes the token `aud`.',
    request: { params: SystemsParams, body: CreateSystemBody },
    response: { status: 201, body: SystemResponse },
    access: { table: 'write' },
  }),
  listSystems: route({
    id: 'listSystems',
    method: 'GET',
    path: '/v2/organizations/{orgId}/systems',
    handler: 'functions/systems/list-systems.ts',
    auth: 'bearer-or-apikey',
    summary: 'The systems of the organization, in name order.',
    request: { params: SystemsParams, query: ListSystemsQuery },
    response: { status: 200, body: SystemList },
    access: { table: 'write' },
  }),
  getSystem: route({
    id: 'getSystem',
    method: 'GET',
    path: '/v2/organizations/{orgId}/systems/{systemName}',
    handler: 'functions/systems/get-system.ts',
    auth: 'bearer-or-apikey',
    summary: 'A system and its policy.',
    request: { params: SystemParams },
    response: { status: 200, body: SystemResponse },
    access: { table: 'write' },
  }),
  updateSystem: route({
    id: 'updateSystem',
    method: 'PATCH',
    path: '/v2/organizations/{orgId}/systems/{systemName}',
    handler: 'functions/systems/update-system.ts',
    auth: 'bearer-or-apikey',
    summary: 'Replace the policy and/or set or clear (`null`) the `passwordlessUrl`; the name is immutable.',
    request: { params: SystemParams, body: UpdateSystemBody },
    response: { status: 200, body: SystemResponse },
    access: { table: 'write' },
  }),
  deleteSystem: route({
    id: 'deleteSystem',
    method: 'DELETE',
    path: '/v2/organizations/{orgId}/systems/{systemName}',
    handler: 'functions/systems/delete-system.ts',
    auth: 'bearer-or-apikey',
    summary: 'Delete a system and every access grant to it.',
    request: { params: SystemParams },
    response: { status: 204 },
    access: { table: 'write' },
  }),
  createEndUser: route({
    id: 'createEndUser',
    method: 'POST',
    path: '/v2/organizations/{orgId}/users',
    handler: 'functions/users/create-end-user.ts',
    auth: 'bearer-or-apikey',
    summary: 'Create an end user; the email is unique in the organization, case-insensitively (409 `email_taken`); the phone is stored as E.164.',
    request: { params: EndUsersParams, body: CreateEndUserBody },
    response: { status: 201, body: EndUserResponse },
    access: { table: 'write' },
  }),
  listEndUsers: route({
    id: 'listEndUsers',
    method: 'GET',
    path: '/v2/organizations/{orgId}/users',
    handler: 'functions/users/list-end-users.ts',
    auth: 'bearer-or-apikey',
    summary: 'The end users of the organization, oldest first; `?email=` finds one by email (case-insensitive).',
    request: { params: EndUsersParams, query: ListEndUsersQuery },
    response: { status: 200, body: EndUserList },
    access: { table: 'write' },
  }),
  getEndUser: route({
    id: 'getEndUser',
    method: 'GET',
    path: '/v2/organizations/{orgId}/users/{userId}',
    handler: 'functions/users/get-end-user.ts',
    auth: 'bearer-or-apikey',
    summary: 'An end user.',
    request: { params: EndUserParams },
    response: { status: 200, body: EndUserResponse },
    access: { table: 'write' },
  }),
  updateEndUser: route({
    id: 'updateEndUser',
    method: 'PATCH',
    path: '/v2/organizations/{orgId}/users/{userId}',
    handler: 'functions/users/update-end-user.ts',
    auth: 'bearer-or-apikey',
    summary: 'Change email, phone, name (`null` clears) or status (active|disabled); only the fields sent change.',
    request: { params: EndUserParams, body: UpdateEndUserBody },
    response: { status: 200, body: EndUserResponse },
    access: { table: 'write' },
  }),
  deleteEndUser: route({
    id: 'deleteEndUser',
    method: 'DELETE',
    path: '/v2/organizations/{orgId}/users/{userId}',
    handler: 'functions/users/delete-end-user.ts',
    auth: 'bearer-or-apikey',
    summary: 'Delete an end user with its email reservation and every access grant it holds.',
    request: { params: EndUserParams },
    response: { status: 204 },
    access: { table: 'write' },
  }),
  grantAccess: route({
    id: 'grantAccess',
    method: 'PUT',
    path: '/v2/organizations/{orgId}/systems/{systemName}/access/{userId}',
    handler: 'functions/access/grant-access.ts',
    auth: 'bearer-or-apikey',
    summary: 'Let an end user sign in to a system. Idempotent: 201 with the new grant, 200 with the grant that already existed.',
    request: { params: AccessParams },
    response: { status: 201, body: AccessGrantResponse },
    access: { table: 'write' },
  }),
  revokeAccess: route({
    id: 'revokeAccess',
    method: 'DELETE',
    path: '/v2/organizations/{orgId}/systems/{systemName}/access/{userId}',
    handler: 'functions/access/revoke-access.ts',
    auth: 'bearer-or-apikey',
    summary: 'Take an end user’s access to a system away (404 when there was none).',
    request: { params: AccessParams },
    response: { status: 204 },
    access: { table: 'write' },
  }),
  listAccess: route({
    id: 'listAccess',
    method: 'GET',
    path: '/v2/organizations/{orgId}/systems/{systemName}/access',
    handler: 'functions/access/list-access.ts',
    auth: 'bearer-or-apikey',
    summary: 'The end users who may sign in to a system, in user-id order, with their emails.',
    request: { params: SystemParams, query: ListAccessQuery },
    response: { status: 200, body: AccessList },
    access: { table: 'write' },
  }),
  startEndUserTotp: route({
    id: 'startEndUserTotp',
    method: 'POST',
    path: '/v2/organizations/{orgId}/users/{userId}/totp',
    handler: 'functions/mfa/start-user-totp.ts',
    auth: 'bearer-or-apikey',
    summary: "Start an end user's TOTP enrolment: a pending secret, its otpauth URI and QR code (SVG).",
    request: { params: EndUserTotpParams },
    response: { status: 200, body: TotpEnrollmentResponse },
    access: { table: 'write', encryptionKey: ['totp-secrets'] },
  }),
  confirmEndUserTotp: route({
    id: 'confirmEndUserTotp',
    method: 'POST',
    path: '/v2/organizations/{orgId}/users/{userId}/totp/confirm',
    handler: 'functions/mfa/confirm-user-totp.ts',
    auth: 'bearer-or-apikey',
    summary: "Confirm an end user's TOTP with a code: 10 recovery codes, shown once (`Accept: text/plain` downloads them).",
    request: { params: EndUserTotpParams, body: ConfirmTotpBody },
    response: { status: 200, body: RecoveryCodesResponse, mediaTypes: ['application/json', 'text/plain'] },
    access: { table: 'write', encryptionKey: ['totp-secrets'] },
  }),
  removeEndUserTotp: route({
    id: 'removeEndUserTotp',
    method: 'DELETE',
    path: '/v2/organizations/{orgId}/users/{userId}/totp',
    handler: 'functions/mfa/remove-user-totp.ts',
    auth: 'bearer-or-apikey',
    summary: "Remove an end user's TOTP and recovery codes.",
    request: { params: EndUserTotpParams },
    response: { status: 204 },
    access: { table: 'write' },
  }),

  // ---- Sign-in challenges (`authenticate` apikeys) ------------------------------------------------
  startAuthentication: route({
    id: 'startAuthentication',
    method: 'POST',
    path: '/v2/user/authenticate',
    handler: 'functions/authentication/start-authentication.ts',
    auth: 'apikey',
    summary:
      "Start an end user's sign-in: sends the PIN or magic link by SMS. Unknown, disabled or unauthorized users get the same 202 and no SMS.",
    request: { body: StartAuthenticationBody },
    response: { status: 202, body: StartedChallenge },
    // The PIN HMAC key is a data key under the data KMS key.
    access: { table: 'write', sms: true, encryptionKey: ['pin-hmac'] },
  }),
  completeAuthentication: route({
    id: 'completeAuthentication',
    method: 'POST',
    path: '/v2/system/authenticate/user',
    handler: 'functions/authentication/complete-authentication.ts',
    auth: 'apikey',
    summary: 'Complete one factor of a sign-in: a token when the chain is done, else the factors that remain.',
    request: { body: CompleteAuthenticationBody },
    response: { status: 200, body: CompletedChallenge },
    // Step-up may send a second SMS; TOTP secrets and the PIN HMAC key are data keys; tokens are signed.
    access: { table: 'write', sms: true, signingKey: true, encryptionKey: ['pin-hmac', 'totp-secrets'] },
  }),

  // API reference (the OpenAPI document and a page rendering it)
  getOpenApiDocument: route({
    id: 'getOpenApiDocument',
    method: 'GET',
    path: '/v2/openapi.json',
    handler: 'functions/docs/get-openapi-document.ts',
    auth: 'public',
    summary: 'This OpenAPI 3.1 document, generated from the route manifest and the schemas the handlers validate with.',
    request: {},
    response: { status: 200, body: OpenApiDocument },
    access: {},
  }),
  getDocsPage: route({
    id: 'getDocsPage',
    method: 'GET',
    path: '/v2/docs',
    handler: 'functions/docs/get-docs-page.ts',
    auth: 'public',
    summary: 'The API reference page (Swagger UI, served from this deployment) rendering `/v2/openapi.json`.',
    request: {},
    response: { status: 200, mediaTypes: ['text/html'] },
    access: {},
  }),
  getDocsAsset: route({
    id: 'getDocsAsset',
    method: 'GET',
    path: '/v2/docs/{asset}',
    handler: 'functions/docs/get-docs-asset.ts',
    auth: 'public',
    summary: 'A script or style sheet of the reference page, from a fixed list; gzip-encoded when the client accepts it.',
    request: { params: DocsAssetParams },
    response: { status: 200, mediaTypes: ['text/javascript', 'text/css'] },
    access: {},
    bundleFiles: Object.values(DOCS_ASSETS).map((asset) => asset.module),
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

/** A function no route invokes, with what it may touch. */
export interface JobDefinition {
  id: string;
  handler: string;
  access: RouteAccess;
}

/**
 * The key function: runs at each deployment (creates missing keyrings) and on the deployment's
 * schedule (also rotates the signing key). The one function that may write keyrings.
 */
export const keyFunction: JobDefinition = {
  id: 'rotateKeys',
  handler: 'functions/keys/rotate-keys.ts',
  access: { writesKeyrings: true },
};

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
