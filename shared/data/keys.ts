/**
 * Every partition and sort key of the table is built here and nowhere else. The access-pattern table
 * in docs/data-model.md lists which operation reads or writes each of them.
 *
 * Values are prefixed by their entity so that one partition can hold several entity types and a key
 * can never be mistaken for another's.
 */

// A type alias, not an interface, so keys can be passed where the SDK wants Record<string, unknown>.
export type ItemKey = { pk: string; sk: string };

/** Operator profile (email, password hash). */
export const userKey = (userId: string): ItemKey => ({ pk: `USER#${userId}`, sk: 'PROFILE' });

/** Uniqueness guard and login lookup: one item per normalized operator email. */
export const userEmailKey = (email: string): ItemKey => ({ pk: `EMAIL#${email}`, sk: 'EMAIL' });

/** Account profile. */
export const accountKey = (accountId: string): ItemKey => ({ pk: `ACCOUNT#${accountId}`, sk: 'PROFILE' });

/** Membership of an operator in an account; listed per account by `sk` prefix. */
export const membershipKey = (accountId: string, userId: string): ItemKey => ({
  pk: `ACCOUNT#${accountId}`,
  sk: `MEMBER#${userId}`,
});

/** GSI1 keys of a membership: lists the accounts of one operator. */
export const membershipByUserGsi = (userId: string, accountId: string) => ({
  gsi1pk: `USER#${userId}#MEMBERSHIPS`,
  gsi1sk: `ACCOUNT#${accountId}`,
});
export const membershipsOfUserPartition = (userId: string): string => `USER#${userId}#MEMBERSHIPS`;

/** A refresh token, addressed by the SHA-256 of its secret. */
export const refreshTokenKey = (tokenHash: string): ItemKey => ({ pk: `REFRESH#${tokenHash}`, sk: 'REFRESH' });

/** A refresh-token family (one login): revoking it kills every token rotated from that login. */
export const refreshFamilyKey = (familyId: string): ItemKey => ({ pk: `FAMILY#${familyId}`, sk: 'FAMILY' });

/** A refresh family in its operator's list of sessions (GSI1), oldest first. */
export const refreshFamilyByUserGsi = (userId: string, createdAt: string, familyId: string) => ({
  gsi1pk: sessionsOfUserPartition(userId),
  gsi1sk: `${createdAt}#${familyId}`,
});
export const sessionsOfUserPartition = (userId: string): string => `USER#${userId}#SESSIONS`;

/** Failed-login counter of one email (sliding window kept on the item). */
export const loginThrottleKey = (email: string): ItemKey => ({ pk: `LOGINTHROTTLE#${email}`, sk: 'LOGINTHROTTLE' });

/** A pending `verify-email` sign-up, by the SHA-256 of its e-mailed token (consumed by one conditional delete). */
export const pendingSignupKey = (tokenHash: string): ItemKey => ({ pk: `SIGNUPTOKEN#${tokenHash}`, sk: 'SIGNUPTOKEN' });

/**
 * Sign-up e-mails recently sent to one address, keyed by the SHA-256 of the (lower-cased) address:
 * the per-address limit that keeps `POST /v2/signup` from becoming a mail cannon.
 */
export const signupEmailLimitKey = (addressHash: string): ItemKey => ({ pk: `SIGNUPMAIL#${addressHash}`, sk: 'SIGNUPMAIL' });

/** Envelope-encrypted key material (token signing keys, data keys), one item per purpose. */
export const keyringKey = (purpose: string): ItemKey => ({ pk: `KEYRING#${purpose}`, sk: 'KEYRING' });

// ---- Tenancy ---------------------------------------------------------------------------------

/** Sort-key prefix of memberships in an account's partition: listing members is one Query. */
export const MEMBER_SK_PREFIX = 'MEMBER#';

/** An organization, addressed by its id alone (routes carry only `orgId`); it names its account. */
export const organizationKey = (orgId: string): ItemKey => ({ pk: `ORG#${orgId}`, sk: 'PROFILE' });

/** GSI1 keys of an organization: the organizations of an account, oldest first. */
export const organizationByAccountGsi = (accountId: string, createdAt: string, orgId: string) => ({
  gsi1pk: `ACCOUNT#${accountId}#ORGS`,
  gsi1sk: `${createdAt}#${orgId}`,
});
export const organizationsOfAccountPartition = (accountId: string): string => `ACCOUNT#${accountId}#ORGS`;

/** A group of organizations, in its account's partition. */
export const groupKey = (accountId: string, groupId: string): ItemKey => ({ pk: `ACCOUNT#${accountId}`, sk: `GROUP#${groupId}` });
export const GROUP_SK_PREFIX = 'GROUP#';

/** An invitation, in its account's partition (list, delete by id). */
export const invitationKey = (accountId: string, invitationId: string): ItemKey => ({
  pk: `ACCOUNT#${accountId}`,
  sk: `INVITATION#${invitationId}`,
});
export const INVITATION_SK_PREFIX = 'INVITATION#';

/** Lookup of an invitation by the SHA-256 of its token (accept). */
export const invitationTokenKey = (tokenHash: string): ItemKey => ({ pk: `INVITETOKEN#${tokenHash}`, sk: 'INVITETOKEN' });

/** An access key, addressed by the id embedded in the key itself: the authorizer needs one GetItem. */
export const apiKeyKey = (keyId: string): ItemKey => ({ pk: `APIKEY#${keyId}`, sk: 'APIKEY' });

/** GSI1 keys of an access key: the keys of an account, oldest first. */
export const apiKeyByAccountGsi = (accountId: string, createdAt: string, keyId: string) => ({
  gsi1pk: `ACCOUNT#${accountId}#KEYS`,
  gsi1sk: `${createdAt}#${keyId}`,
});
export const apiKeysOfAccountPartition = (accountId: string): string => `ACCOUNT#${accountId}#KEYS`;

/**
 * Audit events of an account, newest first by sort key (`<ISO time>#<eventId>`); GSI1 holds the same
 * events per organization so a scoped reader queries only what they may see.
 *
 * Both are spread over `AUDIT_EVENT_SHARDS` partitions (`…#EVENTS#<shard>`). One partition takes about
 * 1,000 write units/s, and DynamoDB cannot split a partition for heat when its sort keys only grow
 * (they are times), so a single event partition per account would cap an account at ~1,000 events/s,
 * that is ~500 PIN sign-ins/s (2 events each). Eight shards give 8,000 events/s per account and per
 * organization; reading a page queries every shard and merges (audit-repository.ts).
 */
export const AUDIT_EVENT_SHARDS = 8;

/**
 * The shard of an event: FNV-1a (32 bit) of its id, mod `AUDIT_EVENT_SHARDS`. Deterministic, so an
 * event's keys can be recomputed from the event; ids are random, so events spread evenly.
 */
export function auditEventShard(eventId: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < eventId.length; index++) {
    hash ^= eventId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % AUDIT_EVENT_SHARDS;
}

/** Every shard number, `0 … AUDIT_EVENT_SHARDS - 1`. */
export const auditEventShards = (): number[] => Array.from({ length: AUDIT_EVENT_SHARDS }, (_, shard) => shard);

/** The name of an account's log (its shards' partitions are `<name>#<shard>`); cursors carry it. */
export const auditLogOfAccount = (accountId: string): string => `ACCOUNT#${accountId}#EVENTS`;
/** The name of an organization's log in GSI1 (its shards' partitions are `<name>#<shard>`). */
export const auditLogOfOrganization = (orgId: string): string => `ORG#${orgId}#EVENTS`;

/** Sort key (table and GSI1) of an event: time, then id, so equal times still order and never collide. */
export const auditEventSortKey = (at: string, eventId: string): string => `${at}#${eventId}`;

export const auditEventsOfAccountPartition = (accountId: string, shard: number): string => `${auditLogOfAccount(accountId)}#${shard}`;
export const auditEventKey = (accountId: string, at: string, eventId: string): ItemKey => ({
  pk: auditEventsOfAccountPartition(accountId, auditEventShard(eventId)),
  sk: auditEventSortKey(at, eventId),
});
export const auditEventsOfOrganizationPartition = (orgId: string, shard: number): string => `${auditLogOfOrganization(orgId)}#${shard}`;
export const auditEventByOrganizationGsi = (orgId: string, at: string, eventId: string) => ({
  gsi1pk: auditEventsOfOrganizationPartition(orgId, auditEventShard(eventId)),
  gsi1sk: auditEventSortKey(at, eventId),
});

// ---- Sign-in directory: systems, end users, access grants ----------------------------------------
// Everything of one organization's directory lives in the organization's partition (`ORG#<orgId>`,
// beside its PROFILE item), so listing systems, an end user's grants or a system's grants is one
// strongly consistent Query.

/** A system, by its name (names are unique in the organization: the key is the guard). */
export const systemKey = (orgId: string, systemName: string): ItemKey => ({ pk: `ORG#${orgId}`, sk: `SYSTEM#${systemName}` });
export const SYSTEM_SK_PREFIX = 'SYSTEM#';

/** An end user, by id. */
export const endUserKey = (orgId: string, userId: string): ItemKey => ({ pk: `ORG#${orgId}`, sk: `ENDUSER#${userId}` });

/** GSI1 keys of an end user: the end users of an organization, oldest first. */
export const endUserByOrganizationGsi = (orgId: string, createdAt: string, userId: string) => ({
  gsi1pk: `ORG#${orgId}#ENDUSERS`,
  gsi1sk: `${createdAt}#${userId}`,
});
export const endUsersOfOrganizationPartition = (orgId: string): string => `ORG#${orgId}#ENDUSERS`;

/** Uniqueness guard and lookup of an end user's email (lower-cased) in one organization. */
export const endUserEmailKey = (orgId: string, emailLowerCased: string): ItemKey => ({
  pk: `ORG#${orgId}#EMAIL#${emailLowerCased}`,
  sk: 'EMAIL',
});

/** An access grant, listed per system by `sk` prefix. System names cannot contain `#`. */
export const accessGrantKey = (orgId: string, systemName: string, userId: string): ItemKey => ({
  pk: `ORG#${orgId}`,
  sk: `GRANT#${systemName}#${userId}`,
});
export const grantsOfSystemPrefix = (systemName: string): string => `GRANT#${systemName}#`;

/** The same grant seen from the end user (written in the same transaction): listed per user on delete. */
export const endUserGrantKey = (orgId: string, userId: string, systemName: string): ItemKey => ({
  pk: `ORG#${orgId}`,
  sk: `USERGRANT#${userId}#${systemName}`,
});
export const grantsOfEndUserPrefix = (userId: string): string => `USERGRANT#${userId}#`;

// ---- MFA -------------------------------------------------------------------------------------

/**
 * The TOTP factor of an operator (`usr_…`) or of an end user of an organization: encrypted secret(s),
 * last accepted time step, failure count and lock, and the hashes of the recovery codes, in one item
 * so that accepting a code, using a recovery code or a reset is one conditional write.
 */
export const operatorTotpKey = (userId: string): ItemKey => ({ pk: `USER#${userId}`, sk: 'MFA#TOTP' });
export const endUserTotpKey = (orgId: string, userId: string): ItemKey => ({ pk: `ORG#${orgId}#ENDUSER#${userId}`, sk: 'MFA#TOTP' });

/** A login's short-lived MFA token (`mfaRequired` / `mfaEnrollmentRequired`), by the SHA-256 of the token. */
export const mfaTokenKey = (tokenHash: string): ItemKey => ({ pk: `MFATOKEN#${tokenHash}`, sk: 'MFATOKEN' });

/** An owner-issued enrolment link (24 h, one time), by the SHA-256 of its token. */
export const mfaEnrollmentKey = (tokenHash: string): ItemKey => ({ pk: `MFAENROLL#${tokenHash}`, sk: 'MFAENROLL' });

// ---- Challenges and SMS limits -------------------------------------------------------------------

/** A sign-in challenge, addressed by its id (the client holds it; it names its organization). */
export const challengeKey = (challengeId: string): ItemKey => ({ pk: `CHALLENGE#${challengeId}`, sk: 'CHALLENGE' });

/**
 * The sign-in state of one (organization, end user, system): which challenge is live (a new one
 * replaces it in the same transaction, voiding the old) and the recent wrong codes across challenges.
 */
export const signInStateKey = (orgId: string, userId: string, systemName: string): ItemKey => ({
  pk: `SIGNIN#${orgId}#${userId}`,
  sk: `SYSTEM#${systemName}`,
});

/** All of one end user's sign-in states (one per system): their partition and sort-key prefix, for a Query. */
export const signInStatesOfUser = (orgId: string, userId: string): { pk: string; skPrefix: string } => ({
  pk: signInStateKey(orgId, userId, '').pk,
  skPrefix: 'SYSTEM#',
});

/**
 * SMS sent recently to one sign-in subject of an organization (keyed by a hash of the email, so an
 * unknown email is limited exactly like a known one and the limit reveals nothing).
 */
export const smsSubjectLimitKey = (orgId: string, subjectHash: string): ItemKey => ({ pk: `SMSLIMIT#${orgId}#${subjectHash}`, sk: 'SMSLIMIT' });

/** One shard of an organization's SMS count for one UTC day (`YYYY-MM-DD`); see sms-limits.ts. */
export const smsDailyShardKey = (orgId: string, day: string, shard: number): ItemKey => ({ pk: `SMSDAY#${orgId}#${day}#${shard}`, sk: 'SMSDAY' });

/** One shard of an account's SMS count (all its organizations) for one UTC day. */
export const smsAccountDailyShardKey = (accountId: string, day: string, shard: number): ItemKey => ({
  pk: `SMSDAY#ACCOUNT#${accountId}#${day}#${shard}`,
  sk: 'SMSDAY',
});

/** One shard of the deployment's SMS count (every account) for one UTC day: the table is the deployment's. */
export const smsDeploymentDailyShardKey = (day: string, shard: number): ItemKey => ({ pk: `SMSDAY#DEPLOYMENT#${day}#${shard}`, sk: 'SMSDAY' });

/**
 * E-mails (sign-in factors `email_pin`/`email_link`) sent recently to one sign-in subject of an
 * organization: the SMS subject item's twin, on its own counter (SPEC §8: e-mail limits mirror SMS).
 */
export const emailSubjectLimitKey = (orgId: string, subjectHash: string): ItemKey => ({ pk: `EMAILLIMIT#${orgId}#${subjectHash}`, sk: 'EMAILLIMIT' });

/** One shard of an organization's sign-in e-mail count for one UTC day; see sms-limits.ts. */
export const emailDailyShardKey = (orgId: string, day: string, shard: number): ItemKey => ({ pk: `EMAILDAY#${orgId}#${day}#${shard}`, sk: 'EMAILDAY' });

/** One shard of an account's sign-in e-mail count (all its organizations) for one UTC day. */
export const emailAccountDailyShardKey = (accountId: string, day: string, shard: number): ItemKey => ({
  pk: `EMAILDAY#ACCOUNT#${accountId}#${day}#${shard}`,
  sk: 'EMAILDAY',
});

/** One shard of the deployment's sign-in e-mail count (every account) for one UTC day. */
export const emailDeploymentDailyShardKey = (day: string, shard: number): ItemKey => ({ pk: `EMAILDAY#DEPLOYMENT#${day}#${shard}`, sk: 'EMAILDAY' });

/**
 * An e-mail address SES reported as undeliverable (a permanent bounce or a complaint), lower-cased:
 * nothing more is sent to it, and the sign-in factors `email_pin`/`email_link` stop for it. Read in
 * the sign-in's batched reads; written by the e-mail feedback function only.
 */
export const emailSuppressionKey = (emailLowerCased: string): ItemKey => ({ pk: `EMAILSUPPRESSION#${emailLowerCased}`, sk: 'EMAILSUPPRESSION' });

// ---- Passwords -------------------------------------------------------------------------------

/**
 * The operator's one live password-reset link (the SHA-256 of its token): a new request replaces
 * it, so an older link stops working; consuming it is one conditional delete on this item.
 */
export const passwordResetKey = (userId: string): ItemKey => ({ pk: `USER#${userId}`, sk: 'PASSWORDRESET' });

/** Lookup of a password-reset link by the SHA-256 of its token: names the operator whose live link it may be. */
export const passwordResetTokenKey = (tokenHash: string): ItemKey => ({ pk: `PWRESET#${tokenHash}`, sk: 'PWRESET' });

/** Reset e-mails sent to one address (keyed by a hash of it, known operator or not): 1 a minute, 5 an hour. */
export const passwordResetMailLimitKey = (addressHash: string): ItemKey => ({ pk: `PWRESETLIMIT#${addressHash}`, sk: 'PWRESETLIMIT' });

/** An OAuth authorization code (SPEC §9), by the SHA-256 of the code: spent by one conditional delete. */
export const authorizationCodeKey = (codeHash: string): ItemKey => ({ pk: `OAUTHCODE#${codeHash}`, sk: 'OAUTHCODE' });

/**
 * A login transaction of the hosted login (SPEC §9): one authorization request from the browser's
 * first page to its code; lives 15 minutes, spent by one conditional write.
 */
export const loginTransactionKey = (loginId: string): ItemKey => ({ pk: `OAUTHLOGIN#${loginId}`, sk: 'OAUTHLOGIN' });

// ── Passkeys (WebAuthn, SPEC §11) ───────────────────────────────────────────────────────────────

/**
 * A passkey (WebAuthn credential), by its passkey id: the SHA-256 (base64url) of the credential id.
 * One item per credential id across the whole table, so one credential belongs to one person only;
 * an assertion's `id` hashes to the same key, so sign-in finds it in one read.
 */
export const passkeyKey = (passkeyId: string): ItemKey => ({ pk: `PASSKEY#${passkeyId}`, sk: 'PASSKEY' });

/** GSI1 keys of a passkey: its owner's list (an operator or an organization's end user), oldest first. */
export const passkeyByOwnerGsi = (owner: string, createdAt: string, passkeyId: string) => ({
  gsi1pk: passkeysOfOwnerPartition(owner),
  gsi1sk: `${createdAt}#${passkeyId}`,
});
export const passkeysOfOwnerPartition = (owner: string): string => `PASSKEYS#${owner}`;

/** A passkey ceremony's challenge, by its flow id: single use (one conditional delete), 5 minutes. */
export const passkeyFlowKey = (flowId: string): ItemKey => ({ pk: `PASSKEYFLOW#${flowId}`, sk: 'PASSKEYFLOW' });
