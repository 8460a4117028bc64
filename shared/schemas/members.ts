/**
 * Schemas of members and invitations: request validation and, through the manifest, the OpenAPI
 * document.
 */
import { pageQuery } from '../http/pagination.ts';
import { AnyPassword, Email, body, described, uniqueItems } from './common.ts';
import { TokenPair } from './sessions.ts';
import * as z from './zod.ts';

/** Ids as the API hands them out (`acc_…`, `usr_…`, `inv_…`): bounded, URL-safe, nothing else. */
const Id = z.string({ error: 'must be a string' }).check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'is not a valid id' }));

export const Role = z.enum(['owner', 'manager', 'viewer'], { error: 'must be "owner", "manager" or "viewer"' });

/** Lists report each duplicate by its index (`body.scope.groups.2: is listed twice`). */
const distinctIds = z.array(Id, { error: 'must be a list of ids' }).check(z.maxLength(100, { error: 'must list at most 100 ids' }), uniqueItems);

/**
 * `"all"`, or the organizations and groups a member reaches (a group's organizations count at request
 * time). Whether each id is an active organization / a group of the same account is checked in the
 * domain, which names the offending entry.
 */
export const Scope = z.union(
  [
    z.literal('all'),
    z.strictObject({ organizations: z._default(distinctIds, []), groups: z._default(distinctIds, []) }).check(
      z.refine((scope: { organizations: string[]; groups: string[] }) => scope.organizations.length + scope.groups.length > 0, {
        error: 'must name at least one organization or group (or be "all")',
      }),
    ),
  ],
  { error: 'must be "all" or {organizations: [orgId…], groups: [groupId…]}' },
);

const ScopeOut = z.union([z.literal('all'), z.object({ organizations: z.array(z.string()), groups: z.array(z.string()) })]);

// ---- Members -----------------------------------------------------------------------------------

export const MembersParams = z.object({ accountId: Id });
export const MemberParams = z.object({ accountId: Id, userId: Id });
export const ListMembersQuery = z.object({ ...pageQuery });

export const UpdateMemberBody = body({ role: z.optional(Role), scope: z.optional(Scope) }).check(
  z.refine((change: { role?: unknown; scope?: unknown }) => change.role !== undefined || change.scope !== undefined, {
    error: 'must set `role`, `scope` or both',
  }),
);

export const Member = z.object({
  userId: z.string(),
  email: z.string(),
  role: Role,
  scope: ScopeOut,
  createdAt: z.string(),
  mfa: described(z.object({ totp: z.boolean() }), 'The member\'s second factor: `totp` is true once an authenticator app is confirmed.'),
});

export const MemberPage = z.object({ items: z.array(Member), nextCursor: z.nullable(z.string()) });

// ---- Invitations -------------------------------------------------------------------------------

export const InvitationsParams = z.object({ accountId: Id });
export const InvitationParams = z.object({ accountId: Id, invitationId: Id });
export const ListInvitationsQuery = z.object({ ...pageQuery });

export const CreateInvitationBody = body({ email: Email, role: Role, scope: Scope });

export const Invitation = z.object({
  id: z.string(),
  email: z.string(),
  role: Role,
  scope: ScopeOut,
  status: z.literal('pending'),
  expiresAt: z.string(),
  createdAt: z.string(),
  createdBy: z.nullable(z.string()),
});

export const InvitationPage = z.object({ items: z.array(Invitation), nextCursor: z.nullable(z.string()) });

/** The create answer: the invitation, never its token (that goes to the invitee by e-mail only, SPEC §4). */
export const CreatedInvitation = Invitation;

/** Invitation tokens are `pci_` + 43 URL-safe characters; the bound only keeps garbage out of the hash. */
export const AcceptInvitationBody = body({
  token: z
    .string({ error: 'must be a string' })
    .check(z.minLength(1, { error: 'must not be empty' }), z.maxLength(200, { error: 'must be at most 200 characters' })),
  /** The new operator's password. An existing operator accepts with their access token instead; a password is not looked at. */
  password: z.optional(AnyPassword),
});

/**
 * A new person: what login gives (tokens, or `mfaEnrollmentRequired` and an `mfaToken` when
 * `requireMfa` covers them), with the account and the new user id. An existing operator: joined, no tokens.
 */
export const AcceptedInvitation = z.union([
  z.extend(TokenPair, { accountId: z.string(), userId: z.string() }),
  z.object({ accountId: z.string(), userId: z.string(), mfaEnrollmentRequired: z.literal(true), mfaToken: z.string() }),
  z.object({
    accountId: z.string(),
    userId: z.string(),
    mfaRequired: z.literal(true),
    mfaToken: z.string(),
    methods: z.tuple([z.literal('totp'), z.literal('recovery_code')]),
  }),
  z.object({ accountId: z.string(), joined: z.literal(true) }),
]);
