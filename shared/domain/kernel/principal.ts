import type { KeyPermission } from './model.ts';

/** Who is calling, as established by the route's credential (never by the body). */
export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'operator'; userId: string; amr: string[] }
  | { kind: 'key'; keyId: string; accountId: string; permissions: KeyPermission[]; organizations: 'all' | string[] };
