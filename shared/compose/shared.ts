/**
 * Repositories and the access decision that several areas read: operators (sessions, tenancy, mfa),
 * organizations and groups (tenancy, mfa, sign-in), the audit log (every area writes events). Kept
 * here so the area modules import downwards only and never each other in a cycle.
 */
import { AuditRepository } from '../adapters/audit-repository.ts';
import { OperatorRepository } from '../adapters/operator-repository.ts';
import { OrganizationRepository } from '../adapters/organization-repository.ts';
import { AccessControl } from '../domain/tenancy/actors.ts';
import { documentClient, once, tableName } from './runtime.ts';

export const operatorStore = /* @__PURE__ */ once(() => new OperatorRepository(documentClient(), tableName()));

export const organizationRepository = /* @__PURE__ */ once(() => new OrganizationRepository(documentClient(), tableName()));

export const auditRepository = /* @__PURE__ */ once(() => new AuditRepository(documentClient(), tableName()));

/** Access decisions: memberships from the operator store, organizations and groups from theirs. */
export const accessControl = /* @__PURE__ */ once(
  () =>
    new AccessControl({
      findMembership: (accountId, userId) => operatorStore().findMembership(accountId, userId),
      findOrganization: (orgId) => organizationRepository().findOrganization(orgId),
      listGroupsOfAccount: (accountId) => organizationRepository().listGroupsOfAccount(accountId),
    }),
);
