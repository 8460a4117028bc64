/** Entities of the operator side, as the domain sees them (no DynamoDB attributes). */

export type Role = 'owner' | 'manager' | 'viewer';

/** `all`, or the organizations and groups (whose organizations count at request time) a member reaches. */
export type Scope = 'all' | { organizations: string[]; groups: string[] };

export interface Operator {
  id: string;
  email: string;
  passwordHash: string;
  createdAt: string;
}

export interface Account {
  id: string;
  name: string;
  createdAt: string;
}

export interface Membership {
  accountId: string;
  userId: string;
  role: Role;
  scope: Scope;
  createdAt: string;
}

export interface RefreshTokenRecord {
  tokenHash: string;
  familyId: string;
  userId: string;
  /**
   * `used`: rotated (spent by its holder). `superseded`: never used, but spent because its parent was
   * presented again within the rotation grace and the family went on from that repeat's child
   * (shared/domain/sessions/operator-sessions.ts `refresh`).
   */
  status: 'active' | 'used' | 'superseded';
  /** Epoch seconds. */
  expiresAt: number;
  /** When it was spent (epoch seconds); the rotation grace counts from it. Absent while active. */
  usedAt?: number;
  /** The hash of the token its rotation (or its grace repeat) answered: the family's next link. */
  nextHash?: string;
  /** When it was presented again within the grace and answered (epoch seconds): at most once. */
  repeatedAt?: number;
}

export interface RefreshFamily {
  familyId: string;
  userId: string;
  /** Authentication methods of the login that started the family, carried into every access token. */
  amr: string[];
  revoked: boolean;
  /** Epoch seconds. */
  expiresAt: number;
  /** When the login happened (ISO). Absent on families written before sessions were listed. */
  createdAt?: string;
  /** The last refresh (ISO), or the login when never refreshed; the idle timeout counts from it. */
  lastUsedAt?: string;
  /** The login request's User-Agent, truncated (`SESSION_USER_AGENT_MAX`); for the person to recognise the device. */
  userAgent?: string;
  /** The login's source address reduced to its network (IPv4 /24, IPv6 /48): never the full address. */
  ipPrefix?: string;
}

export interface AccountSettings {
  /** Every member must enrol TOTP before doing anything else. */
  requireMfa: boolean;
}

export interface AccountProfile extends Account {
  billingContact: { name?: string; email: string } | null;
  settings: AccountSettings;
}

export interface OrganizationSettings {
  requireMfa: boolean;
  /** SMS this organization may send per UTC day. */
  smsDailyLimit: number;
  /** ISO 3166 alpha-2 codes SMS may go to (SMS pumping defence). */
  smsAllowedCountries: string[];
  /** Sign-in e-mails (`email_pin`, `email_link`) this organization may send per UTC day (SPEC §8). */
  emailDailyLimit: number;
}

export interface Organization {
  id: string;
  accountId: string;
  name: string;
  settings: OrganizationSettings;
  /** Deleted organizations are tombstoned: every organization-scoped request reads this first. */
  status: 'active' | 'deleted';
  createdAt: string;
  updatedAt: string;
}

export interface Group {
  id: string;
  accountId: string;
  name: string;
  organizations: string[];
  createdAt: string;
  updatedAt: string;
}

export type KeyPermission = 'authenticate' | 'manage';

export interface ApiKey {
  id: string;
  accountId: string;
  name: string;
  permissions: KeyPermission[];
  organizations: 'all' | string[];
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}
