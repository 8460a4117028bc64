/** Tenancy: accounts, organizations, groups, members, invitations, access keys, the audit log. */
import { AccountRepository } from '../adapters/account-repository.ts';
import { ApiKeyRepository } from '../adapters/api-key-repository.ts';
import { auditEventPut } from '../adapters/audit-repository.ts';
import { InvitationRepository } from '../adapters/invitation-repository.ts';
import { MembershipRepository } from '../adapters/membership-repository.ts';
import { config } from '../config.ts';
import { AccessKeys } from '../domain/tenancy/access-keys.ts';
import { ApiKeyVerifier } from '../domain/tenancy/access-key-verifier.ts';
import { Accounts } from '../domain/tenancy/accounts.ts';
import { AuditLog } from '../domain/tenancy/audit-log.ts';
import { FirstOwner } from '../domain/tenancy/first-owner.ts';
import { Invitations } from '../domain/tenancy/invitations.ts';
import { Members } from '../domain/tenancy/members.ts';
import { MemberSessions } from '../domain/tenancy/member-sessions.ts';
import { Groups, Organizations } from '../domain/tenancy/organizations.ts';
import { documentClient, once, tableName } from './runtime.ts';
import { operatorSessions } from './sessions.ts';
import { accessControl, auditRepository, mailer, operatorStore, organizationRepository } from './shared.ts';

/** The account profile (name, billing contact, settings). */
export const accounts = /* @__PURE__ */ once(() => new Accounts(accessControl(), new AccountRepository(documentClient(), tableName())));

/** Organizations and groups: each change commits in one transaction with its audit event. */
export const organizations = /* @__PURE__ */ once(() => new Organizations(accessControl(), organizationRepository(), config().limits));
export const groups = /* @__PURE__ */ once(() => new Groups(accessControl(), organizationRepository()));

export const apiKeyRepository = /* @__PURE__ */ once(() => new ApiKeyRepository(documentClient(), tableName()));

export const apiKeyVerifier = /* @__PURE__ */ once(() => new ApiKeyVerifier(apiKeyRepository()));

/** Access-key management: each change commits in one transaction with its audit event. */
export const accessKeys = /* @__PURE__ */ once(
  () =>
    new AccessKeys(
      {
        createApiKey: (key, event) => apiKeyRepository().createApiKey(key, [auditEventPut(tableName(), event)]),
        findApiKey: (keyId) => apiKeyRepository().findApiKey(keyId),
        listApiKeysOfAccount: (accountId, limit, startKey) => apiKeyRepository().listApiKeysOfAccount(accountId, limit, startKey),
        revokeApiKey: (accountId, keyId, at, event) => apiKeyRepository().revokeApiKey(accountId, keyId, at, [auditEventPut(tableName(), event)]),
        findOrganization: (orgId) => organizationRepository().findOrganization(orgId),
      },
      accessControl(),
    ),
);

/** Reading the audit log, scoped to what the reader reaches. */
export const auditLog = /* @__PURE__ */ once(
  () =>
    new AuditLog(
      {
        listEvents: (query) => auditRepository().listEvents(query),
        findOrganization: (orgId) => organizationRepository().findOrganization(orgId),
      },
      accessControl(),
    ),
);

/** Members of an account; scope ids are checked against the account's organizations and groups. */
export const members = /* @__PURE__ */ once(() => new Members(new MembershipRepository(documentClient(), tableName()), organizationRepository()));

const invitationRepository = /* @__PURE__ */ once(() => new InvitationRepository(documentClient(), tableName(), operatorStore()));

/** Invitations, e-mailed to the invitee; a new person's accept is a sign-in through the session gate, an existing operator's needs their session. */
export const invitations = /* @__PURE__ */ once(
  () =>
    new Invitations(
      invitationRepository(),
      operatorStore(),
      organizationRepository(),
      operatorSessions(),
      { mailer: mailer(), consoleUrl: config().consoleUrl },
    ),
);

/** An owner ends a member's sessions; audited. */
export const memberSessions = /* @__PURE__ */ once(() => new MemberSessions(accessControl(), operatorStore(), operatorSessions(), auditRepository()));

/** The first-owner command (scripts/create-first-owner.ts): an account and its owner invitation, e-mailed. */
export const firstOwner = /* @__PURE__ */ once(() => new FirstOwner(invitationRepository(), { mailer: mailer(), consoleUrl: config().consoleUrl }));
