/**
 * When an access grant lets its end user sign in to a system: the one rule every reader of grants
 * applies (the directory's `hasAccess` and access list, the sign-in's batched read).
 */

/** What a reader found: the system (its incarnation), whether the user exists, and the grant (its incarnation). */
export interface GrantFacts {
  /** Undefined when the system does not exist. */
  systemIncarnation: string | undefined;
  userExists: boolean;
  /** Undefined when there is no grant. */
  grantIncarnation: string | undefined;
}

/**
 * A grant counts only while its system and its user exist, and only for the system it was granted
 * to: every system gets a new `incarnation` when created, so a system re-created under a deleted
 * one's name never inherits a leftover grant of its namesake.
 */
export function isGrantLive(facts: GrantFacts): boolean {
  return facts.systemIncarnation !== undefined && facts.userExists && facts.grantIncarnation !== undefined && facts.grantIncarnation === facts.systemIncarnation;
}
