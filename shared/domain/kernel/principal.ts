import type { KeyPermission } from './model.ts';

/** Who is calling, as established by the route's credential (never by the body). */
export type Principal =
  | { kind: 'anonymous' }
  /** `sessionId`: the refresh family the access token was minted for (its `sid` claim), when it has one. */
  | { kind: 'operator'; userId: string; amr: string[]; sessionId?: string }
  | { kind: 'key'; keyId: string; accountId: string; permissions: KeyPermission[]; organizations: 'all' | string[] };
