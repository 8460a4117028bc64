/** The sign-in directory: systems, end users, access grants. */
import { DirectoryRepository } from '../adapters/directory-repository.ts';
import { AccessGrants, EndUsers, Systems } from '../domain/directory/directory.ts';
import type { SignInDirectory } from '../domain/sign-in/model.ts';
import { documentClient, once, tableName } from './runtime.ts';
import { accessControl } from './shared.ts';

export const directoryRepository = /* @__PURE__ */ once(() => new DirectoryRepository(documentClient(), tableName()));

/** The directory one item at a time (systems, end users by email or id, grants); a sign-in reads through sign-in-reads.ts instead. */
export const signInDirectory = /* @__PURE__ */ once((): SignInDirectory => directoryRepository());

/** Systems and their policies; each change commits in one transaction with its audit event. */
export const systems = /* @__PURE__ */ once(() => new Systems(accessControl(), directoryRepository()));

/** End users; email uniqueness per organization is a guard item in the same transaction. */
export const endUsers = /* @__PURE__ */ once(() => new EndUsers(accessControl(), directoryRepository()));

/** Access grants of end users to systems. */
export const accessGrants = /* @__PURE__ */ once(() => new AccessGrants(accessControl(), directoryRepository()));
