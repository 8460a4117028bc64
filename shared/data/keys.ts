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

/** Failed-login counter of one email (sliding window kept on the item). */
export const loginThrottleKey = (email: string): ItemKey => ({ pk: `LOGINTHROTTLE#${email}`, sk: 'LOGINTHROTTLE' });

/** Envelope-encrypted key material (token signing keys, data keys), one item per purpose. */
export const keyringKey = (purpose: string): ItemKey => ({ pk: `KEYRING#${purpose}`, sk: 'KEYRING' });
