/** The sign-in directory: systems, end users, access grants. */
import { AccessGrantRepository } from '../adapters/access-grant-repository.ts';
import { EndUserRepository } from '../adapters/end-user-repository.ts';
import { SystemRepository } from '../adapters/system-repository.ts';
import { AccessGrants } from '../domain/directory/access-grants.ts';
import { EndUsers } from '../domain/directory/end-users.ts';
import { Systems } from '../domain/directory/systems.ts';
import type { SignInDirectory } from '../domain/sign-in/model.ts';
import { documentClient, once, tableName } from './runtime.ts';
import { accessControl } from './shared.ts';

export const systemRepository = /* @__PURE__ */ once(() => new SystemRepository(documentClient(), tableName()));
export const endUserRepository = /* @__PURE__ */ once(() => new EndUserRepository(documentClient(), tableName()));
export const accessGrantRepository = /* @__PURE__ */ once(() => new AccessGrantRepository(documentClient(), tableName()));

/** The directory one item at a time (systems, end users by email or id, grants); a sign-in reads through sign-in-reads.ts instead. */
export const signInDirectory = /* @__PURE__ */ once((): SignInDirectory => {
  const systems = systemRepository();
  const users = endUserRepository();
  const grants = accessGrantRepository();
  return {
    findSystem: (organizationId, systemName) => systems.findSystem(organizationId, systemName),
    findEndUserByEmail: (organizationId, email) => users.findEndUserByEmail(organizationId, email),
    findEndUser: (organizationId, userId) => users.findEndUser(organizationId, userId),
    hasAccess: (organizationId, systemName, userId) => grants.hasAccess(organizationId, systemName, userId),
  };
});

/** Systems and their policies; each change commits in one transaction with its audit event. */
export const systems = /* @__PURE__ */ once(() => new Systems(accessControl(), systemRepository()));

/** End users; email uniqueness per organization is a guard item in the same transaction. */
export const endUsers = /* @__PURE__ */ once(() => new EndUsers(accessControl(), endUserRepository()));

/** Access grants of end users to systems. */
export const accessGrants = /* @__PURE__ */ once(() => new AccessGrants(accessControl(), accessGrantRepository()));
